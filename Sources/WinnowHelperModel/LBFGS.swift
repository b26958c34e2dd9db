/// Limited-memory BFGS (Nocedal & Wright, algorithm 7.4/7.5) with a backtracking line search
/// that interpolates, for smooth convex objectives such as regularised logistic regression.
/// Starting from a previous solution (a warm start) costs only the steps still needed.
///
/// The objective's products run in float32, so near the optimum its value is known only to
/// about 1e-8 of itself while its gradient stays accurate: steps are then accepted by the
/// approximate Wolfe conditions of Hager and Zhang (the value may not rise by more than its
/// rounding, and the slope along the step must have flattened), so the gradient keeps
/// guiding the search where the value can no longer tell two points apart.
struct LBFGS {
    /// Pairs of steps and gradient changes kept.
    var memory = 10
    /// Converged when every gradient component is at most this.
    var gradientTolerance = 1e-5
    /// The objective's rounding, relative to its value (the approximate Wolfe conditions'
    /// tolerance).
    var valueRounding = 1e-7
    var maxIterations = 1000

    struct Outcome {
        var x: [Double]
        var value: Double
        var iterations: Int
        var evaluations: Int
        var converged: Bool
        /// The last steps and gradient changes: the curvature it learnt.
        var curvature: Curvature
    }

    /// Pairs of steps and gradient changes (the inverse Hessian's approximation).
    struct Curvature: Sendable {
        var steps: [[Double]] = []
        var changes: [[Double]] = []
        var products: [Double] = []
    }

    /// `curvature`: pairs from a fit of a similar objective (the same model on a sample),
    /// so the first steps are quasi-Newton steps rather than a cautious gradient step.
    func minimize(
        from start: [Double], curvature: Curvature = Curvature(),
        _ objective: ([Double]) -> (value: Double, gradient: [Double])
    ) -> Outcome {
        var x = start
        var (f, g) = objective(x)
        var evaluations = 1
        var steps = curvature.steps, changes = curvature.changes, curvatures = curvature.products
        var iterations = 0
        let n = x.count
        func maxAbs(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }
        func dot(_ a: [Double], _ b: [Double]) -> Double {
            var s = 0.0
            for i in 0..<a.count { s += a[i] * b[i] }
            return s
        }
        while iterations < maxIterations {
            if maxAbs(g) <= gradientTolerance {
                return Outcome(
                    x: x, value: f, iterations: iterations, evaluations: evaluations, converged: true,
                    curvature: Curvature(steps: steps, changes: changes, products: curvatures))
            }
            // Two-loop recursion: direction = −H·g.
            var q = g
            var alphas = [Double](repeating: 0, count: steps.count)
            for j in stride(from: steps.count - 1, through: 0, by: -1) {
                alphas[j] = dot(steps[j], q) / curvatures[j]
                for i in 0..<n { q[i] -= alphas[j] * changes[j][i] }
            }
            if let lastStep = steps.last, let lastChange = changes.last {
                let gamma = dot(lastStep, lastChange) / dot(lastChange, lastChange)
                for i in 0..<n { q[i] *= gamma }
            }
            for j in 0..<steps.count {
                let beta = dot(changes[j], q) / curvatures[j]
                for i in 0..<n { q[i] += steps[j][i] * (alphas[j] - beta) }
            }
            var direction = q.map { -$0 }
            var slope = dot(g, direction)
            if !(slope < 0) {
                // Not a descent direction (rounding): restart from steepest descent.
                steps = []; changes = []; curvatures = []
                direction = g.map { -$0 }
                slope = dot(g, direction)
            }
            var alpha = steps.isEmpty ? min(1, 1 / max(dot(g, g).squareRoot(), 1e-300)) : 1
            var accepted = false
            var candidate = x, fNew = f, gNew = g
            for _ in 0..<40 {
                for i in 0..<n { candidate[i] = x[i] + alpha * direction[i] }
                (fNew, gNew) = objective(candidate)
                evaluations += 1
                if fNew.isFinite, fNew <= f + 1e-4 * alpha * slope {
                    accepted = true
                    break
                }
                let slopeNew = dot(gNew, direction)
                if fNew.isFinite, fNew <= f + valueRounding * abs(f), slopeNew >= 0.9 * slope, slopeNew <= -0.8 * slope {
                    accepted = true
                    break
                }
                // Minimiser of the quadratic through f, the slope and fNew; kept within [0.1, 0.5]·alpha.
                let denominator = 2 * (fNew - f - slope * alpha)
                let interpolated = fNew.isFinite && denominator > 0 ? -slope * alpha * alpha / denominator : 0.1 * alpha
                alpha = min(0.5 * alpha, max(0.1 * alpha, interpolated))
            }
            guard accepted else { break } // no decrease left within rounding
            iterations += 1
            let s = (0..<n).map { candidate[$0] - x[$0] }
            let y = (0..<n).map { gNew[$0] - g[$0] }
            let sy = dot(s, y)
            if sy > 1e-12 * dot(s, s).squareRoot() * dot(y, y).squareRoot() {
                steps.append(s); changes.append(y); curvatures.append(sy)
                if steps.count > memory { steps.removeFirst(); changes.removeFirst(); curvatures.removeFirst() }
            }
            x = candidate
            f = fNew
            g = gNew
        }
        return Outcome(
            x: x, value: f, iterations: iterations, evaluations: evaluations, converged: maxAbs(g) <= gradientTolerance,
            curvature: Curvature(steps: steps, changes: changes, products: curvatures))
    }
}
