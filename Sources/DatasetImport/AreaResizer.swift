/// Exact area-averaging resize (the "box" or "area" filter: OpenCV's
/// `INTER_AREA` for downscaling), for any input and output sizes.
///
/// Each output pixel covers a rectangle of the input plane; its value is the
/// mean of the input pixels under that rectangle, each weighted by the area it
/// shares with it. For 105 -> 28 every output pixel covers 3.75 x 3.75 input
/// pixels: fully covered pixels count 1, the cut ones at the edges 0.75, 0.5
/// or 0.25 per axis.
///
/// The arithmetic is exact: coordinates are scaled so that all overlaps are
/// integers (an input pixel is `outputSize` units long, an output pixel
/// `inputSize` units), sums are taken in 64-bit integers, and the mean is
/// rounded half up once at the end. So a constant image stays constant, the
/// result does not depend on the machine, and a 90-degree rotation of a square
/// image commutes with the resize exactly.
///
/// For upscaling the same definition gives nearest-neighbour sampling with
/// area-weighted blending where an output pixel straddles two input pixels.
public struct AreaResizer: Sendable {
    /// Input plane size.
    public let inputWidth: Int, inputHeight: Int
    /// Output plane size.
    public let outputWidth: Int, outputHeight: Int
    private let columns: AxisWeights
    private let rows: AxisWeights

    /// A resizer from `inputWidth x inputHeight` to `outputWidth x outputHeight` (all positive).
    public init(inputWidth: Int, inputHeight: Int, outputWidth: Int, outputHeight: Int) {
        precondition(inputWidth > 0 && inputHeight > 0 && outputWidth > 0 && outputHeight > 0,
                     "AreaResizer: sizes must be positive")
        precondition(inputHeight <= Int(Int32.max) / 255, "AreaResizer: input too tall for 32-bit row sums")
        self.inputWidth = inputWidth
        self.inputHeight = inputHeight
        self.outputWidth = outputWidth
        self.outputHeight = outputHeight
        columns = AxisWeights(input: inputWidth, output: outputWidth)
        rows = AxisWeights(input: inputHeight, output: outputHeight)
    }

    /// Resizes one plane. Input sample `(y, x)` is read at
    /// `input[y * inputRowStride + x * pixelStride]` (so an interleaved
    /// channel can be read in place); the output plane is written densely,
    /// row-major, `outputHeight * outputWidth` bytes.
    public func resizePlane(_ input: UnsafeBufferPointer<UInt8>, pixelStride: Int = 1, inputRowStride: Int? = nil,
                            into output: UnsafeMutableBufferPointer<UInt8>) {
        let rowStride = inputRowStride ?? inputWidth &* pixelStride
        precondition(input.count >= (inputHeight - 1) * rowStride + (inputWidth - 1) * pixelStride + 1,
                     "AreaResizer: input buffer too small")
        precondition(output.count >= outputWidth * outputHeight, "AreaResizer: output buffer too small")
        let inW = inputWidth, inH = inputHeight, outW = outputWidth, outH = outputHeight
        let total = inW &* inH
        let half = total / 2
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: outH &* inW) { temp in
            // Vertical pass over whole input rows (contiguous, so it vectorises):
            // temp[r][x] = sum_y w(r, y) * input[y][x]  (at most 255 * inH).
            rows.starts.withUnsafeBufferPointer { rStart in
                rows.weights.withUnsafeBufferPointer { rWeight in
                    rows.offsets.withUnsafeBufferPointer { rOffset in
                        for r in 0..<outH {
                            let t = temp.baseAddress! + r &* inW
                            t.initialize(repeating: 0, count: inW)
                            var y = rStart[r]
                            for k in rOffset[r]..<rOffset[r &+ 1] {
                                let w = Int32(truncatingIfNeeded: rWeight[k])
                                let row = input.baseAddress! + y &* rowStride
                                if pixelStride == 1 {
                                    for x in 0..<inW { t[x] &+= w &* Int32(row[x]) }
                                } else {
                                    for x in 0..<inW { t[x] &+= w &* Int32(row[x &* pixelStride]) }
                                }
                                y &+= 1
                            }
                        }
                    }
                }
            }
            // Horizontal pass and rounding: output[r][j] = round(sum_i w(j, i) * temp[r][i] / total).
            columns.starts.withUnsafeBufferPointer { cStart in
                columns.weights.withUnsafeBufferPointer { cWeight in
                    columns.offsets.withUnsafeBufferPointer { cOffset in
                        for r in 0..<outH {
                            let t = temp.baseAddress! + r &* inW
                            let outBase = r &* outW
                            for j in 0..<outW {
                                var acc = 0
                                var i = cStart[j]
                                for k in cOffset[j]..<cOffset[j &+ 1] {
                                    acc &+= cWeight[k] &* Int(t[i])
                                    i &+= 1
                                }
                                output[outBase &+ j] = UInt8(truncatingIfNeeded: (acc &+ half) / total)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Resizes an interleaved image, returning its planes one after the other
    /// (`CHW` order, as `ImageDataset` stores pixels).
    public func resize(_ image: DecodedImage) -> [UInt8] {
        precondition(image.width == inputWidth && image.height == inputHeight, "AreaResizer: image size mismatch")
        let plane = outputWidth * outputHeight
        var out = [UInt8](repeating: 0, count: plane * image.channels)
        image.pixels.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                for c in 0..<image.channels {
                    resizePlane(UnsafeBufferPointer(rebasing: input[c...]), pixelStride: image.channels,
                                inputRowStride: inputWidth * image.channels,
                                into: UnsafeMutableBufferPointer(rebasing: output[(c * plane)..<((c + 1) * plane)]))
                }
            }
        }
        return out
    }
}

/// Integer overlap weights along one axis: output pixel `j` takes input
/// pixels `starts[j] ..< starts[j] + (offsets[j+1] - offsets[j])` with weights
/// `weights[offsets[j] ..< offsets[j+1]]`, which sum to `input`.
private struct AxisWeights: Sendable {
    var starts: [Int] = []
    var offsets: [Int] = [0]
    var weights: [Int] = []

    init(input: Int, output: Int) {
        for j in 0..<output {
            // Output pixel j spans [j*input, (j+1)*input); input pixel i spans [i*output, (i+1)*output).
            let lo = j * input, hi = (j + 1) * input
            let first = lo / output, last = (hi - 1) / output
            starts.append(first)
            for i in first...last {
                weights.append(min(hi, (i + 1) * output) - max(lo, i * output))
            }
            offsets.append(weights.count)
        }
    }
}
