/// The infinite-width Σ and Θ of a residual network (``ArchitectureFamily/resnet(branchScale:)``), which
/// ``AnalyticNTK`` computes with the MLP's per-entry machinery (Docs/Architectures.md derives it).
///
/// The network: h_0 = Dense_in(x), h_l = h_{l−1} + s·Dense_l(φ(h_{l−1})) for l = 1…L, f = Dense_out(h_L), each
/// Dense with the parameterization's maps (v = nngpWeightVariance, β = nngpBiasVariance, c = ntkWeightFactor,
/// β′ = ntkBiasFactor; ``DenseLayer``) and s = ``BranchScale/factor(depth:)``. With E_0 = x·x′/d:
///
///     Σ_0 = v·E_0 + β,                     Θ_0 = c·E_0 + β′
///     Σ_l = Σ_{l−1} + s²·(v·T(Σ_{l−1}) + β)
///     Θ_l = Θ_{l−1} + s²·(c·T(Σ_{l−1}) + β′ + v·Ṫ(Σ_{l−1})·Θ_{l−1})
///     Σ = v·Σ_L + β,                       Θ = c·Σ_L + β′ + v·Θ_L          (readout on h_L, no φ)
///
/// At infinite width the skip h_{l−1} and the branch s·Dense_l(φ(h_{l−1})) are uncorrelated (the branch is linear
/// in the fresh zero-mean weights W_l), so their covariances add; likewise the cross terms of their parameter
/// gradients average to zero over W_l, so the NTKs add: the skip carries Θ_{l−1}, the branch the MLP layer's
/// terms times s² (s multiplies both the branch's value and its gradients).
enum ResidualNTK {
    /// The weight layers of the ResNet at hidden width `width`: the input layer d → n, the L block layers n → n
    /// (followed by nothing: φ acts at their input), and the readout n → k, as ``Parameterization`` defines them
    /// for the MLP's dense layers.
    static func layers(_ a: NetworkArchitecture, width: Int) -> [DenseLayer] {
        func dense(_ fanIn: Int, _ fanOut: Int, _ position: Parameterization.Position) -> DenseLayer {
            a.parameterization.layer(position: position, fanIn: fanIn, fanOut: fanOut, width: width, activation: nil,
                                     weightStd: a.weightStd, biasStd: a.biasStd, hasBias: a.hasBias)
        }
        return [dense(a.inputDim, width, .input)] + (0..<a.depth).map { _ in dense(width, width, .hidden) }
            + [dense(width, a.outputs, .readout)]
    }

    /// The readout on h_L (no activation): Σ ← v·Σ_L + β and Θ ← c·Σ_L + β′ + v·Θ_L, in place on `count` entries,
    /// with `readouts` the readout layer at each width of `thetas`.
    static func readout(_ readouts: [DenseLayer], sigma: UnsafeMutablePointer<Double>, thetas: [UnsafeMutablePointer<Double>],
                        count: Int) {
        let v = readouts[0].nngpWeightVariance, b = readouts[0].nngpBiasVariance
        for idx in 0..<count {
            let sigmaL = sigma[idx]
            for (m, theta) in thetas.enumerated() {
                theta[idx] = readouts[m].ntkWeightFactor * sigmaL + readouts[m].ntkBiasFactor + v * theta[idx]
            }
            sigma[idx] = v * sigmaL + b
        }
    }
}
