/// The gradients of `loss` with respect to each of `parameters`, by reverse-mode
/// accumulation over the graph recorded since the parameters were made to
/// require gradient.
///
/// - A parameter the loss does not depend on (or that does not require gradient)
///   gets zeros of its shape.
/// - If `loss` is not a scalar, the result is the vector-Jacobian product with ones.
/// - `createGraph: false` (the fast path): the backward pass runs with recording
///   off; the results are constants and nothing is added to the graph.
/// - `createGraph: true`: the backward pass is built from differentiable ops and
///   recorded, so the results can be differentiated again (second-order MAML,
///   Hessian-vector products). Recording is switched on for the backward pass even
///   inside `withoutGradient`.
///
/// Only the part of the graph between the loss and the parameters is visited.
/// Safe to call concurrently on different threads (each call uses only local state).
public func gradients(of loss: Tensor, with parameters: [Tensor], createGraph: Bool = false) -> [Tensor] {
    guard let root = loss.node else { return parameters.map { Tensor(zeros: $0.shape) } }
    var targets = Set<ObjectIdentifier>()
    for p in parameters { if let n = p.node { targets.insert(ObjectIdentifier(n)) } }
    if targets.isEmpty { return parameters.map { Tensor(zeros: $0.shape) } }

    // Post-order DFS (iterative: graphs of unrolled inner loops are deep). A node is
    // "needed" when a target is reachable from it; only needed nodes are processed.
    // `needed` doubles as the visited set (false while a node is on the stack).
    var needed: [ObjectIdentifier: Bool] = [ObjectIdentifier(root): false]
    var order: [Node] = []
    var stack: [(Node, Int)] = [(root, 0)]
    while let (node, next) = stack.popLast() {
        if next < node.inputs.count {
            stack.append((node, next + 1))
            if let child = node.inputs[next].node {
                let id = ObjectIdentifier(child)
                if needed[id] == nil {
                    needed[id] = false
                    stack.append((child, 0))
                }
            }
        } else {
            let id = ObjectIdentifier(node)
            var isNeeded = targets.contains(id)
            if !isNeeded {
                for input in node.inputs {
                    if let n = input.node, needed[ObjectIdentifier(n)] == true { isNeeded = true; break }
                }
            }
            if isNeeded {
                needed[id] = true
                order.append(node)
            }
        }
    }

    var grads: [ObjectIdentifier: Tensor] = [:]
    GradientMode.withRecording(createGraph) {
        grads[ObjectIdentifier(root)] = Tensor(ones: loss.shape)
        for node in order.reversed() {
            let id = ObjectIdentifier(node)
            let isTarget = targets.contains(id)
            guard let g = isTarget ? grads[id] : grads.removeValue(forKey: id), let backward = node.backward,
                  let output = node.output else { continue }
            var needs = [Bool](repeating: false, count: node.inputs.count)
            var any = false
            for (i, input) in node.inputs.enumerated() {
                if let n = input.node, needed[ObjectIdentifier(n)] == true { needs[i] = true; any = true }
            }
            if !any { continue }
            let context = BackwardContext(inputs: node.inputs, needs: needs, grad: g,
                                          output: Tensor(storage: output, shape: node.shape, node: node),
                                          createGraph: createGraph)
            let inputGrads = backward(context)
            for (i, input) in node.inputs.enumerated() where needs[i] {
                guard let ig = inputGrads[i], let n = input.node else { continue }
                precondition(ig.shape == input.shape,
                             "gradients: backward of \(node.name) gave shape \(ig.shape) for input \(i) of shape \(input.shape)")
                let key = ObjectIdentifier(n)
                if var existing = grads.removeValue(forKey: key) {
                    // Without createGraph the sum is a constant: add in place when the buffer is ours alone.
                    grads[key] = !createGraph && existing.accumulateInPlace(ig) ? existing : existing + ig
                } else {
                    grads[key] = ig
                }
            }
        }
    }
    return parameters.map { p in
        p.node.flatMap { grads[ObjectIdentifier($0)] } ?? Tensor(zeros: p.shape)
    }
}

/// The gradients of `loss` with respect to every tensor of `parameters`, under the same names.
public func gradients(of loss: Tensor, with parameters: ParameterSet, createGraph: Bool = false) -> ParameterSet {
    let g = gradients(of: loss, with: parameters.tensors, createGraph: createGraph)
    return ParameterSet(Array(zip(parameters.names, g)))
}
