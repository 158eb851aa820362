import CPNG
import DatasetImport
import Foundation
import Testing

/// PNG decoding of every colour type and bit depth, from PNGs made in the test.
@Suite struct PNGDecoderTests {
    let gray = PNGDecoder(format: .grayscale)
    let rgb = PNGDecoder(format: .rgb)

    @Test func oneBitGrayBecomesZeroAnd255() throws {
        let width = 11, height = 3  // odd width: rows end in a partly used byte
        let samples = (0..<(width * height)).map { ($0 * 7 + $0 / 5) % 2 }
        let rows = (0..<height).map { TestFixtures.packRow(Array(samples[($0 * width)..<(($0 + 1) * width)]), bitDepth: 1) }
        let png = TestFixtures.encodePNG(width: width, height: height, bitDepth: 1, colorType: 0, rows: rows)
        let image = try gray.decode(Data(png), file: "one-bit.png")
        #expect(image.width == width && image.height == height && image.channels == 1)
        #expect(image.pixels == samples.map { $0 == 1 ? 255 : 0 })
    }

    @Test(arguments: [2, 4])
    func lowBitDepthGrayScalesToFullRange(bitDepth: Int) throws {
        let maxValue = (1 << bitDepth) - 1
        let samples = (0..<10).map { $0 % (maxValue + 1) }
        let png = TestFixtures.encodePNG(width: 10, height: 1, bitDepth: bitDepth, colorType: 0,
                                         rows: [TestFixtures.packRow(samples, bitDepth: bitDepth)])
        let image = try gray.decode(Data(png), file: "low.png")
        #expect(image.pixels == samples.map { UInt8($0 * 255 / maxValue) })
    }

    @Test func sixteenBitGrayIsReducedMonotonically() throws {
        let samples = [0, 1000, 20000, 40000, 65535]
        let png = TestFixtures.encodePNG(width: 5, height: 1, bitDepth: 16, colorType: 0,
                                         rows: [TestFixtures.packRow(samples, bitDepth: 16)])
        let image = try gray.decode(Data(png), file: "deep.png")
        #expect(image.pixels.first == 0 && image.pixels.last == 255)
        #expect(zip(image.pixels, image.pixels.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func eightBitGrayRoundTripsThroughLibpng() throws {
        let pixels = (0..<(13 * 7)).map { UInt8(($0 * 37) % 256) }
        let png = try #require(TestFixtures.libpngPNG(width: 13, height: 7, format: UInt32(PNG_FORMAT_GRAY), pixels: pixels))
        let image = try gray.decode(Data(png), file: "gray.png")
        #expect(image.pixels == pixels)
        // As RGB, each gray value is repeated on the three channels.
        let asRGB = try rgb.decode(Data(png), file: "gray.png")
        #expect(asRGB.channels == 3 && asRGB.pixels == pixels.flatMap { [$0, $0, $0] })
    }

    @Test func grayAlphaIsCompositedOverTheBackground() throws {
        // (value, alpha): opaque keeps the value, transparent becomes the background.
        let pixels: [UInt8] = [10, 255, 200, 255, 10, 0, 90, 0]
        let png = try #require(TestFixtures.libpngPNG(width: 4, height: 1, format: UInt32(PNG_FORMAT_GA), pixels: pixels))
        #expect(try PNGDecoder(format: .grayscale, background: 255).decode(Data(png), file: "ga.png").pixels == [10, 200, 255, 255])
        #expect(try PNGDecoder(format: .grayscale, background: 0).decode(Data(png), file: "ga.png").pixels == [10, 200, 0, 0])
    }

    @Test func rgbAndRGBA() throws {
        let pixels: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 120, 120, 120]
        let png = try #require(TestFixtures.libpngPNG(width: 2, height: 2, format: UInt32(PNG_FORMAT_RGB), pixels: pixels))
        #expect(try rgb.decode(Data(png), file: "rgb.png").pixels == pixels)
        // To grayscale: a gray colour stays (within rounding); green is brighter than red, red than blue.
        let g = try gray.decode(Data(png), file: "rgb.png").pixels
        #expect(abs(Int(g[3]) - 120) <= 1)
        #expect(g[1] > g[0] && g[0] > g[2])

        let rgba: [UInt8] = [255, 0, 0, 255, 0, 255, 0, 0]
        let png2 = try #require(TestFixtures.libpngPNG(width: 2, height: 1, format: UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA), pixels: rgba))
        #expect(try PNGDecoder(format: .rgb, background: 255).decode(Data(png2), file: "rgba.png").pixels
                == [255, 0, 0, 255, 255, 255])
    }

    @Test func paletteImages() throws {
        // 2-bit palette with a transparent entry 3.
        let palette: [UInt8] = [0, 0, 0, 255, 255, 255, 200, 100, 50, 9, 9, 9]
        let indices = [0, 1, 2, 3, 2, 1]
        let png = TestFixtures.encodePNG(width: 6, height: 1, bitDepth: 2, colorType: 3,
                                         rows: [TestFixtures.packRow(indices, bitDepth: 2)],
                                         palette: palette, transparency: [255, 255, 255, 0])
        let decoded = try PNGDecoder(format: .rgb, background: 77).decode(Data(png), file: "palette.png")
        let expected: [[UInt8]] = [[0, 0, 0], [255, 255, 255], [200, 100, 50], [77, 77, 77], [200, 100, 50], [255, 255, 255]]
        #expect(decoded.pixels == expected.flatMap { $0 })
        let asGray = try PNGDecoder(format: .grayscale, background: 77).decode(Data(png), file: "palette.png").pixels
        #expect(asGray[0] == 0 && asGray[1] == 255 && asGray[3] == 77)
    }

    @Test func malformedFilesGiveTypedErrorsNamingTheFile() throws {
        let good = TestFixtures.grayPNG(width: 20, height: 20, pixels: [UInt8](repeating: 128, count: 400))
        #expect(try gray.decode(Data(good), file: "good.png").pixels.allSatisfy { $0 == 128 })
        var badCRC = good
        badCRC[29] ^= 0xFF  // inside the IHDR chunk's CRC
        var badData = good
        badData[good.count - 20] ^= 0x55  // inside the IDAT data or its checksum
        let cases: [(String, [UInt8])] = [
            ("empty.png", []),
            ("text.png", Array("definitely not an image".utf8)),
            ("signature-only.png", Array(good.prefix(8))),
            ("truncated.png", Array(good.prefix(good.count / 2))),
            ("no-iend.png", Array(good.prefix(good.count - 12))),
            ("bad-crc.png", badCRC),
            ("bad-data.png", badData),
        ]
        for (name, bytes) in cases {
            do {
                _ = try gray.decode(Data(bytes), file: "/data/\(name)")
                // libpng may accept a missing IEND; every other case must fail.
                #expect(name == "no-iend.png", "\(name) decoded without an error")
            } catch let error as DatasetImportError {
                guard case let .invalidImage(file, reason) = error else {
                    Issue.record("\(name): wrong error \(error)"); continue
                }
                #expect(file == "/data/\(name)")
                #expect(!reason.isEmpty)
                #expect(error.description.contains("/data/\(name)"))
            }
        }
    }

    @Test func hugeDimensionsAreRejectedBeforeAllocation() throws {
        let png = TestFixtures.encodePNG(width: 4, height: 1, bitDepth: 8, colorType: 0, rows: [[1, 2, 3, 4]])
        #expect(throws: DatasetImportError.self) {
            try PNGDecoder(format: .grayscale, maxPixelCount: 3).decode(Data(png), file: "big.png")
        }
    }
}
