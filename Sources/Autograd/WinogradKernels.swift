import CConvKernels

/// Winograd minimal-filtering convolution F(2x2, 3x3) for 3x3 stride-1
/// convolutions (Lavin & Gray, "Fast Algorithms for Convolutional Neural
/// Networks", CVPR 2016).
///
/// Each 2x2 output tile is `Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A` for the 4x4 input
/// tile `d` it reads: 16 multiplications instead of 36, so the convolution
/// becomes 16 GEMMs of `[out, in] x [in, tiles]` with 2.25x fewer
/// multiply-adds than im2col's one GEMM, and no im2col matrix (the transformed
/// input `V` holds 16 values per 4 outputs against im2col's 9 per output).
/// The transforms' coefficients are 0, ±1 and ±1/2, so rounding stays that of
/// a direct sum (checked against Double sums in the tests).
///
/// All three passes use the same tile layout, `[16][channels][tiles]` with
/// the tiles of image `n` at `n·tilesPerImage ..< (n+1)·tilesPerImage`:
/// - forward: `M_ξ = U_ξ · V_ξ` for ξ in 0..<16, then the output transform;
/// - input gradient: the forward of `dy` with the kernel flipped and in/out
///   swapped, padded by `2 − padding` (a stride-1 transposed convolution is a
///   convolution);
/// - weight gradient: `dU_ξ = W_ξ · V_ξᵀ` with `W = A dY Aᵀ` per tile, then
///   `dw = Gᵀ dU G` — the adjoint of the forward in the weight.
///
/// Work is cut into `IntraOpParallelism` parts by shape only (images for the
/// forward, output channels for the weight gradient, which transforms only
/// its own channels of `dy`), as `ConvKernels` does, so results do not depend
/// on the thread count. Within a part, images go in blocks of about
/// `blockTiles` tiles, so a block's transformed values are still in cache
/// when its GEMMs and inverse transform read them.
enum WinogradKernels {
    /// Whether a convolution of this geometry runs through Winograd: a 3x3
    /// stride-1 kernel with padding at most 2 (so its input gradient is one
    /// too), enough channels for the tile GEMMs to be efficient, and outputs
    /// large enough that the tiles' overhang (odd sizes) keeps the saving.
    static func applies(_ g: ConvGeometry) -> Bool {
        guard g.kh == 3 && g.kw == 3 && g.stride == 1 && g.padding <= 2,
              g.c >= minimumChannels && g.o >= minimumChannels,
              ConvolutionAlgorithm.current == .automatic else { return false }
        return pays(g.ho, g.wo) && pays(g.h, g.w)
    }

    /// The fewest input and output channels for which Winograd is used.
    static let minimumChannels = 16

    /// Whether 16 products per 2x2 tile beat 9 per output for an `h x w`
    /// output by a margin that covers the transforms (7x7 and larger qualify, 3x3 does not).
    @inline(__always)
    static func pays(_ h: Int, _ w: Int) -> Bool {
        let tiles = ((h + 1) / 2) * ((w + 1) / 2)
        return tiles * 16 * 100 <= h * w * 9 * 65
    }

    /// The tile grid of a stride-1 3x3 convolution with `ho x wo` outputs.
    struct Tiling {
        let n, c, h, w, o, padding, ho, wo: Int
        /// Tile rows and columns per image.
        let ty, tx: Int
        /// Tiles per image and in all.
        var perImage: Int { ty &* tx }
        var count: Int { n &* ty &* tx }
        /// Padded plane the tiles read: `2·ty + 2` rows of `2·tx + 2` values.
        var paddedHeight: Int { 2 &* ty &+ 2 }
        var paddedWidth: Int { 2 &* tx &+ 2 }

        init(n: Int, c: Int, h: Int, w: Int, o: Int, padding: Int) {
            self.n = n; self.c = c; self.h = h; self.w = w; self.o = o; self.padding = padding
            ho = h + 2 * padding - 2
            wo = w + 2 * padding - 2
            ty = (ho + 1) / 2
            tx = (wo + 1) / 2
        }

        /// The forward tiling of `g`.
        init(_ g: ConvGeometry) { self.init(n: g.n, c: g.c, h: g.h, w: g.w, o: g.o, padding: g.padding) }

        /// The tiling of `g`'s input gradient: `dy` convolved back to the input's size.
        init(transposeOf g: ConvGeometry) {
            self.init(n: g.n, c: g.o, h: g.ho, w: g.wo, o: g.c, padding: 2 - g.padding)
        }
    }

    // MARK: - Passes

    /// `out = conv(x, w) + bias` for `g`. When `keepTransformedInput`, returns `V`
    /// (`[16, c, tiles]`) for the weight gradient.
    static func forward(_ g: ConvGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        out: UnsafeMutablePointer<Float>, keepTransformedInput: Bool) -> TensorStorage? {
        let t = Tiling(g)
        return BufferPool.withScratch(16 * t.o * t.c) { u in
            transformWeight(w, o: t.o, c: t.c, into: u)
            return convolve(t, x: x, u: u, bias: bias, out: out, keep: keepTransformedInput,
                            parts: ConvKernels.parts(g, items: g.n))
        }
    }

    /// `dx = conv_backward_input(dy, w)` for `g`: the forward of `dy` with the
    /// flipped, transposed kernel; `dx` is overwritten.
    static func backwardInput(_ g: ConvGeometry, dy: UnsafePointer<Float>, w: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        let t = Tiling(transposeOf: g)
        let count = g.o &* g.c &* 9
        BufferPool.withScratch(count + 16 * t.o * t.c) { scratch in
            let flipped = scratch, u = scratch + count
            // flipped[ci][oi][i][j] = w[oi][ci][2 - i][2 - j]
            for oi in 0..<g.o {
                for ci in 0..<g.c {
                    let s = w + (oi &* g.c &+ ci) &* 9, d = flipped + (ci &* g.o &+ oi) &* 9
                    for k in 0..<9 { d[k] = s[8 &- k] }
                }
            }
            transformWeight(flipped, o: t.o, c: t.c, into: u)
            _ = convolve(t, x: dy, u: u, bias: nil, out: dx, keep: false, parts: ConvKernels.parts(g, items: g.n))
        }
    }

    /// `dw = conv_backward_weight(x, dy)` for `g`; `dw` is overwritten. `transformedInput`,
    /// when given, is the forward pass's `V`.
    static func backwardWeight(_ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>,
                               transformedInput: TensorStorage?) {
        let t = Tiling(g)
        let tiles = t.count, o = t.o, c = t.c
        let imageParts = ConvKernels.parts(g, items: g.n), rowParts = ConvKernels.parts(g, items: o)
        let v = transformedInput ?? {
            let fresh = TensorStorage(uninitializedCount: 16 * c * tiles)
            IntraOpParallelism.forEachRange(of: g.n, parts: imageParts) { images in
                transformInput(t, x: x, images: images, into: fresh.base, stride: tiles, firstImage: 0)
            }
            return fresh
        }()
        let vb = UnsafePointer(v.base)
        // Each part owns output channels `rows`: it transforms their dY block by block of
        // images and accumulates the 16 products over the blocks (a fixed order).
        let per = t.perImage, blockImages = Swift.max(1, blockTiles / per)
        IntraOpParallelism.forEachRange(of: o, parts: rowParts) { rows in
            let width = Swift.min(blockImages, g.n) &* per, r = rows.count
            BufferPool.withScratch(16 * r * width + 16 * r * c) { scratch in
                let wt = scratch, du = scratch + 16 * r * width
                var start = 0
                while start < g.n {
                    let block = start..<Swift.min(start &+ blockImages, g.n)
                    transformOutputGradient(t, dy: dy, images: block, channels: rows, into: wt, stride: width)
                    for xi in 0..<16 {
                        BLAS.sgemm(transposeA: false, transposeB: true, m: r, n: c, k: block.count &* per,
                                   wt + xi &* r &* width, lda: width, vb + (xi &* c &* tiles &+ block.lowerBound &* per),
                                   ldb: tiles, beta: start == 0 ? 0 : 1, du + xi &* r &* c, ldc: c)
                    }
                    start = block.upperBound
                }
                inverseTransformWeightGradient(du, c: c, rows: rows, into: dw)
            }
        }
    }

    /// The forward through tiling `t` with transformed weights `u` (`[16, o, c]`),
    /// cut into `parts` image ranges.
    static func convolve(_ t: Tiling, x: UnsafePointer<Float>, u: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                         out: UnsafeMutablePointer<Float>, keep: Bool, parts: Int) -> TensorStorage? {
        let tiles = t.count, o = t.o, c = t.c, per = t.perImage
        let transformed = keep ? TensorStorage(uninitializedCount: 16 * c * tiles) : nil
        // Each part runs its images in blocks of about `blockTiles` tiles: transform, 16 GEMMs,
        // inverse transform, so a block's V and M are still in cache when they are read.
        let blockImages = Swift.max(1, blockTiles / per)
        // With AVX-512, the 16 tile GEMMs run on `ccv_sgemm_avx512`, which reads U and V in
        // place: OpenBLAS packed both and zeroed M first, about as long as its multiplying.
        let ownGEMM = VectorInstructions.inForce == .avx512
        IntraOpParallelism.forEachRange(of: t.n, parts: parts) { images in
            let width = Swift.min(blockImages, images.count) &* per
            // + 8: the output transform reads whole vectors past the last tile.
            BufferPool.withScratch(16 * o * width + 8 + (keep ? 0 : 16 * c * width)) { scratch in
                let m = scratch
                var start = images.lowerBound
                while start < images.upperBound {
                    let block = start..<Swift.min(start &+ blockImages, images.upperBound)
                    let count = block.count &* per
                    // V: the kept [16, c, tiles] (this block's columns), or the block's own scratch.
                    let (v, vStride, vFirst) = transformed.map { ($0.base, tiles, 0) }
                        ?? (scratch + (16 &* o &* width &+ 8), width, block.lowerBound)
                    transformInput(t, x: x, images: block, into: v, stride: vStride, firstImage: vFirst)
                    let column = (block.lowerBound &- vFirst) &* per
                    for xi in 0..<16 {
                        if ownGEMM {
                            ccv_sgemm_avx512(o, count, c, u + xi &* o &* c, c, v + (xi &* c &* vStride &+ column), vStride,
                                             m + xi &* o &* width, width)
                        } else {
                            BLAS.sgemm(transposeA: false, transposeB: false, m: o, n: count, k: c,
                                       u + xi &* o &* c, lda: c, v + (xi &* c &* vStride &+ column), ldb: vStride,
                                       m + xi &* o &* width, ldc: width)
                        }
                    }
                    transformOutput(t, m: m, stride: width, firstImage: block.lowerBound, bias: bias, images: block, into: out)
                    start = block.upperBound
                }
            }
        }
        return transformed
    }

    /// Tiles per block of images in the forward (V and M of a 64-channel block: 2 MB each).
    static let blockTiles = 512

    // MARK: - Transforms

    /// `U = G g Gᵀ` for every `[o, c]` 3x3 kernel of `w`, into `u` as `[16, o, c]`.
    static func transformWeight(_ w: UnsafePointer<Float>, o: Int, c: Int, into u: UnsafeMutablePointer<Float>) {
        let plane = o &* c
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 12) { buffer in
            let r = buffer.baseAddress!  // G g: 4 rows of 3
            for k in 0..<plane {
                let g = w + k &* 9
                for j in 0..<3 {
                    let g0 = g[j], g1 = g[3 &+ j], g2 = g[6 &+ j]
                    r[j] = g0
                    r[3 &+ j] = 0.5 * (g0 + g1 + g2)
                    r[6 &+ j] = 0.5 * (g0 - g1 + g2)
                    r[9 &+ j] = g2
                }
                // (G g) Gᵀ: 4 columns per row.
                for i in 0..<4 {
                    let a0 = r[3 &* i], a1 = r[3 &* i &+ 1], a2 = r[3 &* i &+ 2]
                    let d = u + ((i &* 4) &* plane &+ k)
                    d[0] = a0
                    d[plane] = 0.5 * (a0 + a1 + a2)
                    d[2 &* plane] = 0.5 * (a0 - a1 + a2)
                    d[3 &* plane] = a2
                }
            }
        }
    }

    /// `dw = Gᵀ dU G` for the output channels in `rows`, from `du` (`[16, rows.count, c]`) into `dw` (`[o, c, 3, 3]`).
    static func inverseTransformWeightGradient(_ du: UnsafePointer<Float>, c: Int, rows: Range<Int>,
                                               into dw: UnsafeMutablePointer<Float>) {
        let plane = rows.count &* c
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 12) { buffer in
            let q = buffer.baseAddress!  // dU G: 4 rows of 3
            for oi in rows {
                for ci in 0..<c {
                    let k = (oi &- rows.lowerBound) &* c &+ ci
                    // Gᵀ rows: (1, ½, ½, 0), (0, ½, −½, 0), (0, ½, ½, 1), applied to the columns, then the rows.
                    for i in 0..<4 {
                        let s = du + ((i &* 4) &* plane &+ k)
                        let d0 = s[0], d1 = s[plane], d2 = s[2 &* plane], d3 = s[3 &* plane]
                        q[3 &* i] = d0 + 0.5 * (d1 + d2)
                        q[3 &* i &+ 1] = 0.5 * (d1 - d2)
                        q[3 &* i &+ 2] = 0.5 * (d1 + d2) + d3
                    }
                    let out = dw + (oi &* c &+ ci) &* 9
                    for j in 0..<3 {
                        let d0 = q[j], d1 = q[3 &+ j], d2 = q[6 &+ j], d3 = q[9 &+ j]
                        out[j] = d0 + 0.5 * (d1 + d2)
                        out[3 &+ j] = 0.5 * (d1 - d2)
                        out[6 &+ j] = 0.5 * (d1 + d2) + d3
                    }
                }
            }
        }
    }

    // The tile transforms run on 8 tiles at once (`SIMD8`), over an image's
    // tiles in their flat order `row·tx + column`: a 14x14 plane has only 7
    // tiles a row, too few to vectorise along a row. Reads come from polyphase
    // copies of the plane, in which every tap of every tile sits at a fixed
    // offset from the tile's flat index.

    /// `V = Bᵀ d B` for every tile of the images in `images`, into `v` (`[16, c, tiles]`).
    /// `Bᵀ` rows: (1, 0, −1, 0), (0, 1, 1, 0), (0, −1, 1, 0), (0, 1, 0, −1).
    /// `v` has `stride` tiles a row, the first of image `firstImage` at column 0.
    static func transformInput(_ t: Tiling, x: UnsafePointer<Float>, images: Range<Int>, into v: UnsafeMutablePointer<Float>,
                               stride tiles: Int, firstImage: Int) {
        if VectorInstructions.inForce != nil {
            // The same sums in AVX2 registers (CConvKernels), with 256-bit phase splits and masked tail stores.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: ccv_winograd_input_scratch(t.ty, t.tx)) { scratch in
                ccv_winograd_input_avx2(x, t.c, t.h, t.w, t.padding, t.ty, t.tx, images.lowerBound, images.upperBound,
                                        firstImage, v, tiles, scratch.baseAddress!)
            }
            return
        }
        let hp = t.paddedHeight, wp = t.paddedWidth, per = t.perImage
        let (c, h, w, padding, ty, tx) = (t.c, t.h, t.w, t.padding, t.ty, t.tx)
        let plane = c &* tiles
        // phase(a, k) holds padded[2m + a][2l + k] at m·tx + l (m in 0...ty): the tap in row
        // 2·(tile row) + a (+2 for taps 2 and 3: offset tx) and column 2·(tile column) + k.
        let phaseCount = (ty &+ 1) &* tx &+ 8
        // + 32: the phase split reads 16-value vectors up to 18 values past a row's start.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: hp &* wp &+ 32 &+ 8 &* phaseCount) { buffer in
            let padded = buffer.baseAddress!, phases = padded + (hp &* wp &+ 32)
            buffer.initialize(repeating: 0)
            for ni in images {
                for ci in 0..<c {
                    let src = x + (ni &* c &+ ci) &* h &* w
                    for y in 0..<h {
                        let d = padded + ((y &+ padding) &* wp &+ padding), s = src + y &* w
                        for k in 0..<w { d[k] = s[k] }
                    }
                    // Even and odd columns of 16-value vectors; rows are written in order, so a
                    // store's lanes past a phase row land in the next row before it is written.
                    for a in 0..<2 {
                        for m in 0...ty {
                            let row = UnsafePointer(padded + (2 &* m &+ a) &* wp)
                            let d = phases + ((a &* 4) &* phaseCount &+ m &* tx)
                            var l = 0
                            while l < tx {
                                let lo = UnalignedSIMD.load16(row + 2 &* l), hi = UnalignedSIMD.load16(row + (2 &* l &+ 2))
                                UnalignedSIMD.store8(lo.evenHalf, d + l)
                                UnalignedSIMD.store8(lo.oddHalf, d + (phaseCount &+ l))
                                UnalignedSIMD.store8(hi.evenHalf, d + (2 &* phaseCount &+ l))
                                UnalignedSIMD.store8(hi.oddHalf, d + (3 &* phaseCount &+ l))
                                l &+= 8
                            }
                        }
                    }
                    let p = UnsafePointer(phases)
                    let out = v + (ci &* tiles &+ (ni &- firstImage) &* per)
                    var q = 0
                    while q < per {
                        let n = per &- q
                        // Column k of Bᵀ d: rows 0 and 2 from phase a = 0, rows 1 and 3 from a = 1.
                        @inline(__always) func column(_ k: Int) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
                            let e = p + (k &* phaseCount &+ q), o = p + ((4 &+ k) &* phaseCount &+ q)
                            let d0 = UnalignedSIMD.load8(e), d1 = UnalignedSIMD.load8(o), d2 = UnalignedSIMD.load8(e + tx), d3 = UnalignedSIMD.load8(o + tx)
                            return (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
                        }
                        let c0 = column(0), c1 = column(1), c2 = column(2), c3 = column(3)
                        @inline(__always) func row(_ i: Int, _ s0: SIMD8<Float>, _ s1: SIMD8<Float>, _ s2: SIMD8<Float>,
                                                   _ s3: SIMD8<Float>) {
                            let o0 = out + ((4 &* i) &* plane &+ q)
                            UnalignedSIMD.store8(s0 - s2, o0, count: n)
                            UnalignedSIMD.store8(s1 + s2, o0 + plane, count: n)
                            UnalignedSIMD.store8(s2 - s1, o0 + 2 &* plane, count: n)
                            UnalignedSIMD.store8(s1 - s3, o0 + 3 &* plane, count: n)
                        }
                        row(0, c0.0, c1.0, c2.0, c3.0)
                        row(1, c0.1, c1.1, c2.1, c3.1)
                        row(2, c0.2, c1.2, c2.2, c3.2)
                        row(3, c0.3, c1.3, c2.3, c3.3)
                        q &+= 8
                    }
                }
            }
        }
    }

    /// `Y = Aᵀ M A (+ bias)` for every tile of the images in `images`, from `m` (`[16, o, tiles]`,
    /// readable 8 values past its end) into `out` (NCHW), cropping the overhang of odd sizes.
    /// `Aᵀ` rows: (1, 1, 1, 0), (0, 1, −1, −1).
    /// `m` has `stride` tiles a row, the first of image `firstImage` at column 0.
    static func transformOutput(_ t: Tiling, m: UnsafePointer<Float>, stride tiles: Int, firstImage: Int,
                                bias: UnsafePointer<Float>?, images: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        let per = t.perImage
        let (o, ho, wo, tx) = (t.o, t.ho, t.wo, t.tx)
        let plane = o &* tiles
        let phaseCount = per &+ 8
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 4 &* phaseCount) { buffer in
            let phases = buffer.baseAddress!  // y[2r + a][2c + b] at phase (2a + b), index r·tx + c
            if VectorInstructions.inForce != nil {
                // The same sums in AVX2 registers (CConvKernels).
                ccv_winograd_output_avx2(m, o, tiles, per, tx, ho, wo, images.lowerBound, images.upperBound, firstImage,
                                         bias, out, phases)
                return
            }
            for ni in images {
                for oi in 0..<o {
                    let bv = SIMD8<Float>(repeating: bias?[oi] ?? 0)
                    let base = m + (oi &* tiles &+ (ni &- firstImage) &* per)
                    var q = 0
                    while q < per {
                        // Row i of Aᵀ M for column j, then Aᵀ M A.
                        @inline(__always) func column(_ j: Int) -> (SIMD8<Float>, SIMD8<Float>) {
                            let s = base + (j &* plane &+ q)
                            let m0 = UnalignedSIMD.load8(s), m1 = UnalignedSIMD.load8(s + 4 &* plane), m2 = UnalignedSIMD.load8(s + 8 &* plane), m3 = UnalignedSIMD.load8(s + 12 &* plane)
                            return (m0 + m1 + m2, m1 - m2 - m3)
                        }
                        let c0 = column(0), c1 = column(1), c2 = column(2), c3 = column(3)
                        let d = phases + q
                        UnalignedSIMD.store8(c0.0 + c1.0 + c2.0 + bv, d)
                        UnalignedSIMD.store8(c1.0 - c2.0 - c3.0 + bv, d + phaseCount)
                        UnalignedSIMD.store8(c0.1 + c1.1 + c2.1 + bv, d + 2 &* phaseCount)
                        UnalignedSIMD.store8(c1.1 - c2.1 - c3.1 + bv, d + 3 &* phaseCount)
                        q &+= 8
                    }
                    // Interleave the phases into rows, 16 values a store while the store stays inside
                    // the plane (lanes past a row's end are rewritten by the next row).
                    let dst = out + (ni &* o &+ oi) &* ho &* wo
                    let odd = wo / 2, size = ho &* wo
                    for y in 0..<ho {
                        let r = (y / 2) &* tx, a = y & 1
                        let even = UnsafePointer(phases + (2 &* a &* phaseCount &+ r)), oddSrc = even + phaseCount
                        let d = dst + y &* wo
                        var l = 0
                        while l < tx && y &* wo &+ 2 &* l &+ 16 <= size {
                            var v = SIMD16<Float>()
                            v.evenHalf = UnalignedSIMD.load8(even + l)
                            v.oddHalf = UnalignedSIMD.load8(oddSrc + l)
                            UnalignedSIMD.store16(v, d + 2 &* l)
                            l &+= 8
                        }
                        for col in Swift.min(l, tx)..<tx { d[2 &* col] = even[col] }
                        for col in Swift.min(l, odd)..<odd { d[2 &* col &+ 1] = oddSrc[col] }
                    }
                }
            }
        }
    }

    /// `W = A dY Aᵀ` for every tile of the images in `images` and the output channels in
    /// `channels` (outputs beyond the cropped size count as 0), from `dy` (NCHW) into `wt`
    /// (`[16, channels.count, stride]`, image `images.lowerBound` at column 0).
    /// `A` rows: (1, 0), (1, 1), (1, −1), (0, −1).
    static func transformOutputGradient(_ t: Tiling, dy: UnsafePointer<Float>, images: Range<Int>, channels: Range<Int>,
                                        into wt: UnsafeMutablePointer<Float>, stride tiles: Int) {
        let per = t.perImage
        let (o, ho, wo, tx) = (t.o, t.ho, t.wo, t.tx)
        let plane = channels.count &* tiles
        let phaseCount = per &+ 8
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 4 &* phaseCount) { buffer in
            let phases = buffer.baseAddress!  // dy[2r + a][2c + b] at phase (2a + b), index r·tx + c; 0 past the edges
            buffer.initialize(repeating: 0)
            let odd = wo / 2
            for ni in images {
                for oi in channels {
                    let src = dy + (ni &* o &+ oi) &* ho &* wo
                    for y in 0..<ho {
                        let r = (y / 2) &* tx, a = y & 1
                        let even = phases + (2 &* a &* phaseCount &+ r), oddDst = even + phaseCount
                        let s = src + y &* wo
                        for col in 0..<tx { even[col] = s[2 &* col] }
                        for col in 0..<odd { oddDst[col] = s[2 &* col &+ 1] }
                    }
                    let p = UnsafePointer(phases)
                    let base = wt + ((oi &- channels.lowerBound) &* tiles &+ (ni &- images.lowerBound) &* per)
                    var q = 0
                    while q < per {
                        let n = per &- q
                        let y00 = UnalignedSIMD.load8(p + q), y01 = UnalignedSIMD.load8(p + (phaseCount &+ q))
                        let y10 = UnalignedSIMD.load8(p + (2 &* phaseCount &+ q)), y11 = UnalignedSIMD.load8(p + (3 &* phaseCount &+ q))
                        // A dY: rows (u, l) per column; then each row times Aᵀ.
                        @inline(__always) func row(_ i: Int, _ u: SIMD8<Float>, _ l: SIMD8<Float>) {
                            let d = base + ((4 &* i) &* plane &+ q)
                            UnalignedSIMD.store8(u, d, count: n)
                            UnalignedSIMD.store8(u + l, d + plane, count: n)
                            UnalignedSIMD.store8(u - l, d + 2 &* plane, count: n)
                            UnalignedSIMD.store8(-l, d + 3 &* plane, count: n)
                        }
                        row(0, y00, y01)
                        row(1, y00 + y10, y01 + y11)
                        row(2, y00 - y10, y01 - y11)
                        row(3, -y10, -y11)
                        q &+= 8
                    }
                }
            }
        }
    }
}
