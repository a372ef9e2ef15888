/// Which kernel the linearized (NTK) prediction uses for a network with k outputs.
///
/// `full` is the exact empirical kernel K[(i,a),(j,b)], (N·k) × (N·k), sample-major. `trace` replaces it by
/// the output-averaged kernel Θ̄[i,j] = (1/k)·Σ_a K[(i,a),(j,a)] times I_k: the layout neural-tangents
/// uses by default (`trace_axes=(-1,)`, which averages over the output axis) and the form the kernel takes
/// at infinite width (Θ ⊗ I_k). It drops the off-diagonal output blocks, which vanish only as the width
/// grows. For k = 1 both are the same. Drift (‖K_t − K_0‖/‖K_0‖) and `ntk_*.npy` always use the full kernel.
public enum KernelLayout: String, CaseIterable, Codable, Sendable {
    case full
    case trace

    /// Θ̄[i,j] = (1/k)·Σ_a K[(i,a),(j,a)] of an (N₁·k) × (N₂·k) sample-major kernel: N₁ × N₂.
    public static func outputAverage(_ kernel: Matrix, outputs k: Int) -> Matrix {
        precondition(k >= 1 && kernel.rows % k == 0 && kernel.cols % k == 0)
        let n1 = kernel.rows / k, n2 = kernel.cols / k
        var theta = Matrix(rows: n1, cols: n2)
        let inv = 1 / Double(k)
        for i in 0..<n1 {
            for j in 0..<n2 {
                var s = 0.0
                for a in 0..<k { s += kernel.data[(i * k + a) * kernel.cols + j * k + a] }
                theta.data[i * n2 + j] = s * inv
            }
        }
        return theta
    }

    /// The kernel this layout uses in place of `kernel` (itself for `full`, Θ̄ ⊗ I_k for `trace`).
    public func arrange(_ kernel: Matrix, outputs k: Int) -> Matrix {
        switch self {
        case .full: return kernel
        case .trace: return k == 1 ? kernel : Self.outputAverage(kernel, outputs: k).kroneckerIdentity(outputs: k)
        }
    }

    /// The eigendecomposition of K̃ = arrange(K)/ν.
    ///
    /// For `trace` only the N × N matrix Θ̄/ν is decomposed (O(N³) instead of O((N·k)³)); its eigenpairs
    /// (λ, v) give the k eigenpairs (λ, v ⊗ e_a) of Θ̄/ν ⊗ I_k, in ascending order as LAPACK returns them.
    /// - Throws: ``LAPACKError``.
    public func effectiveEigendecomposition(_ kernel: Matrix, outputs k: Int, normalizer: Double) throws -> SymmetricEigendecomposition {
        var base: Matrix
        switch self {
        case .full: base = kernel
        case .trace: base = k == 1 ? kernel : Self.outputAverage(kernel, outputs: k)
        }
        BLAS.scale(&base.data, by: 1 / normalizer)
        let eigen = try SymmetricEigendecomposition(base)
        return self == .trace && k > 1 ? SymmetricEigendecomposition(kroneckerIdentity: eigen, outputs: k) : eigen
    }

    /// One line for the command's output and config.json.
    public var explanation: String {
        switch self {
        case .full: return "full: the exact (N·k)×(N·k) empirical kernel"
        case .trace: return """
            trace: the output-averaged N×N kernel Θ̄ = (1/k)·Σ_a K_aa, used as Θ̄ ⊗ I_k (neural-tangents' default \
            trace_axes=(-1,)); drift and ntk_*.npy still use the full kernel
            """
        }
    }
}

extension SymmetricEigendecomposition {
    /// The eigendecomposition of A ⊗ I_k (sample-major) from that of A: eigenvalue λ_j repeated k times with
    /// eigenvectors v_j ⊗ e_a, so the values stay ascending.
    init(kroneckerIdentity base: SymmetricEigendecomposition, outputs k: Int) {
        let n = base.values.count
        let r = n * k
        var values = [Double](repeating: 0, count: r)
        var vectors = Matrix(rows: r, cols: r)
        for j in 0..<n {
            for a in 0..<k {
                let column = j * k + a
                values[column] = base.values[j]
                for i in 0..<n { vectors.data[(i * k + a) * r + column] = base.vectors.data[i * n + j] }
            }
        }
        self.init(values: values, vectors: vectors)
    }
}
