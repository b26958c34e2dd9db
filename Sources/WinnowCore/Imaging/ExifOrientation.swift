/// How a camera says its pixels must be turned to be seen upright: the EXIF/TIFF
/// `Orientation` tag (0x0112).
///
/// Cameras store the sensor's rows as they come and record the rotation instead of applying
/// it, so a portrait photo is often stored on its side. The case names are the TIFF names:
/// where the stored image's first row and first column end up when displayed
/// (`rightTop`: row 0 is the right-hand side, column 0 is the top). Decoders read the tag and
/// call `RGBImage.oriented(_:)` so that everything above them sees upright pixels.
public enum ExifOrientation: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// 1: stored upright.
    case topLeft = 1
    /// 2: mirrored left–right.
    case topRight = 2
    /// 3: upside down (turned 180°).
    case bottomRight = 3
    /// 4: mirrored top–bottom.
    case bottomLeft = 4
    /// 5: mirrored across the main diagonal (transposed).
    case leftTop = 5
    /// 6: stored turned 90° anticlockwise; displayed by turning 90° clockwise.
    case rightTop = 6
    /// 7: mirrored across the anti-diagonal (transversed).
    case rightBottom = 7
    /// 8: stored turned 90° clockwise; displayed by turning 90° anticlockwise.
    case leftBottom = 8

    /// The orientation of an image without the tag.
    public static let upright = ExifOrientation.topLeft

    /// True for 5–8, whose display exchanges width and height.
    public var swapsWidthAndHeight: Bool { rawValue >= 5 }

    /// The displayed size of an image stored at `size`.
    public func displayedSize(ofStored size: PixelSize) -> PixelSize {
        swapsWidthAndHeight ? size.transposed : size
    }

    public var description: String {
        switch self {
        case .topLeft: "1 (upright)"
        case .topRight: "2 (mirrored)"
        case .bottomRight: "3 (turned 180°)"
        case .bottomLeft: "4 (mirrored vertically)"
        case .leftTop: "5 (transposed)"
        case .rightTop: "6 (turn 90° clockwise)"
        case .rightBottom: "7 (transversed)"
        case .leftBottom: "8 (turn 90° anticlockwise)"
        }
    }
}

extension RGBImage {
    /// This image as it should be displayed when stored with `orientation`.
    ///
    /// Each output pixel is copied from one stored pixel (no resampling), so the result is
    /// exact; for orientations 5–8 width and height are exchanged.
    public func oriented(_ orientation: ExifOrientation) -> RGBImage {
        if orientation == .topLeft { return self }
        let outputSize = orientation.displayedSize(ofStored: size)
        if isEmpty { return RGBImage(width: outputSize.width, height: outputSize.height) }
        // The stored pixel shown at (outputX, outputY) is `origin + outputX·stepX + outputY·stepY`
        // (in pixels): every orientation is such an affine walk over the stored raster.
        let (w, h) = (width, height)
        let (origin, stepX, stepY): (Int, Int, Int)
        switch orientation {
        case .topLeft: (origin, stepX, stepY) = (0, 1, w)
        case .topRight: (origin, stepX, stepY) = (w - 1, -1, w)
        case .bottomRight: (origin, stepX, stepY) = ((h - 1) * w + w - 1, -1, -w)
        case .bottomLeft: (origin, stepX, stepY) = ((h - 1) * w, 1, -w)
        case .leftTop: (origin, stepX, stepY) = (0, w, 1)
        case .rightTop: (origin, stepX, stepY) = ((h - 1) * w, -w, 1)
        case .rightBottom: (origin, stepX, stepY) = ((h - 1) * w + w - 1, -w, -1)
        case .leftBottom: (origin, stepX, stepY) = (w - 1, w, -1)
        }
        var output = [UInt8](repeating: 0, count: pixels.count)
        // Tiles of 64×64 output pixels: for the quarter turns the walk crosses stored rows,
        // and a tile's worth of them stays in cache (about 4× faster than row by row).
        let tile = 64
        pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                let source = source.baseAddress!, destination = destination.baseAddress!
                for tileTop in stride(from: 0, to: outputSize.height, by: tile) {
                    for tileLeft in stride(from: 0, to: outputSize.width, by: tile) {
                        let tileRight = min(tileLeft + tile, outputSize.width)
                        for outputY in tileTop..<min(tileTop + tile, outputSize.height) {
                            var from = (origin + outputY * stepY + tileLeft * stepX) * 3
                            var target = (outputY * outputSize.width + tileLeft) * 3
                            for _ in tileLeft..<tileRight {
                                destination[target] = source[from]
                                destination[target + 1] = source[from + 1]
                                destination[target + 2] = source[from + 2]
                                target += 3
                                from += stepX * 3
                            }
                        }
                    }
                }
            }
        }
        return RGBImage(width: outputSize.width, height: outputSize.height, pixels: output)
    }
}
