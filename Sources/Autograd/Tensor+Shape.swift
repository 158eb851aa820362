// Shape manipulation: reshape, permute, broadcast, slice, concat, gather, one-hot.

extension Tensor {
    /// The same elements with a new shape of equal element count; one dimension may be -1 (inferred).
    /// Free: the storage is shared.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var target = newShape
        let unknown = newShape.indices.filter { newShape[$0] == -1 }
        precondition(unknown.count <= 1, "Tensor.reshaped: more than one -1 in \(newShape)")
        if let u = unknown.first {
            let known = newShape.enumerated().filter { $0.offset != u }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && count % known == 0,
                         "Tensor.reshaped: cannot infer -1 in \(newShape) for \(count) elements (shape \(shape))")
            target[u] = count / known
        }
        precondition(target.allSatisfy { $0 >= 0 } && Shape.count(target) == count,
                     "Tensor.reshaped: \(shape) (\(count) elements) cannot become \(newShape)")
        if target == shape { return self }
        let inShape = shape
        return Tensor.result("reshape", storage, shape: target, inputs: [self], record: Tensor.shouldRecord(self),
                             backward: { ctx in [ctx.grad.reshaped(inShape)] })
    }

    /// Collapses the dimensions from `axis` on into one: `[N, C, H, W].flattened()` is `[N, C·H·W]`.
    public func flattened(from axis: Int = 1) -> Tensor {
        precondition(axis >= 0 && axis <= rank, "Tensor.flattened: axis \(axis) out of range for rank \(rank)")
        return reshaped(Array(shape[..<axis]) + [Shape.count(Array(shape[axis...]))])
    }

    /// The transpose of a matrix.
    public func transposed() -> Tensor {
        precondition(rank == 2, "Tensor.transposed: expects a 2-D tensor, got shape \(shape)")
        return permuted([1, 0])
    }

    /// Reorders dimensions: result dimension `i` is this tensor's dimension `axes[i]`.
    public func permuted(_ axes: [Int]) -> Tensor {
        precondition(axes.count == rank && Set(axes) == Set(0..<rank),
                     "Tensor.permuted: \(axes) is not a permutation of 0..<\(rank)")
        if axes == Array(0..<rank) { return self }
        let strides = Shape.strides(shape)
        let outShape = axes.map { shape[$0] }
        let out = TensorStorage(uninitializedCount: count)
        Kernels.stridedCopy(shape: outShape, storage.base, axes.map { strides[$0] }, out.base)
        var inverseAxes = [Int](repeating: 0, count: rank)
        for (i, a) in axes.enumerated() { inverseAxes[a] = i }
        let inverse = inverseAxes
        return Tensor.result("permute", out, shape: outShape, inputs: [self], record: Tensor.shouldRecord(self),
                             backward: { ctx in [ctx.grad.permuted(inverse)] })
    }

    /// This tensor broadcast (numpy rules) to `target`, materialised.
    public func broadcasted(to target: [Int]) -> Tensor {
        if shape == target { return self }
        let strides = Shape.broadcastStrides(shape, to: target)
        let out = TensorStorage(uninitializedCount: Shape.count(target))
        Kernels.stridedCopy(shape: target, storage.base, strides, out.base)
        let inShape = shape
        return Tensor.result("broadcast", out, shape: target, inputs: [self], record: Tensor.shouldRecord(self),
                             backward: { ctx in [ctx.grad.summed(toShape: inShape)] })
    }

    /// Sums over the dimensions along which `target` was broadcast to this shape (the adjoint of `broadcasted(to:)`).
    public func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        precondition(target.count <= rank, "Tensor.summed(toShape:): \(target) has higher rank than \(shape)")
        let padded = [Int](repeating: 1, count: rank - target.count) + target
        let keep = Shape.strides(padded)
        var outStrides = [Int](repeating: 0, count: rank)
        for i in 0..<rank {
            if padded[i] == shape[i] { outStrides[i] = padded[i] == 1 ? 0 : keep[i] } else {
                precondition(padded[i] == 1, "Tensor.summed(toShape:): \(shape) does not broadcast from \(target)")
            }
        }
        let out = TensorStorage(count: Shape.count(target), repeating: 0)
        Kernels.reduceSumInto(shape: shape, storage.base, out.base, outStrides)
        let inShape = shape
        return Tensor.result("sumToShape", out, shape: target, inputs: [self], record: Tensor.shouldRecord(self),
                             backward: { ctx in [ctx.grad.broadcasted(to: inShape)] })
    }

    /// Elements `range` along `axis`.
    public func slice(axis: Int, range: Range<Int>) -> Tensor {
        let ax = Shape.axis(axis, rank: rank, "Tensor.slice")
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[ax],
                     "Tensor.slice: range \(range) out of bounds 0..<\(shape[ax]) on axis \(ax) of \(shape)")
        if range == 0..<shape[ax] { return self }
        var outShape = shape
        outShape[ax] = range.count
        let outer = Shape.count(Array(shape[..<ax])), inner = Shape.count(Array(shape[(ax + 1)...]))
        let out = TensorStorage(uninitializedCount: Shape.count(outShape))
        let block = range.count &* inner, srcBlock = shape[ax] &* inner, start = range.lowerBound &* inner
        for o in 0..<outer {
            (out.base + o &* block).update(from: storage.base + (o &* srcBlock &+ start), count: block)
        }
        let full = shape[ax]
        return Tensor.result("slice", out, shape: outShape, inputs: [self], record: Tensor.shouldRecord(self),
                             backward: { ctx in [ctx.grad.padded(axis: ax, range: range, size: full)] })
    }

    /// Places this tensor at `range` along `axis` of a zero tensor whose `axis` has `size` elements
    /// (the adjoint of `slice`).
    func padded(axis ax: Int, range: Range<Int>, size: Int) -> Tensor {
        precondition(shape[ax] == range.count)
        var outShape = shape
        outShape[ax] = size
        let outer = Shape.count(Array(shape[..<ax])), inner = Shape.count(Array(shape[(ax + 1)...]))
        let out = TensorStorage(count: Shape.count(outShape), repeating: 0)
        let block = range.count &* inner, dstBlock = size &* inner, start = range.lowerBound &* inner
        for o in 0..<outer {
            (out.base + (o &* dstBlock &+ start)).update(from: storage.base + o &* block, count: block)
        }
        return Tensor.result("pad", out, shape: outShape, inputs: [self], record: Tensor.shouldRecord(self),
                             backward: { ctx in [ctx.grad.slice(axis: ax, range: range)] })
    }

    /// Joins tensors along `axis`; all other dimensions must agree.
    public static func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "Tensor.concat: no tensors")
        let first = tensors[0]
        let ax = Shape.axis(axis, rank: first.rank, "Tensor.concat")
        for t in tensors {
            precondition(t.rank == first.rank && (0..<first.rank).allSatisfy { $0 == ax || t.shape[$0] == first.shape[$0] },
                         "Tensor.concat: shape \(t.shape) does not match \(first.shape) outside axis \(ax)")
        }
        if tensors.count == 1 { return first }
        var outShape = first.shape
        let sizes = tensors.map { $0.shape[ax] }
        outShape[ax] = sizes.reduce(0, +)
        let outer = Shape.count(Array(first.shape[..<ax])), inner = Shape.count(Array(first.shape[(ax + 1)...]))
        let out = TensorStorage(uninitializedCount: Shape.count(outShape))
        let dstBlock = outShape[ax] &* inner
        var offset = 0
        for t in tensors {
            let block = t.shape[ax] &* inner
            for o in 0..<outer {
                (out.base + (o &* dstBlock &+ offset)).update(from: t.storage.base + o &* block, count: block)
            }
            offset &+= block
        }
        return result("concat", out, shape: outShape, inputs: tensors, record: shouldRecord(tensors), backward: { ctx in
            var grads: [Tensor?] = []
            var start = 0
            for (i, s) in sizes.enumerated() {
                grads.append(ctx.needs[i] ? ctx.grad.slice(axis: ax, range: start..<(start + s)) : nil)
                start += s
            }
            return grads
        })
    }

    /// Index-select: the entries `indices` (repeats allowed) along `axis`.
    public func gathered(indices: [Int], axis: Int = 0) -> Tensor {
        let ax = Shape.axis(axis, rank: rank, "Tensor.gathered")
        let size = shape[ax]
        for i in indices {
            precondition(i >= 0 && i < size, "Tensor.gathered: index \(i) out of range 0..<\(size) on axis \(ax) of \(shape)")
        }
        var outShape = shape
        outShape[ax] = indices.count
        let outer = Shape.count(Array(shape[..<ax])), inner = Shape.count(Array(shape[(ax + 1)...]))
        let out = TensorStorage(uninitializedCount: Shape.count(outShape))
        let srcBlock = size &* inner, dstBlock = indices.count &* inner
        for o in 0..<outer {
            for (j, i) in indices.enumerated() {
                (out.base + (o &* dstBlock &+ j &* inner)).update(from: storage.base + (o &* srcBlock &+ i &* inner), count: inner)
            }
        }
        return Tensor.result("gather", out, shape: outShape, inputs: [self], record: Tensor.shouldRecord(self),
                             backward: { ctx in [ctx.grad.indexAdded(indices: indices, axis: ax, size: size)] })
    }

    /// Sums the entries of this tensor into a zero tensor whose `axis` has `size` entries,
    /// entry `j` going to position `indices[j]` (the adjoint of `gathered`).
    func indexAdded(indices: [Int], axis ax: Int, size: Int) -> Tensor {
        var outShape = shape
        outShape[ax] = size
        let outer = Shape.count(Array(shape[..<ax])), inner = Shape.count(Array(shape[(ax + 1)...]))
        let out = TensorStorage(count: Shape.count(outShape), repeating: 0)
        let dstBlock = size &* inner, srcBlock = indices.count &* inner
        for o in 0..<outer {
            for (j, i) in indices.enumerated() {
                let d = out.base + (o &* dstBlock &+ i &* inner), s = storage.base + (o &* srcBlock &+ j &* inner)
                for k in 0..<inner { d[k] += s[k] }
            }
        }
        return Tensor.result("indexAdd", out, shape: outShape, inputs: [self], record: Tensor.shouldRecord(self),
                             backward: { ctx in [ctx.grad.gathered(indices: indices, axis: ax)] })
    }

    /// `out[i] = self.flat[indices[i]]`, shaped `shape`.
    func gatheredFlat(_ indices: [Int32], shape outShape: [Int]) -> Tensor {
        precondition(indices.count == Shape.count(outShape))
        let out = TensorStorage(uninitializedCount: indices.count)
        let src = storage.base
        indices.withUnsafeBufferPointer { idx in
            for i in 0..<idx.count { out.base[i] = src[Int(idx[i])] }
        }
        let inShape = shape
        return Tensor.result("gatherFlat", out, shape: outShape, inputs: [self], record: Tensor.shouldRecord(self),
                             backward: { ctx in [ctx.grad.scatteredFlat(indices, shape: inShape)] })
    }

    /// A zero tensor of `shape` with `self.flat[i]` added at `indices[i]` (the adjoint of `gatheredFlat`).
    func scatteredFlat(_ indices: [Int32], shape outShape: [Int]) -> Tensor {
        precondition(indices.count == count)
        let out = TensorStorage(count: Shape.count(outShape), repeating: 0)
        let src = storage.base
        indices.withUnsafeBufferPointer { idx in
            for i in 0..<idx.count { out.base[Int(idx[i])] += src[i] }
        }
        let inShape = shape
        return Tensor.result("scatterFlat", out, shape: outShape, inputs: [self], record: Tensor.shouldRecord(self),
                             backward: { ctx in [ctx.grad.gatheredFlat(indices, shape: inShape)] })
    }

    /// One-hot rows: `[labels.count, classes]` with a 1 at each label.
    public static func oneHot(_ labels: [Int32], classes: Int) -> Tensor {
        let out = TensorStorage(count: labels.count * classes, repeating: 0)
        for (i, l) in labels.enumerated() {
            precondition(l >= 0 && Int(l) < classes, "Tensor.oneHot: label \(l) out of range 0..<\(classes)")
            out.base[i * classes + Int(l)] = 1
        }
        return Tensor(storage: out, shape: [labels.count, classes])
    }
}
