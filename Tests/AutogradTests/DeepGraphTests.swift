import Autograd
import Foundation
import Synchronization
import Testing

/// Long chains of ops (unrolled inner loops) must be differentiable and freed
/// without deep recursion, also on secondary threads with small stacks.
@Suite struct DeepGraphTests {
    @Test func longChainOnASmallStackThread() {
        let result = Mutex<[Float]>([])
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let w = Tensor(shape: [2], scalars: [0.5, -0.25]).requiringGradient()
            var x = w
            // 40,000 nodes: recursive release would need several MB of stack.
            for _ in 0..<20_000 { x = x * 1.0 + 0.0 }
            let g = gradients(of: x.sum(), with: [w])[0].scalars
            result.withLock { $0 = g }
            done.signal()
        }
        thread.stackSize = 256 << 10
        thread.start()
        done.wait()
        #expect(result.withLock { $0 } == [1, 1])
    }
}
