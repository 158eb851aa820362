/// Unaligned vector loads and stores on `Float` buffers, for kernels whose
/// loops are too short or too strided for the auto-vectoriser (Winograd's
/// tile transforms on 7-tile rows).
enum UnalignedSIMD {
    @inline(__always)
    static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    /// Stores the first `count` lanes of `value` (all 8 when `count >= 8`).
    @inline(__always)
    static func store8(_ value: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, count: Int = 8) {
        if count >= 8 {
            UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD8<Float>.self)
        } else {
            for k in 0..<count { p[k] = value[k] }
        }
    }

    @inline(__always)
    static func store16(_ value: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD16<Float>.self)
    }

    /// `d[i] += s[i]` for `i < count`, 8 lanes at a time: the same bits as the scalar
    /// loop (one rounding per addition), which the auto-vectoriser leaves scalar because
    /// it cannot prove the two pointers apart.
    @inline(__always)
    static func add(_ s: UnsafePointer<Float>, into d: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i &+ 8 <= count {
            store8(load8(d + i) + load8(s + i), d + i)
            i &+= 8
        }
        while i < count { d[i] += s[i]; i &+= 1 }
    }
}
