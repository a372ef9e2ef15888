/// How a series is drawn.
public struct SeriesStyle: Equatable, Sendable {
    public enum Mark: String, Sendable {
        /// A polyline, broken at gaps.
        case line
        /// A circle at each point.
        case markers
        /// Both.
        case lineAndMarkers
        /// A filled band: the points run along the upper edge and back along the lower one (LinePlot+Bands.swift).
        case band
        /// Vertical error bars: the points come in pairs (x, low), (x, high) (LinePlot+Bands.swift).
        case errorBars
        /// Filled unit squares centred on the points, on linear axes: one colour level of a heatmap (LinePlot+Bands.swift).
        case cells
    }

    public var mark: Mark
    /// A CSS colour.
    public var color: String
    /// `stroke-dasharray`, nil for a solid line.
    public var dash: String?
    public var lineWidth: Double
    public var markerRadius: Double
    /// Markers without fill (rings), for points that should not hide a line under them.
    public var hollow: Bool

    public init(mark: Mark = .line, color: String, dash: String? = nil, lineWidth: Double = 1.8,
                markerRadius: Double = 2.6, hollow: Bool = false) {
        self.mark = mark
        self.color = color
        self.dash = dash
        self.lineWidth = lineWidth
        self.markerRadius = markerRadius
        self.hollow = hollow
    }

    public var hasLine: Bool { mark == .line || mark == .lineAndMarkers }
    public var hasMarkers: Bool { mark == .markers || mark == .lineAndMarkers }
}

/// The Okabe–Ito palette (distinguishable with the common colour-vision deficiencies).
public enum Palette {
    public static let blue = "#0072B2"
    public static let vermillion = "#D55E00"
    public static let green = "#009E73"
    public static let purple = "#CC79A7"
    public static let orange = "#E69F00"
    public static let sky = "#56B4E9"
    public static let yellow = "#F0E442"
    public static let black = "#000000"
    public static let grey = "#777777"
}
