import Autograd
import Testing

/// Every op's first derivative against central finite differences, and its
/// Hessian-vector product (double backward through `createGraph`) against
/// central differences of gradients. Tolerances are stated in `GradientCheck`
/// (Float32 engine, Double loss accumulation, step 1e-2).
@Suite struct DerivativeTests {
    @Test(arguments: OpCase.all)
    func firstDerivativeMatchesFiniteDifferences(_ op: OpCase) {
        let report = GradientCheck.firstOrder(op.inputs(), eps: op.eps, op.f)
        #expect(report.checked > 0)
        #expect(report.worstRatio <= 1, "\(op.name): \(report)")
    }

    @Test(arguments: OpCase.all)
    func hessianVectorProductMatchesFiniteDifferences(_ op: OpCase) {
        let report = GradientCheck.hessianVectorProduct(op.inputs(), eps: op.eps, op.f)
        #expect(report.checked > 0)
        #expect(report.worstRatio <= 1, "\(op.name): \(report)")
    }
}
