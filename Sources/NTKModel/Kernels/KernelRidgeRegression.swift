/// Why a kernel ridge regression could not be fitted or evaluated.
public enum KernelRidgeRegressionError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The training kernel is not square.
    case kernelNotSquare(rows: Int, cols: Int)
    /// The targets (or initial outputs) do not have one row per kernel row.
    case shapeMismatch(what: String, expected: String, got: String)
    /// λ is negative or not finite.
    case invalidRidge(Double)
    /// A kernel, target or output entry is NaN or infinite.
    case nonFiniteInput(what: String)
    /// K + (λ + jitter)·I stayed not positive definite up to the largest jitter the policy allows.
    case notPositiveDefinite(ridge: Double, largestJitter: Double, attempts: Int)
    /// LAPACK failed for another reason.
    case lapack(LAPACKError)

    public var description: String {
        switch self {
        case let .kernelNotSquare(rows, cols):
            return "kernel ridge regression needs a square training kernel, got \(rows)×\(cols)"
        case let .shapeMismatch(what, expected, got):
            return "kernel ridge regression: \(what) should be \(expected), got \(got)"
        case let .invalidRidge(lambda):
            return "kernel ridge regression: the ridge λ = \(lambda) must be a finite number ≥ 0"
        case let .nonFiniteInput(what):
            return "kernel ridge regression: the \(what) contains NaN or infinite entries"
        case let .notPositiveDefinite(ridge, largestJitter, attempts):
            return """
                kernel ridge regression: K + λI (λ = \(ridge)) is not positive definite even with a diagonal jitter of \
                \(largestJitter) (\(attempts) Cholesky attempts); use a larger ridge
                """
        case let .lapack(error):
            return "kernel ridge regression: \(error.description)"
        }
    }
}

/// Kernel ridge regression, the t → ∞ limit of gradient descent on the linearized model with a ridge:
///
///     f(X*) = f₀(X*) + K(X*, X)·(K + λI)⁻¹·(Y − f₀(X))
///
/// (f₀ = 0 gives plain kernel regression, the mean prediction of the infinite-width ensemble with Θ).
/// K + λI is factored by LAPACKE `dpotrf` and solved by `dpotrs`. When the factorization fails (K is only
/// positive semi-definite, e.g. with duplicated inputs, or round-off made it slightly indefinite) a
/// diagonal jitter is added and escalated by ``JitterPolicy``; ``jitter`` says how much was added in the end.
///
/// K, Y and f₀ use one layout: K is R × R and Y is R × m (R = N·k with a single column for the
/// sample-major (N·k)×(N·k) kernels, or R = N with k columns for a scalar kernel Θ whose ⊗I_k is implied).
/// λ is on the scale of K as given (the unnormalized K of Docs/Conventions.md, before any division by N·k).
public struct KernelRidgeRegression: Sendable {
    /// How the diagonal jitter grows when `dpotrf` fails: jitter_1 = `initialRelative`·s, then ×`growthFactor`,
    /// up to `maximumRelative`·s, where s is the mean diagonal of K + λI (1 if that is not positive).
    public struct JitterPolicy: Equatable, Sendable {
        public var initialRelative: Double
        public var growthFactor: Double
        public var maximumRelative: Double

        public init(initialRelative: Double = 1e-12, growthFactor: Double = 10, maximumRelative: Double = 1e-2) {
            precondition(initialRelative > 0 && growthFactor > 1 && maximumRelative >= initialRelative)
            self.initialRelative = initialRelative
            self.growthFactor = growthFactor
            self.maximumRelative = maximumRelative
        }

        public static let standard = JitterPolicy()
    }

    /// λ.
    public let ridge: Double
    /// The diagonal jitter added beyond λ for the Cholesky factorization to succeed (0 when K + λI factored).
    public let jitter: Double
    /// The scale s the jitter is relative to: the mean diagonal of K + λI (1 if that is not positive).
    public let diagonalScale: Double
    /// Number of `dpotrf` calls made (1 when no jitter was needed).
    public let attempts: Int
    /// α = (K + (λ + jitter)·I)⁻¹·(Y − f₀(X)), R × m.
    public let dualCoefficients: Matrix

    /// jitter / s.
    public var relativeJitter: Double { jitter / diagonalScale }

    /// Fits α on the training kernel.
    ///
    /// - Parameters:
    ///   - kernel: K(X, X), R × R, symmetric (only the upper triangle is read).
    ///   - targets: Y, R × m.
    ///   - ridge: λ ≥ 0.
    ///   - initialOutput: f₀(X), R × m, or nil for 0.
    /// - Complexity: R³/3 flops per factorization attempt, plus 2·R²·m for the solve.
    public init(kernel: Matrix, targets: Matrix, ridge: Double, initialOutput: Matrix? = nil,
                jitterPolicy policy: JitterPolicy = .standard) throws(KernelRidgeRegressionError) {
        guard kernel.rows == kernel.cols else { throw .kernelNotSquare(rows: kernel.rows, cols: kernel.cols) }
        let r = kernel.rows
        guard targets.rows == r else {
            throw .shapeMismatch(what: "targets", expected: "\(r) rows", got: "\(targets.rows)×\(targets.cols)")
        }
        if let f0 = initialOutput, f0.rows != r || f0.cols != targets.cols {
            throw .shapeMismatch(what: "initial output", expected: "\(r)×\(targets.cols)", got: "\(f0.rows)×\(f0.cols)")
        }
        guard ridge.isFinite && ridge >= 0 else { throw .invalidRidge(ridge) }
        guard kernel.isFinite else { throw .nonFiniteInput(what: "kernel") }
        guard targets.isFinite else { throw .nonFiniteInput(what: "targets") }
        if let f0 = initialOutput, !f0.isFinite { throw .nonFiniteInput(what: "initial output") }

        var residual = targets
        if let f0 = initialOutput { BLAS.axpy(-1, f0.data, &residual.data) }

        var regularized = kernel
        for i in 0..<r { regularized.data[i * r + i] += ridge }
        let trace = (0..<r).reduce(0.0) { $0 + regularized.data[$1 * r + $1] }
        let mean = r > 0 ? trace / Double(r) : 0
        let scale = mean > 0 && mean.isFinite ? mean : 1

        var jitter = 0.0
        var attempts = 0
        var factorization: CholeskyFactorization?
        while factorization == nil {
            var a = regularized
            if jitter > 0 { for i in 0..<r { a.data[i * r + i] += jitter } }
            attempts += 1
            do {
                factorization = try CholeskyFactorization(a)
            } catch LAPACKError.notPositiveDefinite {
                let next = jitter == 0 ? policy.initialRelative * scale : jitter * policy.growthFactor
                guard next <= policy.maximumRelative * scale * (1 + 1e-12) else {
                    throw .notPositiveDefinite(ridge: ridge, largestJitter: jitter, attempts: attempts)
                }
                jitter = next
            } catch let error as LAPACKError {
                throw .lapack(error)
            } catch {
                fatalError("CholeskyFactorization throws only LAPACKError, got \(error)")
            }
        }
        do {
            dualCoefficients = try factorization!.solve(residual)
        } catch let error as LAPACKError {
            throw .lapack(error)
        } catch {
            fatalError("CholeskyFactorization throws only LAPACKError, got \(error)")
        }
        self.ridge = ridge
        self.jitter = jitter
        self.diagonalScale = scale
        self.attempts = attempts
    }

    /// f(X*) = f₀(X*) + K(X*, X)·α, R* × m.
    ///
    /// - Parameters:
    ///   - crossKernel: K(X*, X), R* × R (rows for the test points).
    ///   - initialOutput: f₀(X*), R* × m, or nil for 0.
    /// - Complexity: 2·R*·R·m flops.
    public func predict(crossKernel: Matrix, initialOutput: Matrix? = nil) throws(KernelRidgeRegressionError) -> Matrix {
        let r = dualCoefficients.rows, m = dualCoefficients.cols
        guard crossKernel.cols == r else {
            throw .shapeMismatch(what: "cross kernel", expected: "\(r) columns", got: "\(crossKernel.rows)×\(crossKernel.cols)")
        }
        guard crossKernel.isFinite else { throw .nonFiniteInput(what: "cross kernel") }
        var f = Matrix(rows: crossKernel.rows, cols: m)
        if let f0 = initialOutput {
            guard f0.rows == crossKernel.rows && f0.cols == m else {
                throw .shapeMismatch(what: "initial test output", expected: "\(crossKernel.rows)×\(m)", got: "\(f0.rows)×\(f0.cols)")
            }
            guard f0.isFinite else { throw .nonFiniteInput(what: "initial test output") }
            f = f0
        }
        BLAS.gemm(crossKernel, dualCoefficients, beta: initialOutput == nil ? 0 : 1, into: &f)
        return f
    }
}
