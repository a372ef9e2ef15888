import NTKDynamics

/// Floating-point operation counts of the hot paths (a multiply-add counts 2), for GFLOP/s figures.
///
/// With layer sizes n_0 … n_{L} (L = depth + 1 weight layers), N samples and k outputs (R = N·k):
/// - forward:  Σ_l 2·N·n_l·n_{l+1}
/// - GD step:  forward + weight gradients Σ_l 2·N·n_l·n_{l+1} + backward signals Σ_{l≥1} 2·N·n_l·n_{l+1}
/// - NTK:      forward + derivatives Σ_{l≥1} 2·R·n_l·n_{l+1} + Gram products Σ_l (R²·n_{l+1} + N²·n_l)
///             (a symmetric rank-n product, syrk, costs n·N·(N+1) ≈ N²·n flops)
enum FlopCounts {
    static func forward(_ a: NetworkArchitecture, samples n: Int) -> Double {
        let s = a.layerSizes
        return (0..<a.layerCount).reduce(0) { $0 + 2 * Double(n) * Double(s[$1]) * Double(s[$1 + 1]) }
    }

    static func backward(_ a: NetworkArchitecture, rows r: Int) -> Double {
        let s = a.layerSizes
        return (1..<max(a.layerCount, 1)).reduce(0) { $0 + 2 * Double(r) * Double(s[$1]) * Double(s[$1 + 1]) }
    }

    static func gradientDescentStep(_ a: NetworkArchitecture, samples n: Int) -> Double {
        2 * forward(a, samples: n) + backward(a, rows: n)
    }

    static func kernel(_ a: NetworkArchitecture, samples n: Int) -> Double {
        let s = a.layerSizes
        let r = Double(n * a.outputs)
        let grams = (0..<a.layerCount).reduce(0.0) { $0 + r * r * Double(s[$1 + 1]) + Double(n) * Double(n) * Double(s[$1]) }
        return forward(a, samples: n) + backward(a, rows: n * a.outputs) + grams
    }
}
