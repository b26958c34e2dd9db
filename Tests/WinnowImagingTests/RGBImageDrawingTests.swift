import Testing
import WinnowCore

/// `RGBImage.draw`, which the review grid's canvas uses (it stayed when ThumbnailGrid, used
/// only by its tests, was removed).
@Suite("Drawing one image onto another")
struct RGBImageDrawingTests {
    @Test func drawingClipsAtTheCanvasEdges() {
        var canvas = RGBImage(width: 4, height: 4)
        canvas.draw(RGBImage(width: 3, height: 3, fill: RGB(200, 0, 0)), at: 2, -1)
        #expect(canvas[2, 0] == RGB(200, 0, 0) && canvas[3, 1] == RGB(200, 0, 0))
        #expect(canvas[1, 0] == RGB(0, 0, 0) && canvas[2, 2] == RGB(0, 0, 0))
        canvas.draw(RGBImage(width: 3, height: 3, fill: RGB(0, 9, 0)), at: 10, 10) // entirely outside
        #expect(canvas[3, 3] == RGB(0, 0, 0))
    }
}
