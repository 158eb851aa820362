#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A per-thread cache of freed element buffers, so that training loops, which
/// allocate the same sizes step after step, reuse memory instead of going back
/// to `malloc` (and, for large tensors, to fresh zero pages from the kernel).
///
/// Each thread owns its pool (thread-local storage); a buffer freed on a thread
/// goes to that thread's pool if that pool allocated it, and back to `malloc`
/// otherwise. Buffers are matched by exact element count; small
/// buffers (under `minimumCount` elements) bypass the pool. A pool keeps at most
/// `capacityBytes` cached; when a freed buffer does not fit, buffers of other
/// sizes are released first, so the cache follows the current working set. Nothing is shared between threads, so there is no locking.
public final class BufferPool {
    /// Buffers smaller than this (in elements) are not pooled.
    static let minimumCount = 1024
    /// The alignment of every pooled buffer, in bytes (a cache line).
    static let alignment = 64

    /// The most bytes a thread's pool keeps cached: a sixteenth of the
    /// machine's memory, between 256 MiB and 2 GiB (1.5 GiB on a 24 GiB machine).
    ///
    /// It has to hold a whole training step's activations: a 60-way ProtoNet
    /// episode (360 images) frees about 700 MB per step, in buffers of up to
    /// 160 MB. With a 256 MiB cap those went back to the kernel and came back
    /// as fresh zeroed pages every step, and 46% of the run was page faults
    /// and page clearing in the kernel.
    public static let capacityBytes: Int = {
        let share = Int(clamping: sysconf(Int32(_SC_PHYS_PAGES))) &* Int(clamping: sysconf(Int32(_SC_PAGESIZE))) / 16
        return Swift.min(Swift.max(share, 256 << 20), 2 << 30)
    }()

    private var buckets: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var cachedBytes = 0

    private init() {}

    deinit { releaseAll() }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { raw in
            guard let raw else { return }
            Unmanaged<BufferPool>.fromOpaque(raw).release()
        }
        precondition(status == 0, "BufferPool: pthread_key_create failed with status \(status)")
        return key
    }()

    /// The calling thread's pool.
    static var current: BufferPool {
        if let raw = pthread_getspecific(key) {
            return Unmanaged<BufferPool>.fromOpaque(raw).takeUnretainedValue()
        }
        let pool = BufferPool()
        pthread_setspecific(key, Unmanaged.passRetained(pool).toOpaque())
        return pool
    }

    /// A buffer of exactly `count` elements (uninitialised), reused when possible.
    ///
    /// A pooled buffer is preceded by a header (one alignment unit) naming the
    /// pool that allocated it. Only that pool caches it when it is freed: a
    /// buffer made on a worker and freed on another thread (a task's gradient,
    /// freed after the meta-batch is reduced) is of no use to the freeing
    /// thread, and caching it there would only grow that thread's pool toward
    /// its cap (it grew a MAML run to 5 GB before this rule).
    static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        let capacity = Swift.max(count, 1)
        if capacity < minimumCount { return UnsafeMutablePointer<Float>.allocate(capacity: capacity) }
        let pool = current
        if let reused = pool.take(capacity) { return reused }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: alignment + capacity * MemoryLayout<Float>.stride,
                                                   alignment: alignment)
        raw.storeBytes(of: pool.identity, as: UInt.self)
        return (raw + alignment).bindMemory(to: Float.self, capacity: capacity)
    }

    /// Returns a buffer obtained from `allocate(count)`.
    static func free(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        let capacity = Swift.max(count, 1)
        if capacity < minimumCount { pointer.deallocate(); return }
        let pool = current
        if owner(of: pointer) == pool.identity, pool.give(pointer, capacity) { return }
        release(pointer)
    }

    /// This pool's mark in the headers of the buffers it allocates.
    private var identity: UInt { UInt(bitPattern: Unmanaged.passUnretained(self).toOpaque()) }

    /// The identity of the pool that allocated a pooled buffer.
    private static func owner(of pointer: UnsafeMutablePointer<Float>) -> UInt {
        (UnsafeRawPointer(pointer) - alignment).load(as: UInt.self)
    }

    /// Gives a pooled buffer (header included) back to `malloc`.
    private static func release(_ pointer: UnsafeMutablePointer<Float>) {
        (UnsafeMutableRawPointer(pointer) - alignment).deallocate()
    }

    private func take(_ count: Int) -> UnsafeMutablePointer<Float>? {
        guard let pointer = buckets[count]?.popLast() else { return nil }
        cachedBytes -= count * MemoryLayout<Float>.stride
        return pointer
    }

    private func give(_ pointer: UnsafeMutablePointer<Float>, _ count: Int) -> Bool {
        let bytes = count * MemoryLayout<Float>.stride
        guard bytes <= Self.capacityBytes / 2 else { return false }
        // When full, drop other sizes' buffers (whole buckets) so the cache follows the working set.
        while cachedBytes + bytes > Self.capacityBytes, let victim = buckets.first(where: { $0.key != count }) {
            for p in victim.value { Self.release(p) }
            cachedBytes -= victim.key * MemoryLayout<Float>.stride * victim.value.count
            buckets[victim.key] = nil
        }
        guard cachedBytes + bytes <= Self.capacityBytes else { return false }
        buckets[count, default: []].append(pointer)
        cachedBytes += bytes
        return true
    }

    private func releaseAll() {
        for (_, list) in buckets { for p in list { Self.release(p) } }
        buckets = [:]
        cachedBytes = 0
    }

    /// Frees every buffer cached by the calling thread's pool (e.g. after a large
    /// evaluation, or before measuring memory).
    public static func releaseCachedBuffers() { current.releaseAll() }

    /// The bytes currently cached by the calling thread's pool.
    public static var cachedByteCount: Int { current.cachedBytes }

    /// Runs `body` with a scratch buffer of `count` elements from the pool.
    static func withScratch<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let p = allocate(count)
        defer { free(p, count: count) }
        return try body(p)
    }
}
