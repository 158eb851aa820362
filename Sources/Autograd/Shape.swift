/// Shape arithmetic shared by the ops: element counts, strides, broadcasting, axes.
enum Shape {
    /// The number of elements of `shape`.
    @inline(__always)
    static func count(_ shape: [Int]) -> Int {
        var n = 1
        for d in shape { n = n &* d }
        return n
    }

    /// Row-major strides of `shape`.
    static func strides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            s[i] = acc
            acc = acc &* shape[i]
        }
        return s
    }

    /// The numpy broadcast of two shapes.
    static func broadcast(_ a: [Int], _ b: [Int]) -> [Int] {
        if a == b { return a }
        let r = Swift.max(a.count, b.count)
        var out = [Int](repeating: 1, count: r)
        for i in 0..<r {
            let da = i < r - a.count ? 1 : a[i - (r - a.count)]
            let db = i < r - b.count ? 1 : b[i - (r - b.count)]
            precondition(da == db || da == 1 || db == 1,
                         "Tensor broadcasting: shapes \(a) and \(b) are not compatible")
            out[i] = da == 1 ? db : da
        }
        return out
    }

    /// Strides for reading a tensor of `shape` as if broadcast to `target` (0 in broadcast dims).
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let r = target.count
        precondition(shape.count <= r, "Tensor broadcasting: cannot broadcast \(shape) to \(target)")
        let own = strides(shape)
        var out = [Int](repeating: 0, count: r)
        for i in 0..<shape.count {
            let t = i + (r - shape.count)
            if shape[i] == target[t] { out[t] = shape[i] == 1 ? 0 : own[i] } else {
                precondition(shape[i] == 1, "Tensor broadcasting: cannot broadcast \(shape) to \(target)")
            }
        }
        return out
    }

    /// Resolves a possibly negative axis against `rank`.
    static func axis(_ axis: Int, rank: Int, _ what: String) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "\(what): axis \(axis) out of range for rank \(rank)")
        return a
    }

    /// Resolves, validates and sorts a list of axes.
    static func axes(_ axes: [Int], rank: Int, _ what: String) -> [Int] {
        let resolved = Set(axes.map { axis($0, rank: rank, what) })
        precondition(resolved.count == axes.count, "\(what): repeated axis in \(axes)")
        return resolved.sorted()
    }

    /// Merges adjacent dimensions that can be iterated as one, for every stride list given.
    /// Drops size-1 dimensions. Returns at least one dimension.
    static func coalesce(_ shape: [Int], _ strideLists: [[Int]]) -> (shape: [Int], strides: [[Int]]) {
        var dims: [Int] = []
        var lists: [[Int]] = Array(repeating: [], count: strideLists.count)
        for i in 0..<shape.count where shape[i] != 1 {
            if let last = dims.last {
                var mergeable = true
                for k in 0..<strideLists.count where lists[k].last! != strideLists[k][i] &* shape[i] {
                    mergeable = false
                    break
                }
                if mergeable {
                    dims[dims.count - 1] = last &* shape[i]
                    for k in 0..<strideLists.count { lists[k][lists[k].count - 1] = strideLists[k][i] }
                    continue
                }
            }
            dims.append(shape[i])
            for k in 0..<strideLists.count { lists[k].append(strideLists[k][i]) }
        }
        if dims.isEmpty {
            return ([1], Array(repeating: [1], count: strideLists.count))
        }
        return (dims, lists)
    }
}
