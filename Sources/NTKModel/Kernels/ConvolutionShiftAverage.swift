/// The kernel operator of a SAME, stride-1, K × K convolution (stax `Conv`; Docs/Architectures.md):
/// 𝒜(M)[p, q] = (1/K²)·Σ_δ M[p + δ, q + δ] over the K² filter offsets δ = (δ_r, δ_c), δ_r, δ_c ∈ [−⌊(K−1)/2⌋,
/// K − 1 − ⌊(K−1)/2⌋] (lax's SAME padding), entries outside the H × W image counting 0 and the sum always
/// divided by K², also at the borders. The offset is separable: a pass over δ_r (the rows of both positions
/// shift together), then one over δ_c, K + K additions per entry instead of K².
///
/// With `fullPairs` M holds all (H·W)² position pairs, entry (p, q) at p·H·W + q with p = r·W + c; without, it holds
/// the H·W same-position entries (p, p), at p, which 𝒜 maps to themselves.
struct ConvolutionShiftAverage {
    let shape: ConvolutionShape
    let fullPairs: Bool

    /// Writes 𝒜(`src`) to `dst`, using `scratch` (as many entries as `src`). `src` and `dst` may not alias.
    func apply(_ src: UnsafePointer<Double>, into dst: UnsafeMutablePointer<Double>, scratch tmp: UnsafeMutablePointer<Double>) {
        if fullPairs {
            rowPassFull(src, tmp)
            columnPassFull(UnsafePointer(tmp), dst)
        } else {
            rowPassDiagonal(src, tmp)
            columnPassDiagonal(UnsafePointer(tmp), dst)
        }
    }

    private var low: Int { (shape.kernelSize - 1) / 2 }
    private var high: Int { shape.kernelSize - 1 - low }

    /// tmp[r1, c1, r2, c2] = Σ_δ src[r1 + δ, c1, r2 + δ, c2].
    private func rowPassFull(_ src: UnsafePointer<Double>, _ tmp: UnsafeMutablePointer<Double>) {
        let h = shape.height, w = shape.width, p = shape.positions
        for r1 in 0..<h {
            for r2 in 0..<h {
                let from = Swift.max(-low, -r1, -r2), to = Swift.min(high, h - 1 - r1, h - 1 - r2)
                for c1 in 0..<w {
                    let out = tmp + (r1 * w + c1) * p + r2 * w
                    for c2 in 0..<w { out[c2] = 0 }
                    if from > to { continue }
                    for delta in from...to {
                        let input = src + ((r1 + delta) * w + c1) * p + (r2 + delta) * w
                        for c2 in 0..<w { out[c2] += input[c2] }
                    }
                }
            }
        }
    }

    /// dst[r1, c1, r2, c2] = (1/K²)·Σ_δ tmp[r1, c1 + δ, r2, c2 + δ].
    private func columnPassFull(_ tmp: UnsafePointer<Double>, _ dst: UnsafeMutablePointer<Double>) {
        let h = shape.height, w = shape.width, p = shape.positions
        let k2 = Double(shape.kernelSize * shape.kernelSize)
        for r1 in 0..<h {
            for c1 in 0..<w {
                for r2 in 0..<h {
                    let rowBase = (r1 * w + c1) * p + r2 * w
                    for c2 in 0..<w {
                        let from = Swift.max(-low, -c1, -c2), to = Swift.min(high, w - 1 - c1, w - 1 - c2)
                        var s = 0.0
                        if from <= to {
                            for delta in from...to { s += tmp[rowBase + delta * p + c2 + delta] }
                        }
                        dst[rowBase + c2] = s / k2
                    }
                }
            }
        }
    }

    /// tmp[r, c] = Σ_δ src[r + δ, c] on the same-position entries.
    private func rowPassDiagonal(_ src: UnsafePointer<Double>, _ tmp: UnsafeMutablePointer<Double>) {
        let h = shape.height, w = shape.width
        for r in 0..<h {
            let from = Swift.max(-low, -r), to = Swift.min(high, h - 1 - r)
            for c in 0..<w {
                var s = 0.0
                if from <= to {
                    for delta in from...to { s += src[(r + delta) * w + c] }
                }
                tmp[r * w + c] = s
            }
        }
    }

    /// dst[r, c] = (1/K²)·Σ_δ tmp[r, c + δ] on the same-position entries.
    private func columnPassDiagonal(_ tmp: UnsafePointer<Double>, _ dst: UnsafeMutablePointer<Double>) {
        let h = shape.height, w = shape.width
        let k2 = Double(shape.kernelSize * shape.kernelSize)
        for r in 0..<h {
            for c in 0..<w {
                let from = Swift.max(-low, -c), to = Swift.min(high, w - 1 - c)
                var s = 0.0
                if from <= to {
                    for delta in from...to { s += tmp[r * w + c + delta] }
                }
                dst[r * w + c] = s / k2
            }
        }
    }
}
