import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// Kernel ridge regression (dpotrf/dpotrs with an escalating jitter) against a direct solve written here.
@Suite("Kernel ridge regression")
struct KernelRidgeRegressionTests {
    /// Solves A·X = B by Gaussian elimination with partial pivoting, plain loops (the independent reference).
    static func naiveSolve(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        let n = a.count, m = b[0].count
        var a = a, b = b
        for col in 0..<n {
            let pivot = (col..<n).max { abs(a[$0][col]) < abs(a[$1][col]) }!
            a.swapAt(col, pivot)
            b.swapAt(col, pivot)
            for r in (col + 1)..<n {
                let f = a[r][col] / a[col][col]
                for c in col..<n { a[r][c] -= f * a[col][c] }
                for c in 0..<m { b[r][c] -= f * b[col][c] }
            }
        }
        var x = [[Double]](repeating: [Double](repeating: 0, count: m), count: n)
        for r in stride(from: n - 1, through: 0, by: -1) {
            for c in 0..<m {
                var s = b[r][c]
                for k in (r + 1)..<n { s -= a[r][k] * x[k][c] }
                x[r][c] = s / a[r][r]
            }
        }
        return x
    }

    static func randomMatrix(_ r: Int, _ c: Int, seed: UInt64) -> [[Double]] {
        var rng = RandomSource(seed: seed, stream: 60)
        return gaussianInputs(r, c, rng: &rng)
    }

    /// A well-conditioned SPD kernel K = G·Gᵀ/8 + I/2 (6 × 6) with a cross kernel from the same features.
    static func problem() -> (k: [[Double]], cross: [[Double]], y: [[Double]], f0: [[Double]], f0Test: [[Double]]) {
        let g = randomMatrix(6, 8, seed: 1), h = randomMatrix(3, 8, seed: 2)
        var k = naiveProductTransposed(g, g).map { $0.map { $0 / 8 } }
        for i in 0..<6 { k[i][i] += 0.5 }
        let cross = naiveProductTransposed(h, g).map { $0.map { $0 / 8 } }
        return (k, cross, randomMatrix(6, 2, seed: 3), randomMatrix(6, 2, seed: 4), randomMatrix(3, 2, seed: 5))
    }

    @Test("predictions equal K*(K + λI)⁻¹Y by a direct solve, and with f₀: f₀* + K*(K + λI)⁻¹(Y − f₀)")
    func matchesDirectSolve() throws {
        let p = Self.problem()
        for lambda in [0.0, 0.1, 3.0] {
            var reg = p.k
            for i in 0..<6 { reg[i][i] += lambda }
            let alpha = Self.naiveSolve(reg, p.y)
            let expected = p.cross.map { row in (0..<2).map { c in zip(row, alpha).reduce(0) { $0 + $1.0 * $1.1[c] } } }
            let fit = try KernelRidgeRegression(kernel: Matrix(p.k), targets: Matrix(p.y), ridge: lambda)
            #expect(fit.jitter == 0 && fit.attempts == 1 && fit.ridge == lambda)
            let got = try fit.predict(crossKernel: Matrix(p.cross))
            #expect(relativeFrobeniusError(got, expected) < 1e-12, "λ = \(lambda)")
            #expect(relativeFrobeniusError(fit.dualCoefficients, alpha) < 1e-12)

            let residual = zip(p.y, p.f0).map { zip($0, $1).map { $0 - $1 } }
            let alpha0 = Self.naiveSolve(reg, residual)
            let expected0 = (0..<3).map { i in
                (0..<2).map { c in p.f0Test[i][c] + zip(p.cross[i], alpha0).reduce(0) { $0 + $1.0 * $1.1[c] } }
            }
            let fit0 = try KernelRidgeRegression(kernel: Matrix(p.k), targets: Matrix(p.y), ridge: lambda, initialOutput: Matrix(p.f0))
            let got0 = try fit0.predict(crossKernel: Matrix(p.cross), initialOutput: Matrix(p.f0Test))
            #expect(relativeFrobeniusError(got0, expected0) < 1e-12, "λ = \(lambda) with f₀")
        }
    }

    @Test("with λ = 0 the fit interpolates the training targets")
    func interpolates() throws {
        let p = Self.problem()
        let fit = try KernelRidgeRegression(kernel: Matrix(p.k), targets: Matrix(p.y), ridge: 0)
        #expect(relativeFrobeniusError(try fit.predict(crossKernel: Matrix(p.k)), p.y) < 1e-12)
    }

    /// Duplicated inputs make K singular: four copies of one point under a linear kernel give K = 11ᵀ exactly,
    /// whose second Cholesky pivot is exactly 0.
    @Test("duplicate points: dpotrf fails, the jitter escalates, and the amount is reported")
    func jitterOnDuplicatePoints() throws {
        let x = Matrix([[1, 0], [1, 0], [1, 0], [1, 0]])
        let a = NetworkArchitecture(inputDim: 2, width: 1, depth: 0, outputs: 1, activation: .linear,
                                parameterization: .standard, hasBias: false)
        let k = try AnalyticNTK(architecture: a).scalarKernels(x).ntk
        #expect(k == Matrix(rows: 4, cols: 4, repeating: 1))
        #expect(throws: LAPACKError.notPositiveDefinite(routine: "dpotrf", order: 2)) { try CholeskyFactorization(k) }
        let y = Matrix(rows: 4, cols: 1, data: [2, 2, 2, 2])
        let fit = try KernelRidgeRegression(kernel: k, targets: y, ridge: 0)
        #expect(fit.jitter > 0 && fit.attempts >= 2, "jitter \(fit.jitter), attempts \(fit.attempts)")
        let expectedJitter = 1e-12 * fit.diagonalScale * pow(10, Double(fit.attempts - 2))
        #expect(abs(fit.jitter - expectedJitter) <= 1e-12 * expectedJitter)
        #expect(fit.relativeJitter <= 1e-10)
        // Consistent targets on duplicated points are still fitted.
        let f = try fit.predict(crossKernel: Matrix(rows: 1, cols: 4, repeating: 1))
        #expect(abs(f[0, 0] - 2) < 1e-6)
        // A ridge makes the jitter unnecessary.
        #expect(try KernelRidgeRegression(kernel: k, targets: y, ridge: 1e-3).jitter == 0)
    }

    @Test("an indefinite kernel needs several escalations; beyond the largest jitter it throws")
    func jitterEscalatesThenGivesUp() throws {
        var k = Matrix.identity(3)
        k[2, 2] = -1e-7
        let y = Matrix(rows: 3, cols: 1, data: [1, 2, 3])
        let fit = try KernelRidgeRegression(kernel: k, targets: y, ridge: 0)
        // mean diagonal ≈ 2/3: jitters 6.7e-13, 6.7e-12, …; the first above 1e-7 is 6.7e-7 (attempt 8).
        #expect(fit.attempts == 8 && fit.jitter > 1e-7 && fit.jitter < 1e-6, "attempts \(fit.attempts), jitter \(fit.jitter)")
        k[2, 2] = -1
        let caught = #expect(throws: KernelRidgeRegressionError.self) {
            try KernelRidgeRegression(kernel: k, targets: y, ridge: 0)
        }
        guard case let .notPositiveDefinite(ridge, largest, attempts)? = caught else {
            Issue.record("unexpected error \(String(describing: caught))")
            return
        }
        #expect(ridge == 0 && attempts == 12 && largest > 0)
        #expect(caught!.description.contains("larger ridge"))
    }

    @Test("invalid input is a typed error")
    func typedErrors() {
        let k = Matrix.identity(2), y = Matrix(rows: 2, cols: 1, data: [1, 2])
        #expect(throws: KernelRidgeRegressionError.invalidRidge(-1)) { try KernelRidgeRegression(kernel: k, targets: y, ridge: -1) }
        #expect(throws: KernelRidgeRegressionError.self) { try KernelRidgeRegression(kernel: k, targets: y, ridge: .nan) }
        #expect(throws: KernelRidgeRegressionError.kernelNotSquare(rows: 2, cols: 1)) {
            try KernelRidgeRegression(kernel: Matrix(rows: 2, cols: 1), targets: y, ridge: 0)
        }
        #expect(throws: KernelRidgeRegressionError.self) {
            try KernelRidgeRegression(kernel: k, targets: Matrix(rows: 3, cols: 1), ridge: 0)
        }
        var bad = k
        bad[0, 1] = .infinity
        #expect(throws: KernelRidgeRegressionError.nonFiniteInput(what: "kernel")) {
            try KernelRidgeRegression(kernel: bad, targets: y, ridge: 0)
        }
        #expect(throws: KernelRidgeRegressionError.self) {
            try KernelRidgeRegression(kernel: k, targets: y, ridge: 0).predict(crossKernel: Matrix(rows: 1, cols: 3))
        }
    }

    @Test("Cholesky solve equals the direct solve")
    func choleskySolve() throws {
        let p = Self.problem()
        let x = try CholeskyFactorization(Matrix(p.k)).solve(Matrix(p.y))
        #expect(relativeFrobeniusError(x, Self.naiveSolve(p.k, p.y)) < 1e-12)
    }
}
