extension RGBImage {
    /// Copies `image` onto this one with its top-left corner at (`x`, `y`); parts outside this
    /// image are clipped. (The review grid's canvas draws its thumbnails with it.)
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
