/// The value of an attribute of any supported type, with its shape
/// (`[]` for a scalar, `[n]` for a one-dimensional array).
public enum HDF5AttributeValue: Sendable, Equatable, CustomStringConvertible {
    /// Signed integers, or unsigned integers narrower than 64 bits.
    case integers([Int64], shape: [Int])
    /// Unsigned 64-bit integers.
    case unsignedIntegers([UInt64], shape: [Int])
    /// Floating-point numbers of any width, as `Double`.
    case floats([Double], shape: [Int])
    /// Strings (fixed or variable length).
    case strings([String], shape: [Int])
    /// A type this wrapper does not decode, by its description.
    case unsupported(HDF5ElementType, shape: [Int])

    /// The shape of the value.
    public var shape: [Int] {
        switch self {
        case .integers(_, let s), .unsignedIntegers(_, let s), .floats(_, let s), .strings(_, let s),
             .unsupported(_, let s):
            return s
        }
    }

    /// The single string, when the value is a scalar string or a one-element string array.
    public var string: String? {
        if case .strings(let v, _) = self, v.count == 1 { return v[0] }
        return nil
    }

    /// The single integer, when the value holds exactly one integer that fits in `Int64`.
    public var integer: Int64? {
        switch self {
        case .integers(let v, _) where v.count == 1: return v[0]
        case .unsignedIntegers(let v, _) where v.count == 1 && v[0] <= UInt64(Int64.max): return Int64(v[0])
        default: return nil
        }
    }

    /// The single number as a `Double`, when the value holds exactly one number.
    public var double: Double? {
        switch self {
        case .floats(let v, _) where v.count == 1: return v[0]
        case .integers(let v, _) where v.count == 1: return Double(v[0])
        case .unsignedIntegers(let v, _) where v.count == 1: return Double(v[0])
        default: return nil
        }
    }

    /// A short rendering for people: scalars as their value, arrays in brackets
    /// (long arrays abbreviated).
    public var description: String {
        func render<T>(_ values: [T], _ item: (T) -> String) -> String {
            if shape.isEmpty, values.count == 1 { return item(values[0]) }
            let shown = values.prefix(8).map(item).joined(separator: ", ")
            return "[" + shown + (values.count > 8 ? ", ... (\(values.count) values)" : "") + "]"
        }
        switch self {
        case .integers(let v, _): return render(v) { String($0) }
        case .unsignedIntegers(let v, _): return render(v) { String($0) }
        case .floats(let v, _): return render(v) { String($0) }
        case .strings(let v, _):
            return render(v) { s in
                let short = s.count > 120 ? String(s.prefix(117)) + "..." : s
                return "\"" + short.oneLine + "\""
            }
        case .unsupported(let t, let s): return "<\(t) \(s)>"
        }
    }
}
