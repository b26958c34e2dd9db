import WinnowCore

/// Pictures drawn with Unicode half blocks: each cell shows two pixels, the upper one as
/// the foreground of "▀" and the lower one as its background. Works in every terminal
/// with colour (tmux without passthrough, GNU screen, the Linux console at 8 colours).
public enum BlockImage {
    /// The pixel size to scale an image to before `paint`: two pixels per cell vertically.
    public static func pixelBox(for rect: Rect) -> PixelSize {
        PixelSize(width: max(1, rect.width), height: max(1, rect.height * 2))
    }

    /// Paints `image` (already scaled to fit `pixelBox(for: rect)`) centred in `rect`.
    public static func paint(_ image: RGBImage, into buffer: inout CellBuffer, rect: Rect) {
        guard !image.isEmpty, !rect.isEmpty else { return }
        let columns = min(image.width, rect.width)
        let rows = min((image.height + 1) / 2, rect.height)
        let left = rect.x + (rect.width - columns) / 2
        let top = rect.y + (rect.height - rows) / 2
        for row in 0..<rows {
            for column in 0..<columns {
                let upper = image[column, row * 2]
                let lower = row * 2 + 1 < image.height ? image[column, row * 2 + 1] : upper
                guard buffer.contains(x: left + column, y: top + row) else { continue }
                buffer[left + column, top + row] = Cell(text: "▀", style: CellStyle(foreground: .rgb(upper), background: .rgb(lower)))
            }
        }
    }
}
