/// The empirical neural tangent kernel K_θ[(i,a),(j,b)] = ⟨∂f_a(x_i)/∂θ, ∂f_b(x_j)/∂θ⟩ of an ``MLP``,
/// computed by the structured per-layer formula (DESIGN.md §2), never through the N·k × P Jacobian:
///
///     K = Σ_l (D_l D_lᵀ) ⊙ (c_l²·A_{l−1}A_{l−1}ᵀ + s_b²)
///
/// with D_l = ∂f/∂z_l per (sample, output) row and A_{l−1} the layer's inputs. Rows and columns are
/// sample-major: index i·k + a for sample i and output a.
///
/// The network may run in float32 (``MLPNetwork`` of `Float`): its passes and each layer's two Gram products
/// (`ssyrk`) are then single precision, and the products are converted to float64 before the Hadamard
/// accumulation, so K itself (and everything computed from it) is a float64 matrix summed in float64.
public enum EmpiricalNTK {
    /// Seeds e_a for every (sample, output), R = N·k rows, sample-major: backpropagated by
    /// ``MLP/backpropagate(_:seeds:rowsPerSample:)`` with `rowsPerSample: k` they give D_l.
    @inlinable
    public static func unitSeeds<Scalar: BLASScalar>(samples: Int, outputs k: Int, as _: Scalar.Type = Double.self) -> DenseMatrix<Scalar> {
        var s = DenseMatrix<Scalar>(rows: samples * k, cols: k)
        for i in 0..<samples {
            for a in 0..<k { s[i * k + a, a] = 1 }
        }
        return s
    }

    /// The per-(sample, output) derivatives D_l of `model` on a forward pass.
    @inlinable
    public static func outputDerivatives<Scalar>(_ model: MLPNetwork<Scalar>, _ pass: ForwardPass<Scalar>) -> [DenseMatrix<Scalar>] {
        let k = model.architecture.outputs
        return model.backpropagate(pass, seeds: unitSeeds(samples: pass.output.rows, outputs: k, as: Scalar.self), rowsPerSample: k)
    }

    /// K_θ(X, X), an (N·k) × (N·k) symmetric matrix.
    ///
    /// - Complexity: O(L·(N·k)²·width) for the Gram products (syrk) plus O(L·N·k·width²) for backpropagation;
    ///   O((N·k)² + N·k·width) memory.
    @inlinable
    public static func kernel<Scalar>(_ model: MLPNetwork<Scalar>, _ x: Matrix) -> Matrix {
        let pass = model.forward(Scalar.converting(x))
        return kernel(model.architecture, pass, derivatives: outputDerivatives(model, pass))
    }

    /// K_θ(X, X) from a forward pass and its derivatives D_l (shares work with a GD step).
    @inlinable
    public static func kernel<Scalar>(_ architecture: MLPArchitecture, _ pass: ForwardPass<Scalar>,
                                      derivatives: [DenseMatrix<Scalar>]) -> Matrix {
        let k = architecture.outputs
        let r = pass.output.rows * k
        let sb2 = architecture.biasScale * architecture.biasScale
        var result = Matrix(rows: r, cols: r)
        for l in 0..<architecture.layerCount {
            let c = architecture.weightScale(layer: l)
            let g = Scalar.float64(BLAS.gram(derivatives[l]))
            let h = Scalar.float64(BLAS.gram(pass.inputs[l], alpha: Scalar(c * c)))
            accumulate(&result, g, h, outputs: k, biasTerm: sb2)
        }
        return result
    }

    /// K_θ(X₁, X₂), an (N₁·k) × (N₂·k) matrix: the cross-kernel between two sets of inputs.
    ///
    /// - Complexity: O(L·N₁·N₂·k²·width + L·(N₁+N₂)·k·width²).
    @inlinable
    public static func kernel<Scalar>(_ model: MLPNetwork<Scalar>, _ x1: Matrix, _ x2: Matrix) -> Matrix {
        let p1 = model.forward(Scalar.converting(x1)), p2 = model.forward(Scalar.converting(x2))
        let d1 = outputDerivatives(model, p1), d2 = outputDerivatives(model, p2)
        let a = model.architecture
        let k = a.outputs
        let sb2 = a.biasScale * a.biasScale
        var result = Matrix(rows: x1.rows * k, cols: x2.rows * k)
        for l in 0..<a.layerCount {
            let c = a.weightScale(layer: l)
            let g = Scalar.float64(BLAS.product(d1[l], d2[l], transB: .transposed))
            let h = Scalar.float64(BLAS.product(p1.inputs[l], p2.inputs[l], transB: .transposed, alpha: Scalar(c * c)))
            accumulate(&result, g, h, outputs: k, biasTerm: sb2)
        }
        return result
    }

    /// result[(i,a),(j,b)] += g[(i,a),(j,b)] · (h[i,j] + biasTerm).
    @usableFromInline
    static func accumulate(_ result: inout Matrix, _ g: Matrix, _ h: Matrix, outputs k: Int, biasTerm: Double) {
        let cols = result.cols, hc = h.cols
        result.data.withUnsafeMutableBufferPointer { pr in
            g.data.withUnsafeBufferPointer { pg in
                h.data.withUnsafeBufferPointer { ph in
                    for r in 0..<result.rows {
                        let hrow = (r / k) * hc
                        let base = r * cols
                        if k == 1 {
                            for s in 0..<cols { pr[base + s] += pg[base + s] * (ph[hrow + s] + biasTerm) }
                        } else {
                            for s in 0..<cols { pr[base + s] += pg[base + s] * (ph[hrow + s / k] + biasTerm) }
                        }
                    }
                }
            }
        }
    }
}
