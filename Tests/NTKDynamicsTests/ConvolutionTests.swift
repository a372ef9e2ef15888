import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKModel

/// The convolution primitives (im2col, the layer's forward and backward maps, pooling, the layer's kernel term)
/// against a naive six-loop convolution written here, central finite differences of it, and a Jacobian built
/// from those differences (Docs/Conventions.md, convolutional networks).
@Suite("Convolution primitives")
struct ConvolutionTests {
    /// One test case: N images of H × W × C_in, C_out filters of K × K.
    struct Case: CustomTestStringConvertible, Sendable {
        var images: Int, height: Int, width: Int, inputChannels: Int, outputChannels: Int, kernelSize: Int
        var testDescription: String { "\(images)×\(height)×\(width)×\(inputChannels) → \(outputChannels), K=\(kernelSize)" }
        var geometry: ConvolutionGeometry {
            ConvolutionGeometry(height: height, width: width, inputChannels: inputChannels, kernelSize: kernelSize)
        }
        static let all: [Case] = [
            Case(images: 2, height: 4, width: 4, inputChannels: 1, outputChannels: 2, kernelSize: 3),
            Case(images: 3, height: 3, width: 5, inputChannels: 2, outputChannels: 3, kernelSize: 3),
            Case(images: 2, height: 3, width: 5, inputChannels: 2, outputChannels: 2, kernelSize: 1),
            Case(images: 2, height: 4, width: 3, inputChannels: 2, outputChannels: 2, kernelSize: 2),
            Case(images: 1, height: 2, width: 3, inputChannels: 1, outputChannels: 2, kernelSize: 5),
        ]
    }

    /// z[n, y, x, o] = c·Σ_{dy, dx, i} x[n, y + dy − pad, x + dx − pad, i]·W[dy, dx, i, o] + s_b·b[o], pad = ⌊(K−1)/2⌋,
    /// with x in NHWC order and W in HWIO order (flat arrays), zero outside the image: six loops, no BLAS.
    static func naiveConvolution(_ x: [Double], _ w: [Double], _ b: [Double], _ t: Case, c: Double, sb: Double) -> [Double] {
        let (h, wd, ci, co, k) = (t.height, t.width, t.inputChannels, t.outputChannels, t.kernelSize)
        let pad = (k - 1) / 2
        var z = [Double](repeating: 0, count: t.images * h * wd * co)
        for n in 0..<t.images {
            for y in 0..<h {
                for xx in 0..<wd {
                    for o in 0..<co {
                        var acc = 0.0
                        for dy in 0..<k {
                            for dx in 0..<k {
                                let sy = y + dy - pad, sx = xx + dx - pad
                                guard sy >= 0, sy < h, sx >= 0, sx < wd else { continue }
                                for i in 0..<ci {
                                    acc += x[((n * h + sy) * wd + sx) * ci + i] * w[((dy * k + dx) * ci + i) * co + o]
                                }
                            }
                        }
                        z[((n * h + y) * wd + xx) * co + o] = c * acc + sb * b[o]
                    }
                }
            }
        }
        return z
    }

    static func draw(_ count: Int, _ rng: inout RandomSource) -> [Double] { rng.normals(count) }

    @Test("im2col patches times the HWIO filters equal the naive convolution", arguments: Case.all)
    func forwardMatchesNaive(t: Case) {
        var rng = RandomSource(seed: 5, stream: 1)
        let g = t.geometry
        let x = Self.draw(t.images * g.positions * t.inputChannels, &rng)
        let w = Self.draw(g.patchLength * t.outputChannels, &rng), b = Self.draw(t.outputChannels, &rng)
        let c = 0.7, sb = 0.3
        let patches = ImagePatches.extract(Matrix(rows: t.images, cols: g.positions * t.inputChannels, data: x), geometry: g)
        #expect(patches.rows == t.images * g.positions && patches.cols == g.patchLength)
        let z = Convolution.forward(patches: patches, weights: Matrix(rows: g.patchLength, cols: t.outputChannels, data: w),
                                    bias: b, weightMultiplier: c, biasMultiplier: sb)
        let reference = Self.naiveConvolution(x, w, b, t, c: c, sb: sb)
        #expect(z.rows == t.images * g.positions && z.cols == t.outputChannels)
        #expect(maxAbsDifference(z.data, reference) < 1e-12)
    }

    @Test("backward maps equal central differences of the naive convolution", arguments: Case.all)
    func backwardMatchesFiniteDifferences(t: Case) {
        var rng = RandomSource(seed: 6, stream: 1)
        let g = t.geometry
        let x = Self.draw(t.images * g.positions * t.inputChannels, &rng)
        let w = Self.draw(g.patchLength * t.outputChannels, &rng), b = Self.draw(t.outputChannels, &rng)
        let v = Self.draw(t.images * g.positions * t.outputChannels, &rng)
        let c = 0.9, sb = 0.4
        // L = ⟨V, z⟩, whose gradient is the backward map of Δ = V.
        func loss(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
            zip(Self.naiveConvolution(x, w, b, t, c: c, sb: sb), v).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let delta = Matrix(rows: t.images * g.positions, cols: t.outputChannels, data: v)
        let weights = Matrix(rows: g.patchLength, cols: t.outputChannels, data: w)
        let patches = ImagePatches.extract(Matrix(rows: t.images * g.positions, cols: t.inputChannels, data: x), geometry: g)

        let dx = Convolution.inputGradient(delta: delta, weights: weights, weightMultiplier: c, geometry: g)
        let dw = Convolution.weightGradient(patches: patches, delta: delta, weightMultiplier: c)
        let db = Convolution.biasGradient(delta: delta, biasMultiplier: sb)
        let fdx = centralDifferenceGradient({ loss($0, w, b) }, at: x, step: 1e-4)
        let fdw = centralDifferenceGradient({ loss(x, $0, b) }, at: w, step: 1e-4)
        let fdb = centralDifferenceGradient({ loss(x, w, $0) }, at: b, step: 1e-4)
        #expect(dx.rows == t.images * g.positions && dx.cols == t.inputChannels)
        #expect(maxAbsDifference(dx.data, fdx) < 1e-8)
        #expect(maxAbsDifference(dw.data, fdw) < 1e-8)
        #expect(maxAbsDifference(db, fdb) < 1e-8)
    }

    @Test("col2im is the adjoint of im2col: ⟨im2col(x), Y⟩ = ⟨x, col2im(Y)⟩", arguments: Case.all)
    func col2imIsAdjoint(t: Case) {
        var rng = RandomSource(seed: 7, stream: 1)
        let g = t.geometry
        let x = Matrix(rows: t.images * g.positions, cols: t.inputChannels, data: Self.draw(t.images * g.positions * t.inputChannels, &rng))
        let y = Matrix(rows: t.images * g.positions, cols: g.patchLength, data: Self.draw(t.images * g.positions * g.patchLength, &rng))
        let left = zip(ImagePatches.extract(x, geometry: g).data, y.data).reduce(0) { $0 + $1.0 * $1.1 }
        let right = zip(x.data, ImagePatches.accumulate(y, geometry: g).data).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(left - right) <= 1e-12 * max(1, abs(left)))
    }

    @Test("gap and flatten, forward and backward, against the mean and the HWC order", arguments: [Pooling.gap, .flatten])
    func pooling(pooling: Pooling) {
        var rng = RandomSource(seed: 8, stream: 1)
        let (n, hw, c) = (3, 6, 2)
        let map = Matrix(rows: n * hw, cols: c, data: Self.draw(n * hw * c, &rng))
        let pooled = SpatialPooling.forward(map, pooling: pooling, positions: hw)
        // Naive: the mean over positions of each channel, or the row of sample n in HWC order.
        var reference: [Double] = []
        for s in 0..<n {
            switch pooling {
            case .gap: reference += (0..<c).map { ch in (0..<hw).reduce(0) { $0 + map[s * hw + $1, ch] } / Double(hw) }
            case .flatten: reference += (0..<hw).flatMap { p in (0..<c).map { map[s * hw + p, $0] } }
            }
        }
        #expect(pooled.rows == n && pooled.cols == (pooling == .gap ? c : hw * c))
        #expect(maxAbsDifference(pooled.data, reference) < 1e-14)
        // Backward: the gradient of ⟨V, pool(map)⟩ by central differences.
        let v = Self.draw(pooled.data.count, &rng)
        let back = SpatialPooling.backward(Matrix(rows: n, cols: pooled.cols, data: v), pooling: pooling, positions: hw, channels: c)
        let fd = centralDifferenceGradient({ values in
            let p = SpatialPooling.forward(Matrix(rows: n * hw, cols: c, data: values), pooling: pooling, positions: hw)
            return zip(p.data, v).reduce(0) { $0 + $1.0 * $1.1 }
        }, at: map.data, step: 1e-4)
        #expect(back.rows == n * hw && back.cols == c)
        #expect(maxAbsDifference(back.data, fd) < 1e-10)
    }

    /// The explicit Jacobian of f_r = ⟨D_r, z_(r/k)⟩ (z the naive convolution of sample r/k) with respect to W and b,
    /// by central differences: the layer's rows of the network Jacobian when D_r = ∂f_r/∂z.
    static func layerJacobian(_ x: [Double], _ d: [Double], rows: Int, _ t: Case, w: [Double], b: [Double],
                              c: Double, sb: Double) -> [[Double]] {
        let hw = t.height * t.width, co = t.outputChannels, k = rows / t.images
        let theta = w + b
        let perImage = hw * t.inputChannels
        return (0..<rows).map { r in
            let i = r / k
            let single = Case(images: 1, height: t.height, width: t.width, inputChannels: t.inputChannels, outputChannels: co,
                              kernelSize: t.kernelSize)
            let xi = Array(x[(i * perImage)..<((i + 1) * perImage)])
            let dr = Array(d[(r * hw * co)..<((r + 1) * hw * co)])
            return centralDifferenceGradient({ th in
                let z = Self.naiveConvolution(xi, Array(th[0..<w.count]), Array(th[w.count...]), single, c: c, sb: sb)
                return zip(z, dr).reduce(0) { $0 + $1.0 * $1.1 }
            }, at: theta, step: 1e-4)
        }
    }

    @Test("the layer's kernel term equals r·J Jᵀ of its explicit Jacobian, also in thin slices and across two input sets",
          arguments: [(Case.all[0], 1), (Case.all[1], 2), (Case.all[2], 1), (Case.all[3], 2)])
    func kernelTermMatchesJacobian(t: Case, outputs k: Int) {
        var rng = RandomSource(seed: 9, stream: 1)
        let g = t.geometry, hw = g.positions, co = t.outputChannels, rows = t.images * k
        let x = Self.draw(t.images * hw * t.inputChannels, &rng)
        let w = Self.draw(g.patchLength * co, &rng), b = Self.draw(co, &rng)
        let d = Self.draw(rows * hw * co, &rng)
        let (c, sb, rate) = (0.8, 0.5, 1.7)
        let j = Self.layerJacobian(x, d, rows: rows, t, w: w, b: b, c: c, sb: sb)
        let reference = Reference.weightedKernel(j, j, rates: [Double](repeating: rate, count: j[0].count))

        let patches = ImagePatches.extract(Matrix(rows: t.images * hw, cols: t.inputChannels, data: x), geometry: g)
        let derivatives = Matrix(rows: rows * hw, cols: co, data: d)
        let factors = ConvolutionFactors(weightMultiplier: c, biasMultiplier: sb, learningRateScale: rate)
        for entries in [ConvolutionKernel.panelEntries, rows * co] {
            var kernel = Matrix(rows: rows, cols: rows)
            ConvolutionKernel.accumulate(into: &kernel, patches: patches, derivatives: derivatives, positions: hw, layer: factors,
                                         sliceEntries: entries)
            #expect(relativeFrobeniusError(kernel, reference) < 1e-8, "slices of \(entries) entries")
            var cross = Matrix(rows: rows, cols: rows)
            ConvolutionKernel.accumulate(into: &cross, patches1: patches, derivatives1: derivatives, patches2: patches,
                                         derivatives2: derivatives, positions: hw, layer: factors, sliceEntries: entries)
            #expect(relativeFrobeniusError(cross, reference) < 1e-8, "cross kernel, slices of \(entries) entries")
        }
    }

    @Test("the cross term between two input sets equals r·J₁ J₂ᵀ")
    func crossKernelTermMatchesJacobian() {
        let t1 = Case.all[1]
        var t2 = t1
        t2.images = 2
        var rng = RandomSource(seed: 10, stream: 1)
        let g = t1.geometry, hw = g.positions, co = t1.outputChannels, k = 2
        let w = Self.draw(g.patchLength * co, &rng), b = Self.draw(co, &rng)
        let x1 = Self.draw(t1.images * hw * t1.inputChannels, &rng), x2 = Self.draw(t2.images * hw * t2.inputChannels, &rng)
        let d1 = Self.draw(t1.images * k * hw * co, &rng), d2 = Self.draw(t2.images * k * hw * co, &rng)
        let (c, sb) = (0.6, 0.2)
        let j1 = Self.layerJacobian(x1, d1, rows: t1.images * k, t1, w: w, b: b, c: c, sb: sb)
        let j2 = Self.layerJacobian(x2, d2, rows: t2.images * k, t2, w: w, b: b, c: c, sb: sb)
        let reference = Reference.weightedKernel(j1, j2, rates: [Double](repeating: 1, count: j1[0].count))
        var cross = Matrix(rows: t1.images * k, cols: t2.images * k)
        ConvolutionKernel.accumulate(into: &cross,
                                     patches1: ImagePatches.extract(Matrix(rows: t1.images * hw, cols: t1.inputChannels, data: x1), geometry: g),
                                     derivatives1: Matrix(rows: t1.images * k * hw, cols: co, data: d1),
                                     patches2: ImagePatches.extract(Matrix(rows: t2.images * hw, cols: t2.inputChannels, data: x2), geometry: g),
                                     derivatives2: Matrix(rows: t2.images * k * hw, cols: co, data: d2),
                                     positions: hw, layer: ConvolutionFactors(weightMultiplier: c, biasMultiplier: sb), sliceEntries: 7)
        #expect(relativeFrobeniusError(cross, reference) < 1e-8)
    }

    @Test("Δ ⊙ φ′ with several seed maps per sample multiplies each by its sample's φ′")
    func multiplyBySampleDerivative() {
        var rng = RandomSource(seed: 11, stream: 1)
        let (n, k, hw, c) = (2, 3, 4, 2)
        let phi = Matrix(rows: n * hw, cols: c, data: Self.draw(n * hw * c, &rng))
        var delta = Matrix(rows: n * k * hw, cols: c, data: Self.draw(n * k * hw * c, &rng))
        let before = delta
        Convolution.multiply(&delta, by: phi, rowsPerSample: k, positions: hw)
        for r in 0..<(n * k) {
            for p in 0..<hw {
                for ch in 0..<c {
                    #expect(delta[r * hw + p, ch] == before[r * hw + p, ch] * phi[(r / k) * hw + p, ch])
                }
            }
        }
    }
}

/// max_i |a_i − b_i|.
private func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "lengths \(a.count) and \(b.count) differ")
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
