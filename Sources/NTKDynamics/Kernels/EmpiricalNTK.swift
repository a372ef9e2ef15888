/// The empirical neural tangent kernel K_θ[(i,a),(j,b)] = ⟨∂f_a(x_i)/∂θ, ∂f_b(x_j)/∂θ⟩ of an ``MLP``,
/// computed by the structured per-layer formula (DESIGN.md §2), never through the N·k × P Jacobian:
///
///     K = Σ_l (D_l D_lᵀ) ⊙ (c_l²·A_{l−1}A_{l−1}ᵀ + s_b²)
///
/// with D_l = ∂f/∂z_l per (sample, output) row and A_{l−1} the layer's inputs. Rows and columns are
/// sample-major: index i·k + a for sample i and output a.
public enum EmpiricalNTK {
    /// Seeds e_a for every (sample, output), R = N·k rows, sample-major: backpropagated by
    /// ``MLP/backpropagate(_:seeds:rowsPerSample:)`` with `rowsPerSample: k` they give D_l.
    public static func unitSeeds(samples: Int, outputs k: Int) -> Matrix {
        var s = Matrix(rows: samples * k, cols: k)
        for i in 0..<samples {
            for a in 0..<k { s[i * k + a, a] = 1 }
        }
        return s
    }

    /// The per-(sample, output) derivatives D_l of `model` on a forward pass.
    public static func outputDerivatives(_ model: MLP, _ pass: ForwardPass) -> [Matrix] {
        let k = model.architecture.outputs
        return model.backpropagate(pass, seeds: unitSeeds(samples: pass.output.rows, outputs: k), rowsPerSample: k)
    }

    /// K_θ(X, X), an (N·k) × (N·k) symmetric matrix.
    ///
    /// - Complexity: O(L·(N·k)²·width) for the Gram products (syrk) plus O(L·N·k·width²) for backpropagation;
    ///   O((N·k)² + N·k·width) memory.
    public static func kernel(_ model: MLP, _ x: Matrix) -> Matrix {
        let pass = model.forward(x)
        return kernel(model.architecture, pass, derivatives: outputDerivatives(model, pass))
    }

    /// K_θ(X, X) from a forward pass and its derivatives D_l (shares work with a GD step).
    public static func kernel(_ architecture: MLPArchitecture, _ pass: ForwardPass, derivatives: [Matrix]) -> Matrix {
        let k = architecture.outputs
        let r = pass.output.rows * k
        let sb2 = architecture.biasScale * architecture.biasScale
        var result = Matrix(rows: r, cols: r)
        for l in 0..<architecture.layerCount {
            let c = architecture.weightScale(layer: l)
            let g = BLAS.gram(derivatives[l])
            let h = BLAS.gram(pass.inputs[l], alpha: c * c)
            accumulate(&result, g, h, outputs: k, biasTerm: sb2)
        }
        return result
    }

    /// K_θ(X₁, X₂), an (N₁·k) × (N₂·k) matrix: the cross-kernel between two sets of inputs.
    ///
    /// - Complexity: O(L·N₁·N₂·k²·width + L·(N₁+N₂)·k·width²).
    public static func kernel(_ model: MLP, _ x1: Matrix, _ x2: Matrix) -> Matrix {
        let p1 = model.forward(x1), p2 = model.forward(x2)
        let d1 = outputDerivatives(model, p1), d2 = outputDerivatives(model, p2)
        let a = model.architecture
        let k = a.outputs
        let sb2 = a.biasScale * a.biasScale
        var result = Matrix(rows: x1.rows * k, cols: x2.rows * k)
        for l in 0..<a.layerCount {
            let c = a.weightScale(layer: l)
            let g = BLAS.product(d1[l], d2[l], transB: .transposed)
            let h = BLAS.product(p1.inputs[l], p2.inputs[l], transB: .transposed, alpha: c * c)
            accumulate(&result, g, h, outputs: k, biasTerm: sb2)
        }
        return result
    }

    /// result[(i,a),(j,b)] += g[(i,a),(j,b)] · (h[i,j] + biasTerm).
    private static func accumulate(_ result: inout Matrix, _ g: Matrix, _ h: Matrix, outputs k: Int, biasTerm: Double) {
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
