import DatasetImport
import Testing

/// Rotations follow NumPy's `np.rot90` (counter-clockwise).
@Suite struct ImageRotationTests {
    @Test func matchesNumpyRot90() {
        // np.rot90([[1,2,3],[4,5,6]], k) for k = 0..3
        let m: [UInt8] = [1, 2, 3, 4, 5, 6]
        #expect(ImageRotation.rotate(m, channels: 1, height: 2, width: 3, quarterTurns: 0) == m)
        #expect(ImageRotation.rotate(m, channels: 1, height: 2, width: 3, quarterTurns: 1) == [3, 6, 2, 5, 1, 4])
        #expect(ImageRotation.rotate(m, channels: 1, height: 2, width: 3, quarterTurns: 2) == [6, 5, 4, 3, 2, 1])
        #expect(ImageRotation.rotate(m, channels: 1, height: 2, width: 3, quarterTurns: 3) == [4, 1, 5, 2, 6, 3])
        #expect(ImageRotation.rotate(m, channels: 1, height: 2, width: 3, quarterTurns: -1) == [4, 1, 5, 2, 6, 3])
    }

    @Test func fourQuarterTurnsAreTheIdentity() {
        let m = (0..<(2 * 5 * 5)).map { UInt8($0) }
        var r = m
        for _ in 0..<4 { r = ImageRotation.rotate(r, channels: 2, height: 5, width: 5, quarterTurns: 1) }
        #expect(r == m)
        #expect(ImageRotation.rotate(m, channels: 2, height: 5, width: 5, quarterTurns: 1) != m)
    }
}
