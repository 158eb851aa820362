import MetaLearning
import Testing

@Suite struct ImageDatasetTests {
    func tiny() -> ImageDataset {
        ImageDataset(name: "tiny", channels: 1, height: 2, width: 2, pixels: Array(0..<12),
                     labels: [0, 1, 1], classNames: ["a", "b"], splits: ["train": [0, 1]])
    }

    @Test func validDatasetValidates() throws { try tiny().validate() }

    @Test func wrongPixelCountIsRejected() {
        var d = tiny(); d.pixels.removeLast()
        #expect(throws: DatasetValidationError.self) { try d.validate() }
    }

    @Test func labelOutOfRangeIsRejected() {
        var d = tiny(); d.labels[0] = 2
        #expect(throws: DatasetValidationError.self) { try d.validate() }
    }

    @Test func fingerprintChangesWithContent() {
        var d = tiny()
        let f = d.fingerprint
        #expect(f.count == 16)
        #expect(f == tiny().fingerprint)
        d.pixels[3] ^= 1
        #expect(d.fingerprint != f)
    }

    @Test func metricHistoryBackfillsNewColumns() {
        var h = MetricHistory()
        h.append(step: 1, ["loss": 2])
        h.append(step: 2, ["loss": 1, "acc": 0.5])
        #expect(h.steps == [1, 2])
        #expect(h.columns["loss"] == [2, 1])
        #expect(h.columns["acc"]![0].isNaN && h.columns["acc"]![1] == 0.5)
    }
}
