import HDF5
import Testing

@Suite struct HDF5LibraryTests {
    @Test func linkedLibraryIsVersion1() { #expect(HDF5Library.version.hasPrefix("1.")) }
    @Test func gzipIsAvailable() { #expect(HDF5Library.hasGzip) }
}
