import CBLAS
import CHDF5
import CPNG
import Foundation
import Testing

/// Proves the C libraries link and work from Swift: an HDF5 write/read round
/// trip, an OpenBLAS sgemm against a naive product, and libpng's version.
@Suite struct SystemLibrariesTests {
    @Test func hdf5RoundTrip() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("metalearn-syslib-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: path) }

        let values: [Float] = (0..<12).map { Float($0) * 0.5 - 1 }
        let file = H5Fcreate(path, ml_h5f_acc_trunc(), ml_h5p_default(), ml_h5p_default())
        #expect(file >= 0)
        var dims: [hsize_t] = [3, 4]
        let space = H5Screate_simple(2, &dims, nil)
        let dset = H5Dcreate2(file, "x", ml_h5t_ieee_f32le(), space, ml_h5p_default(), ml_h5p_default(), ml_h5p_default())
        #expect(dset >= 0)
        #expect(values.withUnsafeBytes { H5Dwrite(dset, ml_h5t_native_float(), ml_h5s_all(), ml_h5s_all(), ml_h5p_default(), $0.baseAddress) } >= 0)
        H5Dclose(dset); H5Sclose(space); H5Fclose(file)

        let rfile = H5Fopen(path, ml_h5f_acc_rdonly(), ml_h5p_default())
        #expect(rfile >= 0)
        let rdset = H5Dopen2(rfile, "x", ml_h5p_default())
        let rspace = H5Dget_space(rdset)
        var rdims: [hsize_t] = [0, 0]
        #expect(H5Sget_simple_extent_dims(rspace, &rdims, nil) == 2)
        #expect(rdims == [3, 4])
        var back = [Float](repeating: .nan, count: 12)
        #expect(back.withUnsafeMutableBytes { H5Dread(rdset, ml_h5t_native_float(), ml_h5s_all(), ml_h5s_all(), ml_h5p_default(), $0.baseAddress) } >= 0)
        H5Sclose(rspace); H5Dclose(rdset); H5Fclose(rfile)
        #expect(back == values)
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
