/// The geometry of one SAME, stride-1 convolution with K × K filters on H × W images of C_in channels
/// (Docs/Conventions.md, convolutional networks; stax `Conv(padding='SAME')`).
///
/// Feature maps are stored as (N·H·W) × C matrices: row (n·H + y)·W + x holds the C channels of image n at
/// position (y, x). This is the same memory as N rows of H·W·C inputs in HWC order (``ImageShape``), so an input
/// batch needs no reshuffling. Filter tap (dy, dx) reads position (y + dy − pad, x + dx − pad) with
/// pad = ⌊(K − 1)/2⌋ (XLA's SAME padding, low side), and zero outside the image.
public struct ConvolutionGeometry: Equatable, Hashable, Sendable {
    /// H.
    public var height: Int
    /// W.
    public var width: Int
    /// C_in, the channels of the input feature map.
    public var inputChannels: Int
    /// K, the filter size.
    public var kernelSize: Int

    public init(height: Int, width: Int, inputChannels: Int, kernelSize: Int) {
        precondition(height >= 1 && width >= 1 && inputChannels >= 1 && kernelSize >= 1, "a convolution needs positive sizes")
        self.height = height
        self.width = width
        self.inputChannels = inputChannels
        self.kernelSize = kernelSize
    }

    /// H·W.
    @inlinable public var positions: Int { height * width }
    /// K·K·C_in, the length of one patch: the rows of the (K·K·C_in) × C_out HWIO weight matrix, and the fan-in.
    @inlinable public var patchLength: Int { kernelSize * kernelSize * inputChannels }
    /// ⌊(K − 1)/2⌋, the zero padding before the first row and column.
    @inlinable public var padding: Int { (kernelSize - 1) / 2 }
}

/// im2col and its adjoint for ``ConvolutionGeometry`` (Docs/Conventions.md, convolutional networks).
///
/// Patch row (n·H + y)·W + x, column (dy·K + dx)·C_in + c holds input channel c of image n at position
/// (y + dy − pad, x + dx − pad), or 0 outside the image: HWI order, so that patches · W with W the
/// (K·K·C_in) × C_out HWIO filter matrix (stax's HWIO array reshaped) is the convolution.
public enum ImagePatches {
    /// The (N·H·W) × (K·K·C_in) patches of a feature map of N images (any matrix whose row-major storage holds
    /// N·H·W·C_in entries in NHWC order: N × H·W·C_in image rows, or an (N·H·W) × C_in map).
    ///
    /// - Complexity: N·H·W·K²·C_in copies, one contiguous run of up to K·C_in entries per (position, filter row).
    @inlinable
    public static func extract<Scalar: BLASScalar>(_ map: DenseMatrix<Scalar>, geometry g: ConvolutionGeometry) -> DenseMatrix<Scalar> {
        let c = g.inputChannels, hw = g.positions, pl = g.patchLength
        precondition(map.data.count % (hw * c) == 0, "a feature map of \(map.rows)×\(map.cols) is not a whole number of \(g.height)×\(g.width)×\(c) images")
        let images = map.data.count / (hw * c)
        var patches = DenseMatrix<Scalar>(rows: images * hw, cols: pl)
        guard images > 0 else { return patches }
        map.data.withUnsafeBufferPointer { src in
            patches.data.withUnsafeMutableBufferPointer { dst in
                forEachRun(images: images, geometry: g) { patchAt, mapAt, count in
                    (dst.baseAddress! + patchAt).update(from: src.baseAddress! + mapAt, count: count)
                }
            }
        }
        return patches
    }

    /// The adjoint of ``extract(_:geometry:)`` (col2im): the (N·H·W) × C_in map whose entry at (n, y, x, c) is the
    /// sum of the patch entries that copied it. Backpropagation sends ∂/∂patches to ∂/∂map this way.
    ///
    /// - Complexity: N·H·W·K²·C_in additions.
    @inlinable
    public static func accumulate<Scalar: BLASScalar>(_ patches: DenseMatrix<Scalar>, geometry g: ConvolutionGeometry) -> DenseMatrix<Scalar> {
        let c = g.inputChannels, hw = g.positions, pl = g.patchLength
        precondition(patches.cols == pl && patches.rows % hw == 0, "patches of \(patches.rows)×\(patches.cols) do not fit \(g)")
        let images = patches.rows / hw
        var map = DenseMatrix<Scalar>(rows: images * hw, cols: c)
        guard images > 0 else { return map }
        patches.data.withUnsafeBufferPointer { src in
            map.data.withUnsafeMutableBufferPointer { dst in
                forEachRun(images: images, geometry: g) { patchAt, mapAt, count in
                    let to = dst.baseAddress! + mapAt, from = src.baseAddress! + patchAt
                    for j in 0..<count { to[j] += from[j] }
                }
            }
        }
        return map
    }

    /// The copies im2col makes, as runs: `body(patch, map, count)` for each (image, position, filter row) whose
    /// filter columns dx with source column x + dx − pad inside the image form one run of `count` = (dx₁ − dx₀)·C_in
    /// entries, at storage offset `patch` in the patches and `map` in the NHWC map. Rows outside the image are
    /// skipped (they are the zero padding). ``extract(_:geometry:)`` copies each run, ``accumulate(_:geometry:)``
    /// adds it back, in the same order.
    @inlinable @inline(__always)
    static func forEachRun(images: Int, geometry g: ConvolutionGeometry, _ body: (_ patch: Int, _ map: Int, _ count: Int) -> Void) {
        let c = g.inputChannels, pl = g.patchLength, k = g.kernelSize, pad = g.padding, h = g.height, w = g.width
        for n in 0..<images {
            for y in 0..<h {
                for x in 0..<w {
                    let dx0 = max(0, pad - x), dx1 = min(k, w + pad - x)
                    guard dx0 < dx1 else { continue }
                    let patchRow = ((n * h + y) * w + x) * pl
                    for dy in 0..<k {
                        let sy = y + dy - pad
                        guard sy >= 0 && sy < h else { continue }
                        body(patchRow + (dy * k + dx0) * c, ((n * h + sy) * w + (x + dx0 - pad)) * c, (dx1 - dx0) * c)
                    }
                }
            }
        }
    }
}
