import NTKDynamics

/// The two ways of forming a convolution layer's term of the empirical NTK (Docs/Performance.md, "CNN kernel:
/// per-sample gradients or Gram products"), timed on the same patches and derivatives:
///
/// - per-sample gradients (the library's ``ConvolutionKernel``): G_i = c·P_iᵀ·D_i per sample, then one syrk of the
///   N × K²·C_in·C_out matrix G: 2·N·HW·K²C_in·C_out + N²·K²C_in·C_out flops;
/// - Gram products over positions (kept here only to be measured): K_ij = Σ_{p,q} ⟨D_ip, D_jq⟩·(c²⟨P_ip, P_jq⟩ + s_b²)
///   from the (N·HW)² Gram matrices of D and P, in panels of samples: (N·HW)²·(K²C_in + C_out) flops for the upper
///   triangle, HW² times the syrk's.
enum ConvolutionKernelChoice {
    /// The Gram-product form for k = 1 (one derivative map per sample), the upper triangle in panels of
    /// `panelSamples` samples, mirrored at the end.
    static func gramProducts(patches: Matrix, derivatives: Matrix, positions hw: Int, layer: ConvolutionFactors,
                             panelSamples: Int = 8) -> Matrix {
        let n = patches.rows / hw
        precondition(derivatives.rows == n * hw, "the Gram-product form is written for k = 1")
        let pl = patches.cols, cOut = derivatives.cols
        var result = Matrix(rows: n, cols: n)
        let c2 = layer.weightMultiplier * layer.weightMultiplier, sb2 = layer.biasMultiplier * layer.biasMultiplier
        for i0 in stride(from: 0, to: n, by: panelSamples) {
            let i1 = min(i0 + panelSamples, n)
            let panelRows = (i1 - i0) * hw, columns = (n - i0) * hw
            var dGram = Matrix(rows: panelRows, cols: columns), pGram = Matrix(rows: panelRows, cols: columns)
            derivatives.data.withUnsafeBufferPointer { pd in
                dGram.data.withUnsafeMutableBufferPointer { pg in
                    Double.gemm(.none, .transposed, m: panelRows, n: columns, k: cOut, alpha: 1, pd.baseAddress! + i0 * hw * cOut, lda: cOut,
                                pd.baseAddress! + i0 * hw * cOut, ldb: cOut, beta: 0, pg.baseAddress!, ldc: columns)
                }
            }
            patches.data.withUnsafeBufferPointer { pp in
                pGram.data.withUnsafeMutableBufferPointer { pg in
                    Double.gemm(.none, .transposed, m: panelRows, n: columns, k: pl, alpha: c2, pp.baseAddress! + i0 * hw * pl, lda: pl,
                                pp.baseAddress! + i0 * hw * pl, ldb: pl, beta: 0, pg.baseAddress!, ldc: columns)
                }
            }
            for i in i0..<i1 {
                for j in i..<n {
                    var sum = 0.0
                    for p in 0..<hw {
                        let base = ((i - i0) * hw + p) * columns + (j - i0) * hw
                        for q in 0..<hw { sum += dGram.data[base + q] * (pGram.data[base + q] + sb2) }
                    }
                    result[i, j] = layer.learningRateScale * sum
                }
            }
        }
        BLAS.symmetrizeFromUpper(&result)
        return result
    }
}

extension Benchmark {
    /// Times both forms on one hidden convolution of the workload (N images of 8 × 8 with `channels` in and out
    /// channels, K = 3, k = 1) and prints their times, rates and the largest relative difference between them.
    func measureConvolutionKernelChoice(samples n: Int, channels: Int, dgemmRate: Double) {
        let geometry = ConvolutionGeometry(height: 8, width: 8, inputChannels: channels, kernelSize: 3)
        let hw = geometry.positions, pl = geometry.patchLength
        var rng = RandomSource(seed: 3)
        let map = Matrix(rows: n * hw, cols: channels, data: rng.normals(n * hw * channels))
        let patches = ImagePatches.extract(map, geometry: geometry)
        let derivatives = Matrix(rows: n * hw, cols: channels, data: rng.normals(n * hw * channels))
        let layer = ConvolutionFactors(weightMultiplier: 1.5 / Double(pl).squareRoot(), biasMultiplier: 0.05)
        var perSample = Matrix(rows: n, cols: n)
        let tPerSample = medianSeconds(repetitions: repetitions) {
            perSample = Matrix(rows: n, cols: n)
            ConvolutionKernel.accumulate(into: &perSample, patches: patches, derivatives: derivatives, positions: hw, layer: layer)
        }
        let (nd, hwd, pld, cd) = (Double(n), Double(hw), Double(pl), Double(channels))
        let perSampleFlops = 2 * nd * hwd * pld * cd + nd * nd * (pld + 1) * cd
        var gram = Matrix(rows: n, cols: n)
        let tGram = medianSeconds(repetitions: 1, warmup: 0) {
            gram = ConvolutionKernelChoice.gramProducts(patches: patches, derivatives: derivatives, positions: hw, layer: layer)
        }
        let gramFlops = (nd * hwd) * (nd * hwd) * (pld + cd)
        let difference = perSample.frobeniusDistance(to: gram) / gram.frobeniusNorm
        for (name, t, flops) in [("per-sample gradients", tPerSample, perSampleFlops), ("Gram products", tGram, gramFlops)] {
            print("cnn kernel term, \(name): " + String(format: "N=%d 8x8 C=%d K=3  %9.1f ms  %7.1f GFLOP  %6.1f GFLOP/s  %.2f× dgemm time",
                                                         n, channels, t * 1e3, flops / 1e9, flops / t / 1e9, t / (flops / dgemmRate)))
        }
        print(String(format: "cnn kernel term: Gram products / per-sample gradients = %.1f× the time; relative difference %.1e",
                     tGram / tPerSample, difference))
    }
}
