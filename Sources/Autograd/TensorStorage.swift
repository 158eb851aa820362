/// The immutable element buffer behind a `Tensor`.
///
/// Buffers come from (and return to) the calling thread's `BufferPool`.
/// A storage is written exactly once, by the kernel that creates it, before it
/// is wrapped in a `Tensor`; afterwards it is only read. That is what makes
/// sharing it between tensors (reshape is free) and between threads safe,
/// hence `@unchecked Sendable`.
final class TensorStorage: @unchecked Sendable {
    /// The first element. Valid for `count` elements (at least one slot is allocated).
    let base: UnsafeMutablePointer<Float>
    /// The number of elements.
    let count: Int

    /// Allocates `count` uninitialised elements; the creator must write all of them.
    init(uninitializedCount count: Int) {
        precondition(count >= 0, "TensorStorage: negative element count \(count)")
        self.count = count
        base = BufferPool.allocate(count)
    }

    /// Allocates `count` elements set to `value`.
    convenience init(count: Int, repeating value: Float) {
        self.init(uninitializedCount: count)
        base.initialize(repeating: value, count: count)
    }

    /// Copies `scalars` into a new storage.
    convenience init(_ scalars: [Float]) {
        self.init(uninitializedCount: scalars.count)
        scalars.withUnsafeBufferPointer { src in
            if let s = src.baseAddress { base.update(from: s, count: src.count) }
        }
    }

    deinit { BufferPool.free(base, count: count) }

    /// A read-only view of the elements.
    var buffer: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: base, count: count) }
    /// A writable view, only for the kernel that creates this storage.
    var mutableBuffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: base, count: count) }
}
