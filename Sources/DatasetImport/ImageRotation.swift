/// Rotations of images by multiples of 90 degrees, **counter-clockwise**, as
/// NumPy's `np.rot90(image, k)` and PIL's `Image.rotate(90 * k)` do (the
/// convention of the Vinyals et al. Omniglot split, `rot090` = 90 degrees
/// counter-clockwise).
///
/// For `k = 1` the top-right corner moves to the top-left:
/// `out[i][j] = in[j][W - 1 - i]`, and the `H x W` input becomes `W x H`.
public enum ImageRotation {
    /// Rotates one row-major `height x width` plane by `quarterTurns * 90`
    /// degrees counter-clockwise into `output` (same count; the result is
    /// `width x height` for odd `quarterTurns`).
    public static func rotatePlane(_ input: UnsafeBufferPointer<UInt8>, height: Int, width: Int, quarterTurns: Int,
                                   into output: UnsafeMutableBufferPointer<UInt8>) {
        precondition(input.count >= height * width && output.count >= height * width,
                     "ImageRotation: buffers smaller than the plane")
        let k = ((quarterTurns % 4) + 4) % 4
        let h = height, w = width
        switch k {
        case 0:
            for p in 0..<(h &* w) { output[p] = input[p] }
        case 1:  // out is w x h: out[i][j] = in[j][w-1-i]
            for i in 0..<w {
                for j in 0..<h { output[i &* h &+ j] = input[j &* w &+ (w &- 1 &- i)] }
            }
        case 2:  // out is h x w: out[i][j] = in[h-1-i][w-1-j]
            for i in 0..<h {
                for j in 0..<w { output[i &* w &+ j] = input[(h &- 1 &- i) &* w &+ (w &- 1 &- j)] }
            }
        default:  // k == 3, out is w x h: out[i][j] = in[h-1-j][i]
            for i in 0..<w {
                for j in 0..<h { output[i &* h &+ j] = input[(h &- 1 &- j) &* w &+ i] }
            }
        }
    }

    /// Rotates a `channels x height x width` image (planes one after the
    /// other) by `quarterTurns * 90` degrees counter-clockwise.
    public static func rotate(_ pixels: [UInt8], channels: Int, height: Int, width: Int, quarterTurns: Int) -> [UInt8] {
        precondition(pixels.count == channels * height * width, "ImageRotation: pixel count does not match the shape")
        let plane = height * width
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                for c in 0..<channels {
                    rotatePlane(UnsafeBufferPointer(rebasing: input[(c * plane)..<((c + 1) * plane)]),
                                height: height, width: width, quarterTurns: quarterTurns,
                                into: UnsafeMutableBufferPointer(rebasing: output[(c * plane)..<((c + 1) * plane)]))
                }
            }
        }
        return out
    }
}
