import Foundation

/// What a measured K_t shows against K₀ and the targets (Docs/LogFormat.md#stepscsv): the quantities papers on
/// leaving the kernel regime plot over training.
///
/// - λ_max and λ_min of K̃_t = arrange(K_t)/ν, the normalization and layout of K̃₀ (λ_min clipped at 0 as for K̃₀).
///   GD on the linearized model is stable for η·λ_max < 2; in a catapult λ_max(K̃_t) falls below 2/η.
/// - The kernel–target alignment A(K_t, yyᵀ) = ⟨K_t, yyᵀ⟩_F/(‖K_t‖_F‖yyᵀ‖_F) = yᵀK_t y/(‖K_t‖_F‖y‖²)
///   (Cristianini et al. 2002), on the full kernel with y sample-major.
/// - The centred alignment (CKA) of K₀ and K_t: ⟨HK₀H, HK_tH⟩_F/(‖HK₀H‖_F‖HK_tH‖_F), H = I − 11ᵀ/(N·k)
///   (Cortes et al. 2012); 1 while the kernel keeps its shape, whatever its scale.
/// - The principal angles θ₁ ≤ … ≤ θ_m between the spans of the top-m eigenvectors U₀ of K̃₀ and U_t of K̃_t:
///   cos θ_i = σ_i(U₀ᵀU_t), the singular values by LAPACK `dgesdd` (Björck & Golub 1973).
public struct KernelObservables: Sendable, Equatable {
    public var lambdaMax: Double
    public var lambdaMin: Double
    public var targetAlignment: Double
    public var centredAlignment: Double
    /// Radians, ascending.
    public var principalAngles: [Double]

    /// What every measurement compares against: K₀ centred, the top eigenvectors of K̃₀, y, and the layout.
    public struct Reference: Sendable {
        let centredInitial: Matrix
        let centredInitialNorm: Double
        /// The top-m eigenvectors of K̃₀ as columns, (N·k) × m.
        let initialTop: Matrix
        let targets: [Double]
        let layout: KernelLayout
        let outputs: Int
        let normalizer: Double

        /// - Parameters:
        ///   - initialKernel: K₀, full layout.
        ///   - initialEigen: the eigendecomposition of K̃₀ (ascending, as LAPACK returns it).
        ///   - modes: m, the number of top eigenvectors compared.
        public init(initialKernel: Matrix, initialEigen: SymmetricEigendecomposition, modes: Int, targets: [Double],
                    layout: KernelLayout, outputs: Int, normalizer: Double) {
            centredInitial = KernelObservables.centred(initialKernel)
            centredInitialNorm = centredInitial.frobeniusNorm
            initialTop = KernelObservables.topVectors(initialEigen, count: modes)
            self.targets = targets
            self.layout = layout
            self.outputs = outputs
            self.normalizer = normalizer
        }
    }

    /// The observables of K_t (full layout, not divided by ν).
    ///
    /// - Throws: ``LAPACKError`` from the eigendecomposition of K̃_t or the SVD of U₀ᵀU_t.
    public init(_ kernel: Matrix, _ ref: Reference) throws {
        let eigen = try ref.layout.effectiveEigendecomposition(kernel, outputs: ref.outputs, normalizer: ref.normalizer)
        lambdaMax = max(eigen.values.last ?? 0, 0)
        lambdaMin = max(eigen.values.first ?? 0, 0)
        let ky = BLAS.matvec(kernel, ref.targets)
        let yy = BLAS.dot(ref.targets, ref.targets)
        targetAlignment = BLAS.dot(ref.targets, ky) / (kernel.frobeniusNorm * yy)
        let centred = Self.centred(kernel)
        centredAlignment = BLAS.dot(centred.data, ref.centredInitial.data) / (centred.frobeniusNorm * ref.centredInitialNorm)
        principalAngles = try Self.principalAngles(ref.initialTop, Self.topVectors(eigen, count: ref.initialTop.cols))
    }

    /// HKH with H = I − 11ᵀ/n: K minus its row means, minus its column means, plus its grand mean.
    static func centred(_ k: Matrix) -> Matrix {
        let n = k.rows
        guard n > 0 else { return k }
        let ones = [Double](repeating: 1 / Double(n), count: n)
        let rowMeans = BLAS.matvec(k, ones), colMeans = BLAS.matvec(k, ones, transA: .transposed)
        let grand = BLAS.dot(rowMeans, ones)
        var c = k
        for i in 0..<n {
            for j in 0..<n { c.data[i * n + j] += grand - rowMeans[i] - colMeans[j] }
        }
        return c
    }

    /// The eigenvectors of the `count` largest eigenvalues as columns, largest first.
    static func topVectors(_ eigen: SymmetricEigendecomposition, count: Int) -> Matrix {
        let n = eigen.vectors.rows, m = min(count, eigen.vectors.cols)
        var u = Matrix(rows: n, cols: m)
        for i in 0..<n {
            for r in 0..<m { u.data[i * m + r] = eigen.vectors.data[i * eigen.vectors.cols + eigen.vectors.cols - 1 - r] }
        }
        return u
    }

    /// The principal angles between the column spans of U and V (orthonormal columns, m each): arccos of the
    /// singular values of UᵀV, ascending.
    ///
    /// - Throws: ``LAPACKError`` from `dgesdd`.
    public static func principalAngles(_ u: Matrix, _ v: Matrix) throws -> [Double] {
        guard u.cols > 0 else { return [] }
        return try SpectralNorm.singularValues(BLAS.product(u, v, transA: .transposed)).map { acos(min(max($0, 0), 1)) }
    }
}
