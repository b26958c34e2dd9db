import WinnowCore

/// An image the view wants shown in a rectangle of cells.
public struct ImageTile: Sendable, Hashable {
    public var item: Int
    /// Relative to images/.
    public var path: String
    /// The cells the image may occupy (it is fitted inside, keeping its aspect ratio).
    public var rect: Rect
    public var blurred: Bool

    public init(item: Int, path: String, rect: Rect, blurred: Bool) {
        self.item = item
        self.path = path
        self.rect = rect
        self.blurred = blurred
    }
}

/// A rectangle the view reserves for pictures: one image, or a grid of thumbnails that
/// the graphics layer composes onto one canvas and sends in one piece. The view never
/// writes text inside the tiles' rectangles except a placeholder the picture covers.
public struct ImagePlacement: Sendable, Hashable {
    public var rect: Rect
    public var tiles: [ImageTile]

    public init(rect: Rect, tiles: [ImageTile]) {
        self.rect = rect
        self.tiles = tiles
    }
}

/// What one render produces: the text cells and the places for images.
public struct Frame: Sendable {
    public var buffer: CellBuffer
    public var images: [ImagePlacement]

    public init(buffer: CellBuffer, images: [ImagePlacement] = []) {
        self.buffer = buffer
        self.images = images
    }
}
