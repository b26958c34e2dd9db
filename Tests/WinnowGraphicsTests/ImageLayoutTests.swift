import Testing
import WinnowCore
@testable import WinnowGraphics

@Suite("Image layout in cells")
struct ImageLayoutTests {
    let cell = PixelSize(width: 10, height: 20)

    @Test func aSquareImageInAWideRectangleIsCentred() throws {
        let rect = Rect(x: 5, y: 3, width: 60, height: 20) // 600×400 px
        let layout = try #require(ImageLayout.fitting(imageSize: PixelSize(width: 1000, height: 1000), in: rect, cellSize: cell))
        #expect(layout.pixelSize == PixelSize(width: 400, height: 400))
        #expect(layout.fillsHeight && !layout.fillsWidth)
        #expect(layout.cells == Rect(x: 15, y: 3, width: 40, height: 20))
    }

    @Test func topLeftAlignment() throws {
        let rect = Rect(x: 5, y: 3, width: 60, height: 20)
        let layout = try #require(ImageLayout.fitting(imageSize: PixelSize(width: 10, height: 10), in: rect, cellSize: cell, alignment: .topLeft))
        #expect(layout.cells == Rect(x: 5, y: 3, width: 40, height: 20))
    }

    @Test func sixelHeightsAreMultiplesOfSixAndKeepTheAspect() throws {
        let rect = Rect(x: 0, y: 0, width: 60, height: 20)
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
                for rect in [Rect(x: 2, y: 1, width: 13, height: 7), Rect(x: 0, y: 0, width: 1, height: 1)] {
                    guard
                        let layout = ImageLayout.fitting(
                            imageSize: PixelSize(width: width, height: height), in: rect, cellSize: PixelSize(width: 7, height: 15), heightMultiple: 6
                        )
                    else {
                        #expect(rect.height * 15 < 6, "only a rectangle under six pixels tall has no layout")
                        continue
                    }
                    #expect(layout.pixelSize.width >= 1 && layout.pixelSize.width <= rect.width * 7)
                    #expect(layout.pixelSize.height >= 6 && layout.pixelSize.height <= rect.height * 15)
                    #expect(layout.pixelSize.height % 6 == 0)
                    #expect(layout.cells.y >= rect.y && layout.cells.maxY <= rect.maxY)
                    #expect(layout.cells.x >= rect.x && layout.cells.x + layout.cells.width <= rect.x + rect.width)
                }
            }
        }
    }

    @Test func theTerminalsMaximumIsRespected() throws {
        let layout = try #require(
            ImageLayout.fitting(
                imageSize: PixelSize(width: 4000, height: 3000), in: Rect(x: 0, y: 0, width: 300, height: 100),
                cellSize: cell, heightMultiple: 6, maximum: PixelSize(width: 1000, height: 1000)))
        #expect(layout.pixelSize.width <= 1000 && layout.pixelSize.height <= 1000)
        #expect(!layout.fillsWidth && !layout.fillsHeight)
    }

    @Test func nothingFitsInNothing() {
        #expect(ImageLayout.fitting(imageSize: PixelSize(width: 0, height: 5), in: Rect(x: 0, y: 0, width: 5, height: 5), cellSize: cell) == nil)
        #expect(ImageLayout.fitting(imageSize: PixelSize(width: 5, height: 5), in: Rect(x: 0, y: 0, width: 5, height: 0), cellSize: cell) == nil)
        #expect(
            ImageLayout.fitting(
                imageSize: PixelSize(width: 5, height: 5), in: Rect(x: 0, y: 0, width: 5, height: 1), cellSize: PixelSize(width: 2, height: 4),
                heightMultiple: 6) == nil)
    }

    @Test func imagesStayOffTheLastRow() {
        let rect = Rect(x: 0, y: 30, width: 10, height: 10)
        #expect(rect.keepingOffLastRow(screenRows: 40).height == 9)
        #expect(rect.keepingOffLastRow(screenRows: 41).height == 10)
        #expect(rect.keepingOffLastRow(screenRows: 30).height == 0)
    }
}
