import MetaLearning
import Testing

@Suite struct InMemoryStoreTests {
    @Test func episodeFingerprintMismatchIsRejected() throws {
        let store = InMemoryStore()
        let set = EpisodeSet(datasetFingerprint: "aa", datasetName: "x", split: "test", ways: 1, shots: 1,
                             queries: 1, seed: 1, episodes: [])
        try store.writeEpisodes(set, to: "e")
        #expect(try store.readEpisodes(at: "e", expectedFingerprint: "aa") == set)
        #expect(throws: InMemoryStoreError.self) { try store.readEpisodes(at: "e", expectedFingerprint: "bb") }
    }
}
