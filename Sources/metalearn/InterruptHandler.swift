import Dispatch
import Foundation
import MetaLearning

/// Turns Ctrl-C (SIGINT) and SIGTERM into a ``CancellationFlag`` that long
/// work checks between steps: training stops at a step boundary after writing
/// its checkpoint, so the last checkpoint on disk is always valid. A second
/// Ctrl-C exits at once; even then the checkpoint on disk stays valid, because
/// checkpoint stores write a temporary file and rename it into place.
///
/// The handler runs on a dispatch queue (not in signal context), so it may
/// log and allocate freely.
final class InterruptHandler: @unchecked Sendable {
    /// Set on the first signal.
    let flag = CancellationFlag()
    // Immutable after init; DispatchSource objects are thread-safe.
    private let sources: [any DispatchSourceSignal]

    /// Installs the handlers; `message` is printed on the first signal.
    init(message: String = "interrupt: finishing the current step and saving; press Ctrl-C again to stop at once") {
        var sources: [any DispatchSourceSignal] = []
        let flag = self.flag
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global(qos: .userInitiated))
            source.setEventHandler {
                if flag.isCancelled {
                    Console.writeError("interrupt: stopping now")
                    _exit(130)
                }
                flag.cancel()
                Console.writeError(message)
            }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    /// Removes the handlers and restores the default signal actions.
    func uninstall() {
        for s in sources { s.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
