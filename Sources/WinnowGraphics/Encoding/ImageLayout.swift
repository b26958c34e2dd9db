import WinnowCore

/// Where an image goes inside a cell rectangle, and at what pixel size.
///
/// Computed once per image and rectangle, before encoding: the encoders resample to
/// ``pixelSize`` (or let the terminal scale to ``cells``), and the TUI repaints ``cells``
/// when the image goes away.
public struct ImageLayout: Sendable, Hashable {
    /// The image's size on screen, in terminal pixels: the largest size that keeps the
    /// aspect ratio and fits inside the rectangle (and under `maximum`, when given).
    public var pixelSize: PixelSize
    /// The cells the image covers: a sub-rectangle of the target, centred in it when the
    /// image does not fill it.
    public var cells: Rect
    /// True when the image spans the rectangle's full pixel width, so a terminal told to
    /// scale it to `cells.width` columns (and derive the height) draws it at exactly
    /// ``pixelSize``.
    public var fillsWidth: Bool
    /// True when the image spans the rectangle's full pixel height.
    public var fillsHeight: Bool

    /// How the image sits in the rectangle when it does not fill it.
    public enum Alignment: Sendable, Hashable {
        case topLeft
        case center
    }

    /// The layout of an image of `imageSize` pixels in `rect`, or nil when nothing fits
    /// (an empty image or rectangle, or a rectangle shorter than one `heightMultiple`).
    ///
    /// - Parameters:
    ///   - heightMultiple: round the height down to a multiple of this. Sixel needs 6:
    ///     a partial last band would still be drawn six pixels tall and can spill into
    ///     the row below (and scroll the screen when that is the last row).
    ///   - maximum: a size the terminal refuses to exceed (sixel's XTSMGRAPHICS geometry).
    public static func fitting(
        imageSize: PixelSize,
        in rect: Rect,
        cellSize: PixelSize,
        heightMultiple: Int = 1,
        maximum: PixelSize? = nil,
        alignment: Alignment = .center
    ) -> ImageLayout? {
        guard !imageSize.isEmpty, !rect.isEmpty, !cellSize.isEmpty, heightMultiple >= 1 else { return nil }
        let fullWidth = rect.width * cellSize.width
        let fullHeight = rect.height * cellSize.height
        var availableWidth = fullWidth
        var availableHeight = fullHeight
        if let maximum, !maximum.isEmpty {
            availableWidth = min(availableWidth, maximum.width)
            availableHeight = min(availableHeight, maximum.height)
        }

        let imageWidth = Double(imageSize.width)
        let imageHeight = Double(imageSize.height)
        let widthLimited = Double(availableWidth) / imageWidth <= Double(availableHeight) / imageHeight
        var width: Int
        var height: Int
        if widthLimited {
            width = availableWidth
            height = Int((imageHeight * Double(availableWidth) / imageWidth).rounded())
        } else {
            height = availableHeight
            width = Int((imageWidth * Double(availableHeight) / imageHeight).rounded())
        }
        width = min(max(width, 1), availableWidth)
        height = min(max(height, 1), availableHeight)

        if heightMultiple > 1 {
            var rounded = height / heightMultiple * heightMultiple
            if rounded == 0 {
                guard availableHeight >= heightMultiple else { return nil }
                rounded = heightMultiple
            }
            if rounded != height {
                // Keep the aspect ratio after rounding the height.
                height = rounded
                let keptWidth = Int((imageWidth * Double(height) / imageHeight).rounded())
                width = min(max(keptWidth, 1), availableWidth)
            }
        }

        let usedColumns = min(rect.width, (width + cellSize.width - 1) / cellSize.width)
        let usedRows = min(rect.height, (height + cellSize.height - 1) / cellSize.height)
        let cells: Rect
        switch alignment {
        case .topLeft:
            cells = Rect(x: rect.x, y: rect.y, width: usedColumns, height: usedRows)
        case .center:
            cells = Rect(
                x: rect.x + (rect.width - usedColumns) / 2,
                y: rect.y + (rect.height - usedRows) / 2,
                width: usedColumns, height: usedRows)
        }
        return ImageLayout(
            pixelSize: PixelSize(width: width, height: height),
            cells: cells,
            fillsWidth: width == fullWidth,
            fillsHeight: height == fullHeight)
    }
}
