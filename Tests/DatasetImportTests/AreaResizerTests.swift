import DatasetImport
import Testing

/// Exact area averaging against hand-computed results, and its invariants.
@Suite struct AreaResizerTests {
    func resize(_ input: [UInt8], _ inW: Int, _ inH: Int, _ outW: Int, _ outH: Int) -> [UInt8] {
        AreaResizer(inputWidth: inW, inputHeight: inH, outputWidth: outW, outputHeight: outH)
            .resize(DecodedImage(width: inW, height: inH, channels: 1, pixels: input))
    }

    /// A deterministic pseudo-random image.
    func noise(_ count: Int, seed: UInt32) -> [UInt8] {
        var s = seed
        return (0..<count).map { _ in s = s &* 1_664_525 &+ 1_013_904_223; return UInt8(s >> 24) }
    }

    @Test func threeToTwoByHand() {
        // Output pixel (0,0) covers input [0,1.5) x [0,1.5): weights 1, 1/2, 1/2, 1/4 over 2.25 pixels.
        // (4*10 + 2*20 + 2*40 + 50) / 9 = 23.3 -> 23;  (2*20 + 4*30 + 50 + 2*60) / 9 = 36.7 -> 37
        // (2*40 + 50 + 4*70 + 2*80) / 9 = 63.3 -> 63;  (50 + 2*60 + 2*80 + 4*90) / 9 = 76.7 -> 77
        #expect(resize([10, 20, 30, 40, 50, 60, 70, 80, 90], 3, 3, 2, 2) == [23, 37, 63, 77])
    }

    @Test func oneHundredFiveToTwentyEightByHand() {
        // Input pixel (3,3) spans [3, 4) on each axis; output pixel 0 spans [0, 3.75), pixel 1 [3.75, 7.5).
        // So the pixel's area splits 0.75 / 0.25 per axis: 255 * 0.75^2 / 3.75^2 = 10.2 -> 10,
        // 255 * 0.75 * 0.25 / 14.0625 = 3.4 -> 3, 255 * 0.25^2 / 14.0625 = 1.13 -> 1.
        var input = [UInt8](repeating: 0, count: 105 * 105)
        input[3 * 105 + 3] = 255
        let out = resize(input, 105, 105, 28, 28)
        var expected = [UInt8](repeating: 0, count: 28 * 28)
        expected[0] = 10; expected[1] = 3; expected[28] = 3; expected[29] = 1
        #expect(out == expected)
    }

    @Test func integerFactorIsTheBlockMeanRoundedHalfUp() {
        // 4x4 -> 2x2: means 2.5, 6.5, 10.5 and 14.5 of the 2x2 blocks round up.
        let input: [UInt8] = [1, 2, 5, 6, 3, 4, 7, 8, 9, 10, 13, 14, 11, 12, 15, 16]
        #expect(resize(input, 4, 4, 2, 2) == [3, 7, 11, 15])
    }

    @Test(arguments: [(105, 105, 28, 28), (7, 5, 3, 2), (3, 3, 7, 7), (28, 28, 28, 28), (10, 10, 1, 1), (64, 48, 20, 33)])
    func constantImagesStayConstant(inW: Int, inH: Int, outW: Int, outH: Int) {
        for value: UInt8 in [0, 1, 128, 254, 255] {
            let out = resize([UInt8](repeating: value, count: inW * inH), inW, inH, outW, outH)
            #expect(out.count == outW * outH)
            #expect(out.allSatisfy { $0 == value })
        }
    }

    @Test func sameSizeIsTheIdentityAndMassIsPreserved() {
        let input = noise(105 * 105, seed: 3)
        #expect(resize(input, 105, 105, 105, 105) == input)
        // Each output pixel is a mean over 3.75^2 input pixels, so the totals agree to within rounding.
        let out = resize(input, 105, 105, 28, 28)
        let inMean = Double(input.reduce(0) { $0 + Int($1) }) / Double(input.count)
        let outMean = Double(out.reduce(0) { $0 + Int($1) }) / Double(out.count)
        #expect(abs(inMean - outMean) <= 0.5)
    }

    @Test func ninetyDegreeRotationCommutesWithTheResize() {
        let input = noise(105 * 105, seed: 11)
        let resizer = AreaResizer(inputWidth: 105, inputHeight: 105, outputWidth: 28, outputHeight: 28)
        for k in 1...3 {
            let rotatedFirst = resizer.resize(DecodedImage(
                width: 105, height: 105, channels: 1,
                pixels: ImageRotation.rotate(input, channels: 1, height: 105, width: 105, quarterTurns: k)))
            let resizedFirst = ImageRotation.rotate(resizer.resize(DecodedImage(width: 105, height: 105, channels: 1, pixels: input)),
                                                    channels: 1, height: 28, width: 28, quarterTurns: k)
            #expect(rotatedFirst == resizedFirst, "k = \(k)")
        }
    }

    @Test func interleavedChannelsBecomePlanes() {
        // 2x2 RGB, each channel constant within the image but different across channels.
        let image = DecodedImage(width: 2, height: 2, channels: 3, pixels: [10, 20, 30, 10, 20, 30, 10, 20, 30, 10, 20, 30])
        let out = AreaResizer(inputWidth: 2, inputHeight: 2, outputWidth: 1, outputHeight: 1).resize(image)
        #expect(out == [10, 20, 30])
        let big = AreaResizer(inputWidth: 2, inputHeight: 2, outputWidth: 2, outputHeight: 2).resize(image)
        #expect(big == [10, 10, 10, 10, 20, 20, 20, 20, 30, 30, 30, 30])
    }
}
