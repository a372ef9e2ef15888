import Foundation

/// The shape H × W × C of image inputs. An image is stored as one row of H·W·C inputs in row-major HWC
/// order: the input at (h, w, c) is column (h·W + w)·C + c, as NumPy's `x.reshape(N, -1)` of an (N, H, W, C)
/// array lays it out. The MLP reads the row as it is (flattened); `config.json` → `image_shape` records
/// [H, W, C] (Docs/LogFormat.md, Docs/RealData.md#numpy-arrays-and-images-npz-npy).
public struct ImageShape: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var height: Int
    public var width: Int
    public var channels: Int

    public init(height: Int, width: Int, channels: Int) {
        precondition(height >= 1 && width >= 1 && channels >= 1, "an image shape needs positive sizes")
        self.height = height
        self.width = width
        self.channels = channels
    }

    /// `HxWxC` (also with `×`), e.g. `28x28x1`; nil unless three positive integers whose product fits an Int.
    public init?(parsing text: String) {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
            .flatMap { $0.split(separator: "×", omittingEmptySubsequences: false) }
        guard parts.count == 3 else { return nil }
        let sizes = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard sizes.count == 3, sizes.allSatisfy({ $0 >= 1 }) else { return nil }
        let (hw, o1) = sizes[0].multipliedReportingOverflow(by: sizes[1])
        guard !o1, !hw.multipliedReportingOverflow(by: sizes[2]).overflow else { return nil }
        self.init(height: sizes[0], width: sizes[1], channels: sizes[2])
    }

    /// H·W·C, the number of inputs of one image.
    public var pixelCount: Int { height * width * channels }

    /// `H×W×C`.
    public var description: String { "\(height)×\(width)×\(channels)" }

    /// Encoded as the array [H, W, C].
    public init(from decoder: any Decoder) throws {
        let sizes = try decoder.singleValueContainer().decode([Int].self)
        guard sizes.count == 3, sizes.allSatisfy({ $0 >= 1 }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "image_shape must be [H, W, C] with positive sizes"))
        }
        self.init(height: sizes[0], width: sizes[1], channels: sizes[2])
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode([height, width, channels])
    }
}
