import Testing
import WinnowCore
import WinnowImaging
@testable import WinnowGraphics

@Suite("Rendering images into cell rectangles")
struct TerminalImageRendererTests {
    static func capabilities(_ imageProtocol: ImageProtocol, wrapping: MultiplexerWrapping = .none) -> GraphicsCapabilities {
        GraphicsCapabilities(
            imageProtocol: imageProtocol, wrapping: wrapping, textColors: .truecolor, blockColors: .truecolor,
            cellSize: PixelSize(width: 10, height: 20), cellSizeSource: .windowSize, sixelColors: 256,
            sixelMaxGeometry: nil, synchronizedOutput: false, reasons: [])
    }

    @Test func sixelIsPositionedAndTheCursorRestored() async throws {
        let cache = EncodedImageCache()
        let renderer = TerminalImageRenderer(capabilities: Self.capabilities(.sixel), cache: cache)
        let rect = Rect(x: 40, y: 2, width: 30, height: 10)
        let rendered = try #require(
            try await renderer.render(TestImages.gradient(width: 64, height: 64), identity: "item-1", in: rect, screenRows: 40))
        // 300×200 px available: a square image gets 198×198 (a multiple of 6), 20 columns, centred.
        #expect(rendered.cells == Rect(x: 45, y: 2, width: 20, height: 10))
        #expect(rendered.bytes.starts(with: bytes("\\e7\\e[3;46H\\eP")))
        #expect(rendered.bytes.suffix(4).elementsEqual(bytes("\\e\\\\e8")))
        let sixel = Array(rendered.bytes.dropFirst(bytes("\\e7\\e[3;46H").count).dropLast(2))
        let decoded = try await SixelDecoder.decode(sixel)
        #expect(decoded.size == PixelSize(width: 198, height: 198))

        // The second time comes from the cache; another place only changes the move.
        #expect(cache.count == 1)
        let again = try #require(
            try await renderer.render(
                TestImages.gradient(width: 64, height: 64), identity: "item-1", in: Rect(x: 0, y: 5, width: 30, height: 10), screenRows: 40))
        #expect(cache.count == 1)
        #expect(again.bytes.starts(with: bytes("\\e7\\e[6;6H\\eP")))
        #expect(again.bytes.dropFirst(bytes("\\e7\\e[6;6H").count).elementsEqual(rendered.bytes.dropFirst(bytes("\\e7\\e[3;46H").count)))
        #expect(renderer.removal(of: rendered) == ImageRemoval(bytes: [], cellsToRepaint: rendered.cells))
        #expect(visible(renderer.startSequence) == "\\e[?80l")
    }

    @Test func theLastRowIsNeverUsed() async throws {
        let renderer = TerminalImageRenderer(capabilities: Self.capabilities(.sixel), cache: nil)
        let rendered = try #require(
            try await renderer.render(
                TestImages.gradient(width: 10, height: 100), identity: "tall", in: Rect(x: 0, y: 0, width: 80, height: 24), screenRows: 24))
        #expect(rendered.cells.maxY <= 23)
    }

    @Test func insideTmuxTheWholeFrameTravelsInThePassthrough() async throws {
        var renderer = TerminalImageRenderer(capabilities: Self.capabilities(.sixel, wrapping: .tmuxPassthrough), cache: nil)
        renderer.paneOrigin = CellOffset(row: 1, column: 81)
        let rendered = try #require(
            try await renderer.render(TestImages.quadrants(), identity: "q", in: Rect(x: 0, y: 0, width: 6, height: 3), screenRows: 30))
        let inner = try #require(MultiplexerWrapping.unwrapTmuxPassthrough(rendered.bytes))
        #expect(inner.starts(with: bytes("\\e7\\e[2;82H\\eP")), "moved in the outer terminal's coordinates")
        #expect(inner.suffix(2).elementsEqual(bytes("\\e8")))
        #expect(visible(renderer.startSequence) == "\\ePtmux;\\e\\e[?80l\\e\\")
    }

    @Test func kittyInsideTmuxIsOneWrapperPerChunk() async throws {
        let renderer = TerminalImageRenderer(capabilities: Self.capabilities(.kitty, wrapping: .tmuxPassthrough), cache: nil)
        let image = TestImages.noise(width: 100, height: 100)
        let rendered = try #require(
            try await renderer.render(image, identity: "n", in: Rect(x: 0, y: 0, width: 10, height: 5), screenRows: 30, slot: 4))
        // Split the output back into wrappers and unwrap each.
        var pieces: [[UInt8]] = []
        var start = 0
        var index = 7
        while index < rendered.bytes.count - 1 {
            if rendered.bytes[index] == 0x1B {
                if rendered.bytes[index + 1] == 0x1B { index += 2; continue }
                if rendered.bytes[index + 1] == UInt8(ascii: "\\") {
                    pieces.append(Array(rendered.bytes[start...(index + 1)]))
                    start = index + 2
                    index = start + 7
                    continue
                }
            }
            index += 1
        }
        #expect(start == rendered.bytes.count)
        let inner = try pieces.map { try #require(MultiplexerWrapping.unwrapTmuxPassthrough($0)) }
        #expect(inner.count >= 3)
        #expect(inner[0].starts(with: bytes("\\e7\\e[1;1H\\e_Ga=d,d=I,i=4")))
        #expect(inner.last!.suffix(2).elementsEqual(bytes("\\e8")))
        #expect(renderer.removal(of: rendered).bytes == MultiplexerWrapping.tmuxPassthrough(KittyEncoder.delete(imageID: 4)))
        #expect(renderer.finishSequence.starts(with: bytes("\\e\\")))
    }

    @Test func tmuxsPassthroughLimitIsRespected() async throws {
        // tmux's real limit is 1 MiB; a small one keeps the test fast.
        let limit = 12_000
        let renderer = TerminalImageRenderer(
            capabilities: Self.capabilities(.sixel, wrapping: .tmuxPassthrough), options: .init(tmuxPassthroughLimit: limit), cache: nil)
        let rendered = try #require(
            try await renderer.render(
                TestImages.noise(width: 120, height: 120), identity: "noise", in: Rect(x: 0, y: 0, width: 12, height: 6), screenRows: 40))
        #expect(rendered.bytes.count <= limit)
        #expect(rendered.notes.first?.contains("retrying with 128 colours") == true)
        #expect(rendered.notes.count >= 2)
    }

    @Test func halfBlocksAndNoneAreTheTUIsJob() async throws {
        for imageProtocol in [ImageProtocol.blocks, .none] {
            let renderer = TerminalImageRenderer(capabilities: Self.capabilities(imageProtocol))
            #expect(
                try await renderer.render(TestImages.quadrants(), identity: "q", in: Rect(x: 0, y: 0, width: 5, height: 5), screenRows: 30) == nil)
        }
    }

    @Test func iTermCarriesARealPNGOfThePixels() async throws {
        let renderer = TerminalImageRenderer(capabilities: Self.capabilities(.iterm))
        let image = TestImages.quadrants(width: 40, height: 20)
        let rendered = try #require(try await renderer.render(image, identity: "q", in: Rect(x: 0, y: 0, width: 20, height: 5), screenRows: 30))
        let header = bytes("\\e7\\e[1;1H\\e]1337;File=inline=1;size=")
        #expect(rendered.bytes.starts(with: header))
        #expect(rendered.bytes.suffix(3).elementsEqual(bytes("\u{07}\\e8")))
        let colon = try #require(rendered.bytes.firstIndex(of: UInt8(ascii: ":")))
        let png = try #require(base64Decode(rendered.bytes[(colon + 1)..<(rendered.bytes.count - 3)]))
        #expect(rendered.bytes.contains(subsequence: bytes("size=\(png.count);width=20;height=5;")))
        #expect(try ImageDecoder.decode(data: png).image == image)
    }

    @Test func aRectangleTooSmallIsAnError() async {
        let renderer = TerminalImageRenderer(capabilities: Self.capabilities(.sixel))
        await #expect(throws: GraphicsError.self) {
            try await renderer.render(TestImages.quadrants(), identity: "q", in: Rect(x: 0, y: 0, width: 5, height: 0), screenRows: 30)
        }
    }
}
