import CBLAS
import HDF5
import CPNG
import Foundation
import Testing

/// Proves the C libraries link and work from Swift: an HDF5 write/read round
/// trip (through the `HDF5` module over `CHDF5`), an OpenBLAS sgemm against a naive product, and libpng's version.
@Suite struct SystemLibrariesTests {
    /// libhdf5 through the `HDF5` module, which serialises every call into the
    /// library and keeps its error printing off; raw C calls here could race
    /// with the HDF5 tests running in parallel in the same process on a
    /// libhdf5 built without thread safety.
    @Test func hdf5RoundTrip() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("metalearn-syslib-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: path) }

        let values: [Float] = (0..<12).map { Float($0) * 0.5 - 1 }
        do {
            let file = try HDF5File.create(at: path)
            _ = try file.createDataset("x", values: values, shape: [3, 4])
            try file.close()
        }
        let file = try HDF5File.open(at: path)
        let dataset = try file.openDataset("x")
        #expect(dataset.shape == [3, 4])
        #expect(try dataset.read(Float.self) == values)
        try file.close()
        #expect(HDF5Library.version.hasPrefix("1."))
    }

    @Test(arguments: [(1, 1, 1), (3, 5, 7), (64, 27, 100), (17, 33, 9)])
    func sgemmMatchesNaiveProduct(m: Int, k: Int, n: Int) {
        var state: UInt32 = 12345
        func next() -> Float { state = state &* 1_664_525 &+ 1_013_904_223; return Float(state >> 8) / Float(1 << 24) - 0.5 }
        let a = (0..<(m * k)).map { _ in next() }
        let b = (0..<(k * n)).map { _ in next() }
        var c = [Float](repeating: 0, count: m * n)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    1, a, Int32(k), b, Int32(n), 0, &c, Int32(n))
        for i in 0..<m {
            for j in 0..<n {
                var s: Double = 0
                for p in 0..<k { s += Double(a[i * k + p]) * Double(b[p * n + j]) }
                #expect(abs(Double(c[i * n + j]) - s) <= 1e-5 * Double(k))
            }
        }
    }

    @Test func libpngVersionMatchesHeader() {
        let runtime = String(cString: png_get_libpng_ver(nil))
        let header = String(cString: ml_png_libpng_ver_string())
        #expect(runtime == header)
        #expect(runtime.hasPrefix("1."))
    }
}
