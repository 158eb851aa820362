import RealModule

/// The four broadcasting elementwise binary operations.
enum BinaryKind: Sendable {
    case add, sub, mul, div
}

/// Raw loops on contiguous or strided Float buffers. No graph, no allocation
/// beyond what the caller asks for; index arithmetic uses wrapping operators so
/// the loops vectorise.
enum Kernels {
    /// Calls `body(row, offsetA, offsetB)` for every innermost row of `shape`
    /// (all dimensions but the last), with element offsets of two strided operands.
    /// Ranks up to 3 (what coalescing leaves for NCHW-with-channel broadcasts) run as
    /// plain loop nests; higher ranks use an odometer.
    @inline(__always)
    static func forEachRow(_ shape: [Int], _ sa: [Int], _ sb: [Int],
                           _ body: (_ row: Int, _ offA: Int, _ offB: Int) -> Void) {
        let r = shape.count
        let inner = shape[r - 1]
        if inner == 0 { return }
        switch r {
        case 1:
            body(0, 0, 0)
        case 2:
            let a0 = sa[0], b0 = sb[0]
            for i in 0..<shape[0] { body(i, i &* a0, i &* b0) }
        case 3:
            let d1 = shape[1], a0 = sa[0], b0 = sb[0], a1 = sa[1], b1 = sb[1]
            for i in 0..<shape[0] {
                let oa = i &* a0, ob = i &* b0, row = i &* d1
                for j in 0..<d1 { body(row &+ j, oa &+ j &* a1, ob &+ j &* b1) }
            }
        default:
            let rows = Shape.count(shape) / inner
            if rows == 0 { return }
            var idx = [Int](repeating: 0, count: r - 1)
            var oa = 0, ob = 0
            for row in 0..<rows {
                body(row, oa, ob)
                var d = r - 2
                while d >= 0 {
                    idx[d] &+= 1
                    oa &+= sa[d]
                    ob &+= sb[d]
                    if idx[d] < shape[d] { break }
                    oa &-= sa[d] &* shape[d]
                    ob &-= sb[d] &* shape[d]
                    idx[d] = 0
                    d &-= 1
                }
            }
        }
    }

    @inline(__always)
    static func binaryRow(_ n: Int, _ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
                          _ o: UnsafeMutablePointer<Float>, _ f: (Float, Float) -> Float) {
        if sa == 1 && sb == 1 {
            for i in 0..<n { o[i] = f(a[i], b[i]) }
        } else if sa == 1 && sb == 0 {
            let bv = b[0]
            for i in 0..<n { o[i] = f(a[i], bv) }
        } else if sa == 0 && sb == 1 {
            let av = a[0]
            for i in 0..<n { o[i] = f(av, b[i]) }
        } else {
            for i in 0..<n { o[i] = f(a[i &* sa], b[i &* sb]) }
        }
    }

    @inline(__always)
    static func binaryStrided(_ shape: [Int], _ a: UnsafePointer<Float>, _ sa: [Int], _ b: UnsafePointer<Float>, _ sb: [Int],
                              _ out: UnsafeMutablePointer<Float>, _ f: (Float, Float) -> Float) {
        let inner = shape[shape.count - 1]
        let ia = sa[sa.count - 1], ib = sb[sb.count - 1]
        forEachRow(shape, sa, sb) { row, oa, ob in
            binaryRow(inner, a + oa, ia, b + ob, ib, out + row &* inner, f)
        }
    }

    /// `out = a (op) b` with `a`, `b` read through broadcast strides over `shape`; `out` contiguous.
    static func binary(_ kind: BinaryKind, shape: [Int], _ a: UnsafePointer<Float>, _ aStrides: [Int],
                       _ b: UnsafePointer<Float>, _ bStrides: [Int], _ out: UnsafeMutablePointer<Float>) {
        let c = Shape.coalesce(shape, [aStrides, bStrides])
        let sa = c.strides[0], sb = c.strides[1]
        switch kind {
        case .add: binaryStrided(c.shape, a, sa, b, sb, out) { $0 + $1 }
        case .sub: binaryStrided(c.shape, a, sa, b, sb, out) { $0 - $1 }
        case .mul: binaryStrided(c.shape, a, sa, b, sb, out) { $0 * $1 }
        case .div: binaryStrided(c.shape, a, sa, b, sb, out) { $0 / $1 }
        }
    }

    /// `out[i] = f(x[i])`.
    @inline(__always)
    static func map(_ n: Int, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ f: (Float) -> Float) {
        for i in 0..<n { out[i] = f(x[i]) }
    }

    /// `out[i] = f(x[i], y[i])` for equal-length contiguous buffers.
    @inline(__always)
    static func zip(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                    _ f: (Float, Float) -> Float) {
        for i in 0..<n { out[i] = f(x[i], y[i]) }
    }

    /// Copies a strided source (viewed with `srcStrides` over `shape`) into contiguous `out`.
    static func stridedCopy(shape: [Int], _ src: UnsafePointer<Float>, _ srcStrides: [Int], _ out: UnsafeMutablePointer<Float>) {
        let c = Shape.coalesce(shape, [srcStrides, Shape.strides(shape)])
        let s = c.strides[0]
        let inner = c.shape[c.shape.count - 1]
        let si = s[s.count - 1]
        forEachRow(c.shape, s, c.strides[1]) { _, os, od in
            let from = src + os, to = out + od
            if si == 1 {
                to.update(from: from, count: inner)
            } else if si == 0 {
                to.update(repeating: from[0], count: inner)
            } else {
                for i in 0..<inner { to[i] = from[i &* si] }
            }
        }
    }

    /// Adds contiguous `src` of `shape` into `out`, whose strides over `shape` are
    /// `outStrides` (0 along summed dimensions). `out` must be initialised (e.g. zeros).
    static func reduceSumInto(shape: [Int], _ src: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ outStrides: [Int]) {
        let c = Shape.coalesce(shape, [Shape.strides(shape), outStrides])
        let inner = c.shape[c.shape.count - 1]
        let so = c.strides[1][c.strides[1].count - 1]
        // The sum over all but the middle axis of `[a, b, inner]` (a convolution's bias
        // gradient, `[N, C, H, W]` summed to `[C]`): parts own ranges of the `b` outputs, and
        // each output adds its rows in the same order as the serial loop below, so the bits
        // are the same at every width.
        if c.shape.count == 3, c.strides[1] == [0, 1, 0] {
            let (a, b) = (c.shape[0], c.shape[1])
            let parts = IntraOpParallelism.parts(elements: a &* b &* inner, items: b)
            if parts > 1 {
                IntraOpParallelism.forEachRange(of: b, parts: parts) { slice in
                    for i in 0..<a {
                        for j in slice { out[j] += sum(src + (i &* b &+ j) &* inner, inner) }
                    }
                }
                return
            }
        }
        // The sum over the rows of `[rows, inner]` (a channels-last bias gradient, `[N, H, W, C]`
        // summed to `[C]`): 64 columns at a time in four registers, each column adding the rows
        // in order as the loop below does (the same bits), in one pass without a call per row.
        if c.shape.count == 2, c.strides[1] == [0, 1] {
            let rows = c.shape[0]
            var j = 0
            while j &+ 64 <= inner {
                var a0 = UnalignedSIMD.load16(out + j), a1 = UnalignedSIMD.load16(out + (j &+ 16))
                var a2 = UnalignedSIMD.load16(out + (j &+ 32)), a3 = UnalignedSIMD.load16(out + (j &+ 48))
                var p = src + j
                for _ in 0..<rows {
                    a0 += UnalignedSIMD.load16(p)
                    a1 += UnalignedSIMD.load16(p + 16)
                    a2 += UnalignedSIMD.load16(p + 32)
                    a3 += UnalignedSIMD.load16(p + 48)
                    p += inner
                }
                UnalignedSIMD.store16(a0, out + j)
                UnalignedSIMD.store16(a1, out + (j &+ 16))
                UnalignedSIMD.store16(a2, out + (j &+ 32))
                UnalignedSIMD.store16(a3, out + (j &+ 48))
                j &+= 64
            }
            while j &+ 16 <= inner {
                var a = UnalignedSIMD.load16(out + j)
                var p = src + j
                for _ in 0..<rows {
                    a += UnalignedSIMD.load16(p)
                    p += inner
                }
                UnalignedSIMD.store16(a, out + j)
                j &+= 16
            }
            if j < inner {
                for r in 0..<rows {
                    let from = src + r &* inner
                    for i in j..<inner { out[i] += from[i] }
                }
            }
            return
        }
        forEachRow(c.shape, c.strides[0], c.strides[1]) { _, os, od in
            let from = src + os, to = out + od
            if so == 0 {
                to[0] += sum(from, inner)
            } else if so == 1 {
                for i in 0..<inner { to[i] += from[i] }
            } else {
                for i in 0..<inner { to[i &* so] += from[i] }
            }
        }
    }

    /// The sum of `n` contiguous elements (reassociated, so it vectorises).
    @inline(__always)
    static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var i = 0
        while i &+ 4 <= n {
            s0 = Relaxed.sum(s0, x[i])
            s1 = Relaxed.sum(s1, x[i &+ 1])
            s2 = Relaxed.sum(s2, x[i &+ 2])
            s3 = Relaxed.sum(s3, x[i &+ 3])
            i &+= 4
        }
        while i < n { s0 += x[i]; i &+= 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// The dot product of `n` contiguous elements (reassociated).
    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
        var s: Float = 0
        for i in 0..<n { s = Relaxed.multiplyAdd(x[i], y[i], s) }
        return s
    }
}
