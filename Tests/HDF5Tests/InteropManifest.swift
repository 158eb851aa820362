import MetaLearning

/// The JSON files exchanged with the Python interop scripts (Tests/interop):
/// the full content of each file, in the scripts' key names.
struct InteropManifest: Codable {
    struct DatasetEntry: Codable {
        var file: String
        var name: String
        var channels: Int
        var height: Int
        var width: Int
        var pixels: [UInt8]
        var labels: [Int32]
        var classNames: [String]
        var splits: [String: [Int32]]
        var provenance: [String: String]
        var fingerprint: String

        enum CodingKeys: String, CodingKey {
            case file, name, channels, height, width, pixels, labels, splits, provenance, fingerprint
            case classNames = "class_names"
        }

        init(file: String, _ d: ImageDataset) {
            self.file = file
            name = d.name; channels = d.channels; height = d.height; width = d.width; pixels = d.pixels
            labels = d.labels; classNames = d.classNames; splits = d.splits; provenance = d.provenance
            fingerprint = d.fingerprint
        }

        var dataset: ImageDataset {
            ImageDataset(name: name, channels: channels, height: height, width: width, pixels: pixels, labels: labels,
                         classNames: classNames, splits: splits, provenance: provenance)
        }
    }

    struct EpisodeEntry: Codable {
        struct Item: Codable {
            var classes: [Int32]
            var supportIndices: [Int32]
            var supportLabels: [Int32]
            var queryIndices: [Int32]
            var queryLabels: [Int32]

            enum CodingKeys: String, CodingKey {
                case classes
                case supportIndices = "support_indices", supportLabels = "support_labels"
                case queryIndices = "query_indices", queryLabels = "query_labels"
            }
        }

        var file: String
        var datasetFingerprint: String
        var datasetName: String
        var split: String
        var ways: Int
        var shots: Int
        var queries: Int
        var seed: UInt64
        var episodes: [Item]

        init(file: String, _ s: EpisodeSet) {
            self.file = file
            datasetFingerprint = s.datasetFingerprint; datasetName = s.datasetName; split = s.split
            ways = s.ways; shots = s.shots; queries = s.queries; seed = s.seed
            episodes = s.episodes.map {
                Item(classes: $0.classes, supportIndices: $0.supportIndices, supportLabels: $0.supportLabels,
                     queryIndices: $0.queryIndices, queryLabels: $0.queryLabels)
            }
        }

        var episodeSet: EpisodeSet {
            EpisodeSet(datasetFingerprint: datasetFingerprint, datasetName: datasetName, split: split, ways: ways,
                       shots: shots, queries: queries, seed: seed,
                       episodes: episodes.map {
                           Episode(classes: $0.classes, supportIndices: $0.supportIndices, supportLabels: $0.supportLabels,
                                   queryIndices: $0.queryIndices, queryLabels: $0.queryLabels)
                       })
        }
    }

    struct CheckpointEntry: Codable {
        struct Array: Codable {
            var name: String
            var shape: [Int]
            var values: [Float]
        }
        struct Metrics: Codable {
            var steps: [Int]
            var columns: [String: [Double]]
        }

        var file: String
        var step: Int
        var softwareVersion: String
        var config: String
        var optimizer: String
        var optimizerScalars: [String: Double]
        var parameters: [Array]
        var optimizerState: [Array]
        var rngState: [UInt64]
        var metrics: Metrics

        enum CodingKeys: String, CodingKey {
            case file, step, softwareVersion, config, optimizer, parameters, metrics
            case optimizerScalars = "optimizer_scalars", optimizerState = "optimizer_state", rngState = "rng_state"
        }

        init(file: String, _ c: Checkpoint) {
            self.file = file
            step = c.step; softwareVersion = c.softwareVersion; config = c.configJSON; optimizer = c.optimizerName
            optimizerScalars = c.optimizerScalars
            parameters = c.parameters.map { Array(name: $0.name, shape: $0.shape, values: $0.values) }
            optimizerState = c.optimizerState.map { Array(name: $0.name, shape: $0.shape, values: $0.values) }
            rngState = c.rngState
            metrics = Metrics(steps: c.metrics.steps, columns: c.metrics.columns)
        }
    }

    var datasets: [DatasetEntry] = []
    var episodes: [EpisodeEntry] = []
    var checkpoints: [CheckpointEntry] = []
}

/// What `Tests/interop/torchmeta_fixture.py` records about the file it wrote.
struct TorchmetaExpectation: Codable {
    var hdf5: String
    var labelsDirectory: String
    var classNames: [String]
    var pixelSums: [Int]
    var firstPixels: [UInt8]
    var sha256: String
    var splits: [String: [String]]

    enum CodingKeys: String, CodingKey {
        case hdf5, sha256, splits
        case labelsDirectory = "labels_directory", classNames = "class_names", pixelSums = "pixel_sums"
        case firstPixels = "first_pixels"
    }
}
