import CHDF5
import Synchronization

/// The single lock around libhdf5.
///
/// Debian's serial libhdf5 1.10 is not thread-safe: its id tables, error stack
/// and caches are process-global C state. So the lock that serialises every
/// call into it is process-wide too. It lives in an immutable `Sendable` class
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
        // Silence libhdf5's own printing to stderr: errors are read from the
        // stack with H5Ewalk2 and thrown as `HDF5Error` instead.
        H5Eset_auto2(ml_h5e_default(), nil, nil)
        session = Mutex(HDF5Session())
    }

    /// Runs `body` with exclusive access to libhdf5.
    func run<R: Sendable>(_ body: (inout HDF5Session) throws -> R) throws -> R {
        try session.withLock { (s: inout HDF5Session) throws -> R in try body(&s) }
    }

    /// Runs `body` with exclusive access to libhdf5, for code that cannot fail.
    @discardableResult
    func runUnchecked<R: Sendable>(_ body: (inout HDF5Session) -> R) -> R {
        session.withLock { (s: inout HDF5Session) -> R in body(&s) }
    }
}
