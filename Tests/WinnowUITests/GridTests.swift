import Testing
import WinnowCore
@testable import WinnowUI

@Suite("Grids: the near-duplicate group and more like this")
struct GridTests {
    /// The more-like-this grid of item 0 with `count` neighbours loaded.
    func similarState(count: Int = 3, size: TerminalSize = TerminalSize(columns: 120, rows: 40)) -> AppState {
        var state = Sample.state(size: size)
        Sample.press([.character("m")], &state)
        let neighbours = (0..<count).map { SimilarItem(item: 100 + $0, path: "n\($0).png", label: "square", similarity: 0.9 - Double($0) / 100) }
        _ = Reducer.reduce(&state, .similarLoaded(item: 0, neighbours))
        return state
    }

    @Test("Enter in more like this opens the selected image instead of accepting it; Escape goes back")
    func enterOpensNeighbour() {
        var state = similarState()
        Sample.press([.right], &state)
        let effects = Sample.press([.enter], &state)
        #expect(effects.compactMap(\.decision).isEmpty, "Enter must never decide silently in a grid")
        #expect(state.screen == .opened && state.opened == 100)
        let frame = View.render(state)
        #expect(frame.images.first?.tiles.first?.item == 100, "the neighbour full size")
        #expect(frame.buffer.text.contains("opened") && frame.buffer.text.contains("back to the grid"))
        Sample.press([.escape], &state)
        #expect(state.screen == .similar && state.opened == nil && state.gridCursor == 1)
    }

    @Test("a decision on the opened image is about it, and brings the grid back")
    func decideOnOpened() {
        var state = similarState()
        Sample.press([.right, .enter], &state)
        let effects = Sample.press([.character("3")], &state)
        #expect(effects.compactMap(\.decision).first?.items == [100])
        #expect(effects.compactMap(\.decision).first?.kind == .relabel(["triangle"]))
        Sample.confirm(&state)
        #expect(state.screen == .similar)
        #expect(state.currentItem == 0, "the queue's item stays where it was")
    }

    @Test("grids act only on the keys their footer names")
    func gridKeys() {
        for open in [Key.character("m"), .character("c")] {
            var state = Sample.state()
            Sample.press([open], &state)
            if open == .character("m") {
                _ = Reducer.reduce(&state, .similarLoaded(item: 0, [SimilarItem(item: 100, path: "n.png", label: "square", similarity: 0.9)]))
            }
            for key: Key in [.character("x"), .character("s"), .character("t"), .character("n"), .tab, .character("z")] {
                #expect(Sample.press([key], &state).compactMap(\.decision).isEmpty, "\(key) decided in a grid")
                #expect(state.screen == (open == .character("m") ? .similar : .component), "\(key) left the grid")
            }
            #expect(state.status?.text.contains("does nothing in this grid") == true)
            Sample.press([.left], &state)
            let footer = View.render(state).buffer.text
            #expect(footer.contains("enter opens") && footer.contains("digits relabel") && footer.contains("esc back"))
        }
    }

    @Test("more like this shows the image it started from first, then its neighbours")
    func queryImageFirst() {
        let state = similarState()
        #expect(state.gridItems == [0, 100, 101, 102])
        let frame = View.render(state)
        #expect(frame.images.first?.tiles.map(\.item) == [0, 100, 101, 102])
        #expect(frame.buffer.text.contains("▸ circle") && frame.buffer.text.contains("(▸, first), then its nearest neighbours"))
    }

    @Test("thumbnails grow to fill the space, and + / - change their size")
    func adaptiveThumbnails() {
        let area = GridLayout.area(for: TerminalSize(columns: 120, rows: 40))
        let few = GridLayout.tileSize(area: area, count: 2, zoom: 0)
        let many = GridLayout.tileSize(area: area, count: 40, zoom: 0)
        #expect(few.width > many.width, "two images get larger tiles than forty")
        #expect(GridLayout.tiles(in: area, count: 40, cursor: 0, zoom: 0).count == 40, "forty fit at the fitting size")
        var state = similarState(count: 9)
        let before = View.render(state).images.first?.tiles.first?.rect
        Sample.press([.character("-")], &state)
        let smaller = View.render(state).images.first?.tiles.first?.rect
        Sample.press([.character("+"), .character("+")], &state)
        let larger = View.render(state).images.first?.tiles.first?.rect
        #expect(smaller!.width < before!.width && larger!.width > before!.width)
        // + and - in a grid change the thumbnails, never the image colours.
        #expect(!Sample.press([.character("-")], &state).contains(.lowerImageQuality))
        // Larger than the screen allows: it says so.
        for _ in 0..<20 { Sample.press([.character("+")], &state) }
        #expect(state.status?.text.contains("as large as") == true)
        for tile in View.render(state).images.first?.tiles ?? [] {
            #expect(tile.rect.intersection(Rect(x: 0, y: 0, width: 120, height: 40)) == tile.rect)
        }
    }

    @Test("on the review screen - and + change the image colours")
    func qualityKeys() {
        var state = Sample.state()
        #expect(Sample.press([.character("-")], &state) == [.lowerImageQuality])
        #expect(Sample.press([.character("+")], &state) == [.raiseImageQuality])
    }

    @Test("the similar grid shows each neighbour's current label, not the one it had when listed")
    func similarLabelsFollowDecisions() {
        var state = similarState()
        var relabelled = Sample.details(100, label: "triangle")
        relabelled.status = "relabelled"
        _ = Reducer.reduce(&state, .detailsLoaded([relabelled]))
        #expect(View.render(state).buffer.text.contains("triangle 0.90"))
    }
}
