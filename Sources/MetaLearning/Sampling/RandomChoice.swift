import Autograd

/// Random choices built only on `SeededGenerator.next()`, so episodes do not
/// depend on the standard library's (unspecified, version-dependent)
/// algorithms behind `Int.random(in:using:)` or `shuffled(using:)`.
enum RandomChoice {
    /// A uniform integer in `0..<bound` (Lemire's multiply-and-reject method, unbiased).
    static func index(below bound: Int, using rng: inout SeededGenerator) -> Int {
        precondition(bound > 0, "RandomChoice.index: bound must be positive")
        let n = UInt64(bound)
        var product = rng.next().multipliedFullWidth(by: n)
        if product.low < n {
            let threshold = (0 &- n) % n
            while product.low < threshold { product = rng.next().multipliedFullWidth(by: n) }
        }
        return Int(product.high)
    }

    /// A uniform integer in the closed range.
    static func integer(in range: ClosedRange<Int>, using rng: inout SeededGenerator) -> Int {
        range.lowerBound + index(below: range.count, using: &rng)
    }

    /// `count` distinct elements of `pool` in random order (partial Fisher-Yates).
    static func choose<T>(_ count: Int, from pool: [T], using rng: inout SeededGenerator) -> [T] {
        precondition(count <= pool.count, "RandomChoice.choose: \(count) from a pool of \(pool.count)")
        var items = pool
        for i in 0..<count {
            let j = i + index(below: items.count - i, using: &rng)
            items.swapAt(i, j)
        }
        return Array(items.prefix(count))
    }

    /// A uniform Double in `[lower, upper)`.
    static func uniform(_ lower: Double, _ upper: Double, using rng: inout SeededGenerator) -> Double {
        lower + (upper - lower) * rng.nextUnitDouble()
    }
}
