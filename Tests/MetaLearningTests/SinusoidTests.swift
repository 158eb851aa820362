import Autograd
import Foundation
import MetaLearning
import SinusoidPlugin
import Testing

@Suite struct SinusoidTests {
    @Test func tasksFollowTheMAMLDistribution() throws {
        let tasks = try SinusoidTasks(shots: 10, queries: 15)
        #expect(tasks.problem == .regression(inputDimension: 1, outputDimension: 1))
        var amplitudes: [Double] = []
        for i in 0..<50 {
            let task = try tasks.task(at: i, seed: 3)
            let (a, phi) = tasks.function(at: i, seed: 3)
            amplitudes.append(a)
            #expect((0.1...5).contains(a) && (0...Double.pi).contains(phi))
            #expect(task.supportInputs.shape == [10, 1] && task.queryInputs.shape == [15, 1])
            #expect(task.ways == 0 && task.classes.isEmpty)
            let xs = task.supportInputs.scalars + task.queryInputs.scalars
            let ys = task.supportTargets.values!.scalars + task.queryTargets.values!.scalars
            for (x, y) in zip(xs, ys) {
                #expect((-5...5).contains(x))
                #expect(abs(Double(y) - a * sin(Double(x) - phi)) < 1e-4)
            }
        }
        #expect(amplitudes.min()! < 1 && amplitudes.max()! > 4)
        let again = try tasks.task(at: 7, seed: 3)
        #expect(again.queryInputs.scalars == (try tasks.task(at: 7, seed: 3)).queryInputs.scalars)
        #expect(again.queryInputs.scalars != (try tasks.task(at: 7, seed: 4)).queryInputs.scalars)
        #expect(throws: SamplerError.self) { try SinusoidTasks(shots: 0) }
    }
}
