import Foundation
import HDF5
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// libhdf5 locks a file while it is open. A lock held for a moment (by a
/// child process between fork and exec, or by a process closing the file)
/// is waited out; a file really in use by another process is reported as
/// `.locked`, naming the file, and is left as it was.
///
/// The other process is util-linux's `flock`, which takes the same kind of
/// `flock(2)` lock libhdf5 takes.
@Suite struct FileLockTests {
    @Test func aLockHeldForAMomentIsWaitedOut() throws {
        let dir = TemporaryDirectory("lock")
        let path = try Self.fileWithData(in: dir)
        let holder = try Self.holdLock(on: path, seconds: "0.3")
        defer { holder.waitUntilExit() }
        let file = try HDF5File.open(at: path)
        #expect(try file.openDataset("v").read(Int32.self) == [1, 2, 3])
        try file.close()
    }

    @Test func aFileInUseByAnotherProcessIsReportedAsLocked() throws {
        let dir = TemporaryDirectory("lock")
        let path = try Self.fileWithData(in: dir)
        let holder = try Self.holdLock(on: path, seconds: "60")
        let started = ContinuousClock.now
        let error = #expect(throws: HDF5Error.self) { try HDF5File.open(at: path, mode: .readWrite) }
        #expect(error?.kind == .locked)
        #expect(error?.file == path)
        #expect(error?.description.contains("locked by another") == true, "\(String(describing: error))")
        #expect(ContinuousClock.now - started >= HDF5File.lockWait)
        let overwrite = #expect(throws: HDF5Error.self) { try HDF5File.create(at: path, overwrite: true) }
        #expect(overwrite?.kind == .locked)
        // Nothing of the file was touched.
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        #expect(try HDF5File.withFile(at: path) { try $0.openDataset("v").read(Int32.self) } == [1, 2, 3])
    }

    /// Writes a small file with one dataset `v` = [1, 2, 3].
    static func fileWithData(in dir: TemporaryDirectory) throws -> String {
        let path = dir.file("held.h5")
        let file = try HDF5File.create(at: path)
        try file.createDataset("v", values: [Int32(1), 2, 3], shape: [3])
        try file.close()
        return path
    }

    /// Starts `flock --no-fork -x <path> sleep <seconds>` and returns once it holds the lock.
    static func holdLock(on path: String, seconds: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        // --no-fork: `sleep` itself holds the lock, so killing it releases the lock.
        p.arguments = ["--no-fork", "-x", path, "sleep", seconds]
        try p.run()
        let probe = open(path, O_RDONLY | O_CLOEXEC)
        defer { close(probe) }
        let deadline = ContinuousClock.now + .seconds(30)
        // The lock is held once our own non-blocking attempt fails.
        while flock(probe, LOCK_SH | LOCK_NB) == 0 {
            flock(probe, LOCK_UN)
            guard ContinuousClock.now < deadline, p.isRunning else {
                throw HDF5Error(.io, file: path, object: nil, message: "flock never took the lock")
            }
            usleep(1_000)
        }
        return p
    }
}
