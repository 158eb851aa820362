// metalearn-h5-crashwriter: a separate process for the checkpoint crash-safety
// test (HDF5Tests/CrashSafetyTests). It writes a checkpoint with the real
// HDF5CheckpointStore:
//
//   metalearn-h5-crashwriter crash <checkpoint> <marker>
//       starts writing; halfway through the parameters it creates <marker>
//       and waits forever, so the test can SIGKILL it mid-write.
//   metalearn-h5-crashwriter complete <checkpoint>
//       writes the whole checkpoint and exits 0.
//
// The checkpoint has step 2 and 40 parameters "layer<i>/weight" of 64x256
// Float32 values, value j of parameter i being Float(i) + Float(j) / 65536.
import Foundation
import HDF5Storage
import MetaLearning

let arguments = CommandLine.arguments
guard arguments.count >= 3, ["crash", "complete"].contains(arguments[1]), arguments[1] == "complete" || arguments.count == 4 else {
    FileHandle.standardError.write(Data("usage: metalearn-h5-crashwriter crash <checkpoint> <marker> | complete <checkpoint>\n".utf8))
    exit(2)
}
let path = arguments[2]
let parameterCount = 40
let parameters = (0..<parameterCount).map { i in
    NamedArray(name: "layer\(i)/weight", shape: [64, 256], values: (0..<(64 * 256)).map { Float(i) + Float($0) / 65536 })
}
let checkpoint = Checkpoint(parameters: parameters, optimizerName: "sgd", optimizerState: [], step: 2,
                            rngState: [7, 8, 9, 10], configJSON: #"{"writer":"crashwriter"}"#,
                            metrics: MetricHistory(steps: [0, 1, 2], columns: ["loss": [3, 2, 1]]),
                            softwareVersion: "crashwriter")
var store = HDF5CheckpointStore()
if arguments[1] == "crash" {
    let marker = arguments[3]
    store.progress = { written, total in
        guard written == total / 2 else { return }
        FileManager.default.createFile(atPath: marker, contents: Data("\(getpid())\n".utf8))
        while true { sleep(60) }
    }
}
do {
    try store.writeCheckpoint(checkpoint, to: path)
} catch {
    FileHandle.standardError.write(Data("metalearn-h5-crashwriter: \(error)\n".utf8))
    exit(1)
}
