import Testing
import WinnowCore

@Suite("Thumbnail grid: fitted, centred, placed row by row")
struct ThumbnailGridTests {
    static let background = RGB(9, 9, 9)

    @Test func imagesAreFittedAndCentredInTheirCells() {
        let grid = ThumbnailGrid(cellSize: PixelSize(width: 10, height: 10), columns: 3, gap: 2, background: Self.background)
        let images = [
            RGBImage(width: 20, height: 10, fill: RGB(255, 0, 0)),   // wide: 10×5
            RGBImage(width: 5, height: 10, fill: RGB(0, 255, 0)),    // tall, enlarged: 5×10
            RGBImage(width: 10, height: 10, fill: RGB(0, 0, 255)),
            RGBImage(width: 30, height: 30, fill: RGB(255, 255, 0)),  // second row
        ]
        let sheet = grid.compose(images)
        #expect(sheet.canvas.size == PixelSize(width: 34, height: 22))
        #expect(sheet.placements == [
            PixelRect(x: 0, y: 2, width: 10, height: 5),
            PixelRect(x: 14, y: 0, width: 5, height: 10),
            PixelRect(x: 24, y: 0, width: 10, height: 10),
            PixelRect(x: 0, y: 12, width: 10, height: 10),
        ])
        for (image, placement) in zip(images, sheet.placements) {
            #expect(sheet.canvas[placement.x, placement.y] == image[0, 0])
            #expect(sheet.canvas[placement.maxX - 1, placement.maxY - 1] == image[0, 0])
        }
        #expect(sheet.canvas[0, 0] == Self.background)    // above the wide image
        #expect(sheet.canvas[11, 5] == Self.background)   // in the gap
        #expect(sheet.canvas[20, 15] == Self.background)  // the empty cells of the last row
    }

    @Test func aShortSheetIsOnlyAsWideAsItsImages() {
        let grid = ThumbnailGrid(cellSize: PixelSize(width: 8, height: 6), columns: 5, gap: 1)
        #expect(grid.canvasSize(forCount: 2) == PixelSize(width: 17, height: 6))
        #expect(grid.canvasSize(forCount: 0) == PixelSize(width: 0, height: 0))
        #expect(grid.compose([]).canvas.isEmpty)
        #expect(grid.cell(at: 7) == PixelRect(x: 18, y: 7, width: 8, height: 6))
    }

    @Test func smallImagesCanBeLeftAtTheirSize() {
        var grid = ThumbnailGrid(cellSize: PixelSize(width: 10, height: 10), columns: 2, gap: 0)
        grid.enlargesSmallImages = false
        let sheet = grid.compose([RGBImage(width: 4, height: 4, fill: RGB(1, 2, 3))])
        #expect(sheet.placements == [PixelRect(x: 3, y: 3, width: 4, height: 4)])
    }

    @Test func drawingClipsAtTheCanvasEdges() {
        var canvas = RGBImage(width: 4, height: 4)
        canvas.draw(RGBImage(width: 3, height: 3, fill: RGB(200, 0, 0)), at: 2, -1)
        #expect(canvas[2, 0] == RGB(200, 0, 0) && canvas[3, 1] == RGB(200, 0, 0))
        #expect(canvas[1, 0] == RGB(0, 0, 0) && canvas[2, 2] == RGB(0, 0, 0))
        canvas.draw(RGBImage(width: 3, height: 3, fill: RGB(0, 9, 0)), at: 10, 10)  // entirely outside
        #expect(canvas[3, 3] == RGB(0, 0, 0))
    }
}
