import Autograd
import MetaLearning
import Testing

@Suite struct TaskLossTests {
    @Test func crossEntropyAndMSEByTargetKind() throws {
        let logits = Tensor(shape: [2, 2], scalars: [0, 0, 2, 0])
        let ce = try TaskLoss.loss(outputs: logits, targets: .classes([0, 0]))
        // (log 2 + log(1 + e^-2)) / 2
        #expect(abs(Double(ce.scalar) - (0.6931471805599453 + 0.12692801104297263) / 2) < 1e-6)
        let mse = try TaskLoss.loss(outputs: Tensor(shape: [2, 1], scalars: [1, 2]),
                                    targets: .values(Tensor(shape: [2, 1], scalars: [0, 4])))
        #expect(mse.scalar == 2.5)
        #expect(throws: TaskDataError.labelOutOfRange("loss", label: 2, ways: 2)) {
            try TaskLoss.loss(outputs: logits, targets: .classes([0, 2]))
        }
        #expect(throws: TaskDataError.self) {
            try TaskLoss.loss(outputs: logits, targets: .values(Tensor(zeros: [2, 1])))
        }
    }
}
