/// Lays images out as a contact sheet: equal cells in rows, each image scaled to fit its cell
/// and centred in it, on one canvas.
///
/// The review screen shows a group of near-duplicates or a class's worst-labelled items side
/// by side; terminals draw one image much faster than many, so the grid is composed here and
/// sent once. `ThumbnailSheet.placements` tells the UI where each item landed (to draw
/// selection frames or map a click back to an item).
public struct ThumbnailGrid: Sendable, Hashable {
    /// The size of every cell; images are fitted inside it.
    public var cellSize: PixelSize
    /// Cells per row (at least 1). A sheet with fewer images than this is only as wide as its images need.
    public var columns: Int
    /// Pixels between neighbouring cells, both ways. There is no outer margin.
    public var gap: Int
    /// The colour of the gaps and of the unused parts of cells.
    public var background: RGB
    /// Whether images smaller than a cell are enlarged to fill it. On by default: datasets of
    /// 32×32 images would otherwise be postage stamps in the middle of empty cells.
    public var enlargesSmallImages: Bool

    public init(cellSize: PixelSize, columns: Int, gap: Int = 4, background: RGB = RGB(0, 0, 0), enlargesSmallImages: Bool = true) {
        precondition(columns >= 1, "a grid needs at least one column")
        precondition(gap >= 0 && cellSize.width >= 0 && cellSize.height >= 0, "negative grid geometry")
        self.cellSize = cellSize
        self.columns = columns
        self.gap = gap
        self.background = background
        self.enlargesSmallImages = enlargesSmallImages
    }

    /// The canvas size for `count` images: `min(count, columns)` cells across, as many rows as needed.
    public func canvasSize(forCount count: Int) -> PixelSize {
        guard count > 0 else { return PixelSize(width: 0, height: 0) }
        let across = min(count, columns)
        let rows = (count + columns - 1) / columns
        return PixelSize(width: across * cellSize.width + (across - 1) * gap,
                         height: rows * cellSize.height + (rows - 1) * gap)
    }

    /// The cell of the image at `index` (row-major).
    public func cell(at index: Int) -> PixelRect {
        PixelRect(x: (index % columns) * (cellSize.width + gap), y: (index / columns) * (cellSize.height + gap),
                  width: cellSize.width, height: cellSize.height)
    }

    /// Draws `images` into their cells.
    public func compose(_ images: [RGBImage]) -> ThumbnailSheet {
        let canvasSize = canvasSize(forCount: images.count)
        var canvas = RGBImage(width: canvasSize.width, height: canvasSize.height, fill: background)
        var placements: [PixelRect] = []
        placements.reserveCapacity(images.count)
        for (index, image) in images.enumerated() {
            let thumbnail = image.resized(toFit: cellSize, allowUpscale: enlargesSmallImages)
            let placement = cell(at: index).centring(thumbnail.size)
            canvas.draw(thumbnail, at: placement.x, placement.y)
            placements.append(placement)
        }
        return ThumbnailSheet(canvas: canvas, placements: placements)
    }
}

/// A composed grid: the canvas and, for each input image in order, the rectangle it occupies.
public struct ThumbnailSheet: Sendable, Equatable {
    public var canvas: RGBImage
    public var placements: [PixelRect]
}

extension RGBImage {
    /// Copies `image` onto this one with its top-left corner at (`x`, `y`); parts outside this
    /// image are clipped.
    public mutating func draw(_ image: RGBImage, at x: Int, _ y: Int) {
        let left = max(x, 0), right = min(x + image.width, width)
        let top = max(y, 0), bottom = min(y + image.height, height)
        guard left < right, top < bottom else { return }
        let canvasWidth = width
        let rowBytes = (right - left) * 3
        image.pixels.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { destination in
                for row in top..<bottom {
                    let from = source.baseAddress! + ((row - y) * image.width + (left - x)) * 3
                    let to = destination.baseAddress! + (row * canvasWidth + left) * 3
                    to.update(from: from, count: rowBytes)
                }
            }
        }
    }
}
