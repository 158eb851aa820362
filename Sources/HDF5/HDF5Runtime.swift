import CHDF5
import Synchronization

/// The single lock around libhdf5.
///
/// libhdf5 is only thread-safe when built so (Debian's serial 1.10 is, other
/// builds are not), and even then it serialises every call behind one global
/// lock of its own. So this wrapper serialises every call itself, which works
/// with either build. In a thread-safe build the error stack is per thread,
/// so automatic printing of errors is switched off on each call's thread. It lives in an immutable `Sendable` class
/// reached through a `static let` (initialised once, thread-safely, by the
/// Swift runtime); everything mutable sits inside the `Mutex`.
///
/// All C calls of this module are methods of `HDF5Session`, which can only be
/// reached inside `run`, so no call can bypass the lock. Handle objects
/// (`HDF5Handle`) are never created or released inside `run`, because their
/// `deinit` takes the lock again (the `Mutex` is not recursive).
final class HDF5Runtime: Sendable {
    /// The process's one runtime.
    static let shared = HDF5Runtime()

    private let session: Mutex<HDF5Session>

    private init() {
        H5open()
        session = Mutex(HDF5Session())
    }

    /// Runs `body` with exclusive access to libhdf5.
    func run<R: Sendable>(_ body: (inout HDF5Session) throws -> R) throws -> R {
        try session.withLock { (s: inout HDF5Session) throws -> R in
            Self.silenceErrorPrinting()
            return try body(&s)
        }
    }

    /// Runs `body` with exclusive access to libhdf5, for code that cannot fail.
    @discardableResult
    func runUnchecked<R: Sendable>(_ body: (inout HDF5Session) -> R) -> R {
        session.withLock { (s: inout HDF5Session) -> R in
            Self.silenceErrorPrinting()
            return body(&s)
        }
    }

    /// Switches off libhdf5's printing of errors to stderr for the calling
    /// thread's error stack: errors are read from the stack with H5Ewalk2 and
    /// thrown as `HDF5Error` instead. (A few pointer stores; libhdf5 keeps
    /// the setting per thread, and threads come and go in a task pool.)
    private static func silenceErrorPrinting() {
        H5Eset_auto2(ml_h5e_default(), nil, nil)
    }
}
