import Foundation
import HDF5
import MetaLearning

/// Stores `Checkpoint`s as `metalearn.checkpoint` HDF5 files (schema:
/// docs/hdf5-format.md).
///
/// Writes are crash-safe: the checkpoint goes to a temporary file in the same
/// folder, which is flushed, fsync'ed and renamed over the old one, so a
/// writer killed at any moment leaves the previous checkpoint readable.
public struct HDF5CheckpointStore: CheckpointStore {
    /// Called while a checkpoint is written, after each parameter or
    /// optimizer-state array, with the number written so far and the total.
    public typealias Progress = @Sendable (_ written: Int, _ total: Int) -> Void

    /// Reports write progress (useful for large models); `nil` for none.
    public var progress: Progress?

    /// Creates a store.
    public init(progress: Progress? = nil) {
        self.progress = progress
    }

    /// Writes `checkpoint` to `location` atomically.
    public func writeCheckpoint(_ checkpoint: Checkpoint, to location: String) throws {
        let parameterNames = checkpoint.parameters.map(\.name)
        let stateNames = checkpoint.optimizerState.map(\.name)
        try ObjectNames.validate(parameterNames, what: "parameter", file: location, allowSlash: true)
        try ObjectNames.validate(stateNames, what: "optimizer state", file: location, allowSlash: true)
        let columnNames = checkpoint.metrics.columns.keys.sorted()
        try ObjectNames.validate(columnNames, what: "metric", file: location, allowSlash: true)
        let rows = checkpoint.metrics.steps.count
        if let bad = columnNames.first(where: { checkpoint.metrics.columns[$0]!.count != rows }) {
            throw HDF5StorageError.invalidInput(
                file: location, reason: "metric '\(bad)' has \(checkpoint.metrics.columns[bad]!.count) values for \(rows) steps")
        }
        guard Self.isJSON(checkpoint.configJSON) else {
            throw HDF5StorageError.invalidInput(file: location, reason: "the run configuration is not valid JSON")
        }
        let total = checkpoint.parameters.count + checkpoint.optimizerState.count
        try AtomicFileWriter.write(to: location) { file in
            try HDF5StorageError.translating {
                var written = 0
                let parameters = try file.createGroup("parameters")
                try parameters.setAttribute("names", parameterNames)
                for p in checkpoint.parameters {
                    try parameters.createDataset(p.name, values: p.values, shape: p.shape)
                    written += 1
                    progress?(written, total)
                }
                let optimizer = try file.createGroup("optimizer")
                try optimizer.setAttribute("name", checkpoint.optimizerName)
                try optimizer.setAttribute("names", stateNames)
                let state = try optimizer.createGroup("state")
                for s in checkpoint.optimizerState {
                    try state.createDataset(s.name, values: s.values, shape: s.shape)
                    written += 1
                    progress?(written, total)
                }
                let scalars = try optimizer.createGroup("scalars")
                for (key, value) in checkpoint.optimizerScalars.sorted(by: { $0.key < $1.key }) {
                    try scalars.setAttribute(key, value)
                }
                try file.createDataset("rng_state", values: checkpoint.rngState, shape: [checkpoint.rngState.count])
                let metrics = try file.createGroup("metrics")
                try metrics.setAttribute("names", columnNames)
                try metrics.createDataset("steps", values: checkpoint.metrics.steps.map { Int64($0) }, shape: [rows])
                let columns = try metrics.createGroup("columns")
                for name in columnNames {
                    try columns.createDataset(name, values: checkpoint.metrics.columns[name]!, shape: [rows])
                }
                try file.setAttribute("step", checkpoint.step)
                try file.setAttribute("config", checkpoint.configJSON)
                try file.setAttribute("softwareVersion", checkpoint.softwareVersion)
                // Written last: a file is recognisable only once it is complete.
                try file.setAttribute("format", MetaLearnFileKind.checkpoint.formatName)
                try file.setAttribute("formatVersion", MetaLearnFileKind.checkpoint.currentVersion)
            }
        }
    }

    /// Reads and checks the checkpoint at `location`.
    public func readCheckpoint(at location: String) throws -> Checkpoint {
        try SchemaReader.reading(location) { r in
            try r.checkFormat(.checkpoint)
            let root = r.file

            func arrays(in group: HDF5Group, listedIn holder: HDF5Object) throws -> [NamedArray] {
                try r.strings("names", on: holder).map { name in
                    let d = try r.dataset(name, in: group, type: .float32, ranks: Set(0...32))
                    let values = try HDF5StorageError.translating { try d.read(Float.self) }
                    return NamedArray(name: name, shape: d.shape, values: values)
                }
            }
            let parametersGroup = try r.group("parameters")
            let parameters = try arrays(in: parametersGroup, listedIn: parametersGroup)
            let optimizer = try r.group("optimizer")
            let optimizerState = try arrays(in: try r.group("state", in: optimizer), listedIn: optimizer)
            var scalars: [String: Double] = [:]
            if let group = try r.optionalGroup("scalars", in: optimizer) {
                for key in try HDF5StorageError.translating({ try group.attributeNames() }) {
                    scalars[key] = try r.double(key, on: group)
                }
            }
            let rng = try r.vector("rng_state", UInt64.self)

            let metricsGroup = try r.group("metrics")
            let steps = try r.vector("steps", Int64.self, in: metricsGroup).map { Int($0) }
            let columnsGroup = try r.group("columns", in: metricsGroup)
            var columns: [String: [Double]] = [:]
            for name in try r.strings("names", on: metricsGroup) {
                columns[name] = try r.vector(name, Double.self, in: columnsGroup, length: steps.count)
            }

            let config = try r.string("config", on: root)
            guard Self.isJSON(config) else {
                throw HDF5StorageError.invalidContent(file: location, object: "/@config", reason: "not valid JSON")
            }
            return Checkpoint(parameters: parameters, optimizerName: try r.string("name", on: optimizer),
                              optimizerState: optimizerState, optimizerScalars: scalars,
                              step: try r.integer("step", on: root), rngState: rng, configJSON: config,
                              metrics: MetricHistory(steps: steps, columns: columns),
                              softwareVersion: try r.string("softwareVersion", on: root))
        }
    }

    /// Whether `text` parses as JSON.
    static func isJSON(_ text: String) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) != nil
    }
}
