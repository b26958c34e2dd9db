import Testing
import WinnowCore
@testable import WinnowGraphics

@Suite("Image layout in cells")
struct ImageLayoutTests {
    let cell = PixelSize(width: 10, height: 20)

    @Test func aSquareImageInAWideRectangleIsCentred() throws {
        let rect = CellRect(row: 3, column: 5, rows: 20, columns: 60)  // 600×400 px
        let layout = try #require(ImageLayout.fitting(imageSize: PixelSize(width: 1000, height: 1000), in: rect, cellSize: cell))
        #expect(layout.pixelSize == PixelSize(width: 400, height: 400))
        #expect(layout.fillsHeight && !layout.fillsWidth)
        #expect(layout.cells == CellRect(row: 3, column: 15, rows: 20, columns: 40))
    }

    @Test func topLeftAlignment() throws {
        let rect = CellRect(row: 3, column: 5, rows: 20, columns: 60)
        let layout = try #require(ImageLayout.fitting(imageSize: PixelSize(width: 10, height: 10), in: rect, cellSize: cell, alignment: .topLeft))
        #expect(layout.cells == CellRect(row: 3, column: 5, rows: 20, columns: 40))
    }

    @Test func sixelHeightsAreMultiplesOfSixAndKeepTheAspect() throws {
        let rect = CellRect(row: 0, column: 0, rows: 20, columns: 60)
        let layout = try #require(ImageLayout.fitting(imageSize: PixelSize(width: 1000, height: 1000), in: rect, cellSize: cell, heightMultiple: 6))
        #expect(layout.pixelSize == PixelSize(width: 396, height: 396))
        let wide = try #require(ImageLayout.fitting(imageSize: PixelSize(width: 1000, height: 333), in: rect, cellSize: cell, heightMultiple: 6))
        #expect(wide.pixelSize.height % 6 == 0 && wide.pixelSize.height <= 200)
        #expect(wide.pixelSize.width <= 600)
        #expect(abs(Double(wide.pixelSize.width) / Double(wide.pixelSize.height) - 1000.0 / 333.0) < 0.02)
    }

    @Test func everyLayoutFitsItsRectangle() {
        for width in stride(from: 1, through: 2000, by: 97) {
            for height in stride(from: 1, through: 2000, by: 89) {
                for rect in [CellRect(row: 1, column: 2, rows: 7, columns: 13), CellRect(row: 0, column: 0, rows: 1, columns: 1)] {
                    guard let layout = ImageLayout.fitting(imageSize: PixelSize(width: width, height: height), in: rect, cellSize: PixelSize(width: 7, height: 15), heightMultiple: 6) else {
                        #expect(rect.rows * 15 < 6, "only a rectangle under six pixels tall has no layout")
                        continue
                    }
                    #expect(layout.pixelSize.width >= 1 && layout.pixelSize.width <= rect.columns * 7)
                    #expect(layout.pixelSize.height >= 6 && layout.pixelSize.height <= rect.rows * 15)
                    #expect(layout.pixelSize.height % 6 == 0)
                    #expect(layout.cells.row >= rect.row && layout.cells.endRow <= rect.endRow)
                    #expect(layout.cells.column >= rect.column && layout.cells.column + layout.cells.columns <= rect.column + rect.columns)
                }
            }
        }
    }

    @Test func theTerminalsMaximumIsRespected() throws {
        let layout = try #require(ImageLayout.fitting(
            imageSize: PixelSize(width: 4000, height: 3000), in: CellRect(row: 0, column: 0, rows: 100, columns: 300),
            cellSize: cell, heightMultiple: 6, maximum: PixelSize(width: 1000, height: 1000)))
        #expect(layout.pixelSize.width <= 1000 && layout.pixelSize.height <= 1000)
        #expect(!layout.fillsWidth && !layout.fillsHeight)
    }

    @Test func nothingFitsInNothing() {
        #expect(ImageLayout.fitting(imageSize: PixelSize(width: 0, height: 5), in: CellRect(row: 0, column: 0, rows: 5, columns: 5), cellSize: cell) == nil)
        #expect(ImageLayout.fitting(imageSize: PixelSize(width: 5, height: 5), in: CellRect(row: 0, column: 0, rows: 0, columns: 5), cellSize: cell) == nil)
        #expect(ImageLayout.fitting(imageSize: PixelSize(width: 5, height: 5), in: CellRect(row: 0, column: 0, rows: 1, columns: 5), cellSize: PixelSize(width: 2, height: 4), heightMultiple: 6) == nil)
    }

    @Test func imagesStayOffTheLastRow() {
        let rect = CellRect(row: 30, column: 0, rows: 10, columns: 10)
        #expect(rect.keepingOffLastRow(screenRows: 40).rows == 9)
        #expect(rect.keepingOffLastRow(screenRows: 41).rows == 10)
        #expect(rect.keepingOffLastRow(screenRows: 30).rows == 0)
    }
}
