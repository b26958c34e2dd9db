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

extension RGBImage {
    /// The image's width and height.
    public var size: PixelSize { PixelSize(width: width, height: height) }
}
