import Foundation
import NTKTestSupport
@testable import NTKDynamics

/// The CNN kernel recursion of Docs/Architectures.md written out with plain loops: full (H·W)² covariance
/// matrices for (x, x), (y, y) and (x, y), the conv kernel operator as a K² loop over filter offsets with bounds
/// checks, the kernel maps from ``KernelMapReference``. Shares no code with ``ConvolutionalNTK``.
enum NaiveConvolutionalKernel {
    static func kernels(_ x: [Double], _ y: [Double], _ a: NetworkArchitecture, _ shape: ConvolutionShape) -> (nngp: Double, ntk: Double) {
        let (h, w, c0, k) = (shape.height, shape.width, shape.inputChannels, shape.kernelSize)
        let p = h * w, low = (k - 1) / 2, n = a.width
        let ntkParam = a.parameterization == .ntk
        let w2 = a.weightStd * a.weightStd, b2 = a.biasStd * a.biasStd
        let fanIns = [c0 * k * k] + Array(repeating: n * k * k, count: a.depth - 1) + [shape.pooling == .gap ? n : p * n]
        let weightFactor = fanIns.map { ntkParam ? w2 : Double($0) }, biasFactor = ntkParam ? b2 : 1
        func average(_ m: [[Double]]) -> [[Double]] {
            (0..<p).map { pp in
                (0..<p).map { qq in
                    var s = 0.0
                    for dr in -low...(k - 1 - low) {
                        for dc in -low...(k - 1 - low) {
                            let (r1, c1, r2, c2) = (pp / w + dr, pp % w + dc, qq / w + dr, qq % w + dc)
                            if r1 >= 0 && r1 < h && c1 >= 0 && c1 < w && r2 >= 0 && r2 < h && c2 >= 0 && c2 < w {
                                s += m[r1 * w + c1][r2 * w + c2]
                            }
                        }
                    }
                    return s / Double(k * k)
                }
            }
        }
        func inputCovariance(_ u: [Double], _ v: [Double]) -> [[Double]] {
            (0..<p).map { pp in (0..<p).map { qq in (0..<c0).reduce(0.0) { $0 + u[pp * c0 + $1] * v[qq * c0 + $1] } / Double(c0) } }
        }
        func affine(_ m: [[Double]], _ scale: Double, _ shift: Double) -> [[Double]] { m.map { $0.map { scale * $0 + shift } } }
        // T and Ṫ of (row variances, covariance, column variances); `same` marks a covariance of an input with itself.
        func maps(_ rowVar: [[Double]], _ cov: [[Double]], _ colVar: [[Double]], same: Bool) -> (t: [[Double]], tDot: [[Double]]) {
            var t = cov, d = cov
            for pp in 0..<p {
                for qq in 0..<p {
                    let q1 = rowVar[pp][pp], q2 = colVar[qq][qq]
                    // relu on the exact diagonal: θ = 0, T = q/2, Ṫ = 1/2 (no acos of a rounded 1).
                    let m = same && pp == qq && a.activation == .relu ? (q1 / 2, 0.5)
                        : KernelMapReference.maps(a.activation, q1: q1, c: cov[pp][qq], q2: q2)
                    (t[pp][qq], d[pp][qq]) = (m.0, m.1)
                }
            }
            return (t, d)
        }
        let e0 = average(inputCovariance(x, y))
        var sxx = affine(average(inputCovariance(x, x)), w2, b2), syy = affine(average(inputCovariance(y, y)), w2, b2)
        var sxy = affine(e0, w2, b2), theta = affine(e0, weightFactor[0], biasFactor)
        for l in 1...a.depth {
            let mxy = maps(sxx, sxy, syy, same: x == y)
            if l == a.depth {
                let entries = shape.pooling == .gap ? (0..<p).flatMap { pp in (0..<p).map { (pp, $0) } } : (0..<p).map { ($0, $0) }
                let meanT = entries.reduce(0.0) { $0 + mxy.t[$1.0][$1.1] } / Double(entries.count)
                let meanD = entries.reduce(0.0) { $0 + mxy.tDot[$1.0][$1.1] * theta[$1.0][$1.1] } / Double(entries.count)
                return (w2 * meanT + b2, weightFactor[l] * meanT + biasFactor + w2 * meanD)
            }
            let product = (0..<p).map { pp in (0..<p).map { mxy.tDot[pp][$0] * theta[pp][$0] } }
            theta = zip(affine(average(mxy.t), weightFactor[l], biasFactor), affine(average(product), w2, 0)).map { zip($0, $1).map { $0 + $1 } }
            sxy = affine(average(mxy.t), w2, b2)
            sxx = affine(average(maps(sxx, sxx, sxx, same: true).t), w2, b2)
            syy = affine(average(maps(syy, syy, syy, same: true).t), w2, b2)
        }
        preconditionFailure("depth ≥ 1")
    }
}

/// A CNN of one output (ntk parameterization, stax `Conv` conventions) drawn and run with plain loops: SAME zero
/// padding, stride 1, z = σ_w/√(C_in·K²)·Σ W·a + σ_b·b with HWIO filters, φ after each convolution, then the
/// pooling and a dense readout.
enum NaiveConvolutionalNetwork {
    /// f(x) and f(y) for one random network.
    static func outputs(_ x: [Double], _ y: [Double], _ a: NetworkArchitecture, _ shape: ConvolutionShape,
                        rng: inout RandomSource) -> (Double, Double) {
        let (h, w, k, n) = (shape.height, shape.width, shape.kernelSize, a.width)
        let p = h * w, low = (k - 1) / 2
        var channels = shape.inputChannels
        var xs = x, ys = y
        for _ in 0..<a.depth {
            let filters = (0..<(k * k * channels * n)).map { _ in rng.normal() }, biases = (0..<n).map { _ in rng.normal() }
            let multiplier = a.weightStd / Double(channels * k * k).squareRoot(), cin = channels
            func convolve(_ image: [Double]) -> [Double] {
                var z = [Double](repeating: 0, count: p * n)
                for r in 0..<h {
                    for c in 0..<w {
                        for o in 0..<n {
                            var s = 0.0
                            for fr in 0..<k {
                                for fc in 0..<k {
                                    let (rr, cc) = (r + fr - low, c + fc - low)
                                    guard rr >= 0 && rr < h && cc >= 0 && cc < w else { continue }
                                    for i in 0..<cin { s += filters[((fr * k + fc) * cin + i) * n + o] * image[(rr * w + cc) * cin + i] }
                                }
                            }
                            z[(r * w + c) * n + o] = Reference.phi(a.activation, multiplier * s + a.biasStd * biases[o])
                        }
                    }
                }
                return z
            }
            xs = convolve(xs)
            ys = convolve(ys)
            channels = n
        }
        func pool(_ v: [Double]) -> [Double] {
            shape.pooling == .flatten ? v : (0..<n).map { o in (0..<p).reduce(0.0) { $0 + v[$1 * n + o] } / Double(p) }
        }
        let (px, py) = (pool(xs), pool(ys))
        let readout = (0..<px.count).map { _ in rng.normal() }, bias = rng.normal()
        let m = a.weightStd / Double(px.count).squareRoot()
        func dense(_ v: [Double]) -> Double { m * zip(v, readout).reduce(0.0) { $0 + $1.0 * $1.1 } + a.biasStd * bias }
        return (dense(px), dense(py))
    }

    /// The mean and standard error of f(x)f(y) over `draws` independent networks.
    static func monteCarlo(_ a: NetworkArchitecture, _ shape: ConvolutionShape, _ x: [Double], _ y: [Double], draws: Int,
                           rng: inout RandomSource) -> NaiveResidualNetwork.Estimate {
        var s = 0.0, s2 = 0.0
        for _ in 0..<draws {
            let (fx, fy) = outputs(x, y, a, shape, rng: &rng)
            s += fx * fy
            s2 += fx * fy * fx * fy
        }
        let n = Double(draws), mean = s / n
        return .init(mean: mean, error: (max(s2 / n - mean * mean, 0) / (n - 1)).squareRoot())
    }
}
