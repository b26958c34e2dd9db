/// A width and height in pixels.
///
/// Used for image sizes, thumbnail boxes and the `fitting:` hint of the decoder, so that
/// "how big" is never passed as two loose integers that can be swapped.
public struct PixelSize: Sendable, Hashable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// `width × height`, the number of pixels; `Int.max` when that overflows (sizes come
    /// from image headers, which can claim anything).
    public var area: Int {
        let (product, overflow) = width.multipliedReportingOverflow(by: height)
        return overflow ? Int.max : product
    }

    /// True when either side is zero (or negative).
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    /// The same size turned a quarter: width and height exchanged.
    public var transposed: PixelSize { PixelSize(width: height, height: width) }

    /// The largest size with this size's aspect ratio that fits inside `box`.
    ///
    /// Each side is rounded to the nearest pixel and kept at least 1 (a 10000×10 strip fitted
    /// in 100×100 is 100×1, not 100×0). Without `allowUpscale` a size that already fits is
    /// returned unchanged: enlarging only adds blur. An empty size or box gives an empty size.
    public func fitted(within box: PixelSize, allowUpscale: Bool = false) -> PixelSize {
        guard !isEmpty, !box.isEmpty else { return PixelSize(width: 0, height: 0) }
        if !allowUpscale, width <= box.width, height <= box.height { return self }
        // Compare the two candidate scales exactly in integers (box.w / w vs box.h / h).
        if box.width * height <= box.height * width {
            let fittedHeight = (height * box.width + width / 2) / width
            return PixelSize(width: box.width, height: min(box.height, max(1, fittedHeight)))
        } else {
            let fittedWidth = (width * box.height + height / 2) / height
            return PixelSize(width: min(box.width, max(1, fittedWidth)), height: box.height)
        }
    }

    public var description: String { "\(width)×\(height)" }
}

/// A rectangle of pixels: its top-left corner and size, in the coordinates of some canvas
/// (y grows downwards, like rows of an `RGBImage`).
public struct PixelRect: Sendable, Hashable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public init(origin x: Int, _ y: Int, size: PixelSize) {
        self.init(x: x, y: y, width: size.width, height: size.height)
    }

    public var size: PixelSize { PixelSize(width: width, height: height) }
    /// One past the right-most column.
    public var maxX: Int { x + width }
    /// One past the bottom row.
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    /// Whether the pixel at (`px`, `py`) lies inside.
    public func contains(x px: Int, y py: Int) -> Bool {
        px >= x && px < maxX && py >= y && py < maxY
    }

    /// A rectangle of `size` centred in this one (rounded towards the top-left).
    public func centring(_ size: PixelSize) -> PixelRect {
        PixelRect(x: x + (width - size.width) / 2, y: y + (height - size.height) / 2,
                  width: size.width, height: size.height)
    }

    public var description: String { "\(width)×\(height) at (\(x), \(y))" }
}

extension RGBImage {
    /// The image's width and height.
    public var size: PixelSize { PixelSize(width: width, height: height) }
}
