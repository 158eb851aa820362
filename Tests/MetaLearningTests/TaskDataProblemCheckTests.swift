import Autograd
import MetaLearning
import Testing

@Suite struct TaskDataProblemCheckTests {
    let problem = ProblemSpec.classification(ways: 2, channels: 1, height: 4, width: 4, trainingClasses: 10)

    func task(inputShape: [Int] = [1, 4, 4], ways: Int = 2) throws -> TaskData {
        let labels = (0..<ways).map { Int32($0) }
        return try TaskData(supportInputs: Tensor(zeros: [ways] + inputShape), supportTargets: .classes(labels),
                            queryInputs: Tensor(zeros: [ways] + inputShape), queryTargets: .classes(labels),
                            ways: ways, classes: labels.map { $0 + 3 })
    }

    @Test func fittingTaskHasNoMismatch() throws {
        #expect(try task().mismatch(with: problem, outputs: 2) == nil)
    }

    @Test func wrongInputShapeIsNamed() throws {
        let reason = try #require(try task(inputShape: [1, 5, 4]).mismatch(with: problem, outputs: 2))
        #expect(reason.contains("support inputs have shape [2, 1, 5, 4]"))
    }

    @Test func moreWaysThanHeadOutputsIsNamed() throws {
        let reason = try #require(try task(ways: 3).mismatch(with: problem, outputs: 2))
        #expect(reason == "3-way task, but the head has 2 outputs")
    }

    @Test func regressionTargetsForAClassifierAreNamed() throws {
        let regression = try TaskData(supportInputs: Tensor(zeros: [3, 1]), supportValues: Tensor(zeros: [3, 1]),
                                      queryInputs: Tensor(zeros: [2, 1]), queryValues: Tensor(zeros: [2, 1]))
        let asClassifier = ProblemSpec.classification(ways: 2, channels: 1, height: 1, width: 1, trainingClasses: 2)
        #expect(regression.mismatch(with: .regression(inputDimension: 1, outputDimension: 1), outputs: 1) == nil)
        #expect(regression.mismatch(with: .regression(inputDimension: 1, outputDimension: 1), outputs: 2) != nil)
        #expect(regression.mismatch(with: asClassifier, outputs: 2) != nil)
    }
}
