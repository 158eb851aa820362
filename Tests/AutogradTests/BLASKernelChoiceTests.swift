import Autograd
import Testing

/// The choice of OpenBLAS kernel set: which loaded choices are corrected, to what,
/// and that a user's `OPENBLAS_CORETYPE` is never overridden.
@Suite struct BLASKernelChoiceTests {
    @Test func olderSetsOnAnAVX512CPUBecomeSkylakeX() {
        for chosen in ["Prescott", "Core2", "Nehalem", "Sandybridge", "Haswell", "Zen", "prescott"] {
            #expect(BLASKernelChoice.better(than: chosen, cpu: .avx512) == "SkylakeX", "\(chosen)")
        }
        for chosen in ["SkylakeX", "Cooperlake", "SapphireRapids", "cooperlake"] {
            #expect(BLASKernelChoice.better(than: chosen, cpu: .avx512) == nil, "\(chosen)")
        }
    }

    @Test func preAVX2SetsOnAnAVX2CPUBecomeHaswellAndAVX2SetsStay() {
        for chosen in ["Prescott", "Penryn", "Sandybridge", "Bulldozer", "Excavator"] {
            #expect(BLASKernelChoice.better(than: chosen, cpu: .avx2) == "Haswell", "\(chosen)")
        }
        for chosen in ["Haswell", "Zen", "SkylakeX"] {
            #expect(BLASKernelChoice.better(than: chosen, cpu: .avx2) == nil, "\(chosen)")
        }
    }

    @Test func unknownNamesAndOldCPUsAreLeftAlone() {
        #expect(BLASKernelChoice.better(than: "Zen7", cpu: .avx512) == nil)
        #expect(BLASKernelChoice.better(than: "Prescott", cpu: nil) == nil)
    }

    @Test func aSetCoreTypeIsNeverOverridden() {
        for setting in ["", "Prescott", "Haswell"] {
            #expect(BLASKernelChoice.restartCoreType(coreTypeSetting: setting) == nil)
        }
        // Unset: exactly the table's answer for the library loaded in this process.
        #expect(BLASKernelChoice.restartCoreType(coreTypeSetting: nil)
                == BLASKernelChoice.better(than: BLASConfiguration.coreName, cpu: BLASKernelChoice.cpu))
    }

    @Test func summaryNamesTheLoadedKernels() {
        #expect(BLASKernelChoice.summary.hasPrefix("OpenBLAS"))
        #expect(BLASKernelChoice.summary.contains("\(BLASConfiguration.coreName) kernels"))
    }
}
