import Foundation
import Testing
import WinnowCore
import WinnowTestSupport
@testable import WinnowUI

@Suite("Screens on the cell buffer")
struct ScreenTests {
    @Test("the review screen shows the item, its labels, reasons, models, component and metadata")
    func reviewScreen() {
        let frame = View.render(Sample.state())
        let text = frame.buffer.text
        for expected in [
            "winnow", "shapes", "triage 1/5", "alice", "batch-01/img_0000.png", "label", "circle", "suggested", "square",
            "ann-a circle · ann-b square", "Why", "the evidence favours 'square'", "Models", "logreg", "0.91",
            "Near-duplicates", "#12 · 2 images · purity 0.50", "labels disagree", "Metadata", "source", "web",
            "1 circle", "2 square", "3 triangle", "a accept"
        ] {
            #expect(text.contains(expected), "missing \(expected)")
        }
        #expect(frame.images.count == 1)
        let tile = frame.images[0].tiles[0]
        #expect(tile.item == 0 && tile.path == "batch-01/img_0000.png" && !tile.blurred)
        #expect(tile.rect.maxY <= 40 - 2, "images stay off the footer and the last row")
    }

    @Test("golden: the review screen at 100×30", .tags(.golden))
    func golden() throws {
        let text = View.render(Sample.state(size: TerminalSize(columns: 100, rows: 30))).buffer.text
        let path = Repository.root + "/Tests/WinnowUITests/Golden/review-100x30.txt"
        if ProcessInfo.processInfo.environment["WINNOW_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == golden, "the screen changed; if on purpose, rerun with WINNOW_UPDATE_GOLDEN=1 and review the diff")
    }

    @Test("renders at every size from 1×1 to 200×60 on every screen without crashing")
    func everySize() {
        let screens: [Screen] = [.review, .zoom, .component, .similar, .queues, .stats, .help]
        var base = Sample.state()
        base.similar = [SimilarItem(item: 100, path: "x.png", label: "square", similarity: 0.97)]
        base.stats = ReviewStats(sections: [.init(title: "Decisions", bars: [.init(label: "accept", value: 0.5, text: "3")])])
        for columns in stride(from: 1, through: 200, by: 1) {
            for rows in [1, 2, 5, 7, 8, 9, 12, 17, 18, 24, 30, 41, 60] {
                for screen in (columns % 7 == 0 ? screens : [screens[(columns + rows) % screens.count]]) {
                    var state = base
                    state.size = TerminalSize(columns: columns, rows: rows)
                    state.screen = screen
                    if columns % 11 == 0 { state.picker = ClassPicker(purpose: .relabelCurrent) }
                    let frame = View.render(state)
                    #expect(frame.buffer.size == state.size)
                    for placement in frame.images {
                        for tile in placement.tiles {
                            #expect(tile.rect.intersection(frame.buffer.bounds) == tile.rect)
                            #expect(tile.rect.maxY <= rows - 1, "an image on the last row scrolls the terminal")
                        }
                    }
                }
            }
        }
    }

    @Test("too small a terminal gets a short message")
    func tooSmall() {
        let text = View.render(Sample.state(size: TerminalSize(columns: 28, rows: 6))).buffer.text
        #expect(text.contains("terminal too small"))
        #expect(text.contains("have 28×6"))
    }

    @Test("escape sequences in paths, labels and metadata never reach the buffer")
    func hostileText() {
        var state = Sample.state()
        var details = Sample.details(0, label: "cir\u{1B}]52;c;cm0gLXJm\u{07}cle")
        details.path = "evil\u{1B}[2J\u{9B}31m.png"
        details.metadata = [.init(name: "note\u{1B}P", value: "\u{202E}gpj.exe")]
        _ = Reducer.reduce(&state, .detailsLoaded([details]))
        let frame = View.render(state)
        for cell in frame.buffer.cells {
            for scalar in cell.text.unicodeScalars {
                #expect(
                    scalar.value >= 0x20 && scalar.value != 0x7F && !(0x80...0x9F).contains(scalar.value) && !(0x202A...0x202E).contains(scalar.value)
                )
            }
        }
        #expect(frame.buffer.text.contains("evil␛[2J"))
    }

    @Test("wide characters and combining marks keep columns aligned")
    func wideText() {
        var buffer = CellBuffer(size: TerminalSize(columns: 12, rows: 3))
        buffer.write("猫ラベル", x: 0, y: 0)
        buffer.write("e\u{301}te\u{301}|", x: 0, y: 1)
        buffer.write("abc猫", x: 0, y: 2, maxWidth: 4)
        #expect(buffer.text(row: 0) == "猫ラベル    ")
        #expect(DisplayWidth.of(buffer.text(row: 0)) == 12)
        #expect(buffer.text(row: 1).hasPrefix("e\u{301}te\u{301}|"))
        #expect(buffer[1, 1].text == "t" && buffer[2, 1].text == "e\u{301}")
        // The wide character does not fit the last column: it is cut with an ellipsis.
        #expect(buffer.text(row: 2).hasPrefix("abc…"))
        // Overwriting half of a wide character leaves no half behind.
        buffer.write("x", x: 1, y: 0)
        #expect(buffer.text(row: 0).hasPrefix(" xラ"))
    }

    @Test("the review screen at 80 columns stacks the image above the details")
    func narrowLayout() {
        let frame = View.render(Sample.state(size: TerminalSize(columns: 60, rows: 40)))
        let tile = frame.images[0].tiles[0]
        #expect(tile.rect.width >= 50)
        #expect(tile.rect.maxY < 22)
        #expect(frame.buffer.text.contains("batch-01/img_0000.png"))
    }

    @Test("a blurred image says so and how to reveal it; a broken one says why")
    func placeholders() {
        var state = Sample.state(setup: Sample.setup(sensitive: ["circle"]))
        var text = View.render(state).buffer.text
        #expect(text.contains("blurred (sensitive)") && text.contains("b reveals"))
        #expect(View.render(state).images[0].tiles[0].blurred)
        _ = Reducer.reduce(&state, .imageFailed(item: 0, message: "PNG data is truncated"))
        let frame = View.render(state)
        text = frame.buffer.text
        #expect(text.contains("cannot show this image") && text.contains("PNG data is truncated"))
        #expect(frame.images.isEmpty)
    }

    @Test("every theme renders the review screen; mono uses no colours")
    func themes() throws {
        for name in ["default", "light", "high-contrast", "mono"] {
            let path = Repository.root + "/Themes/\(name).toml"
            let theme = try ThemeFile.parse(try String(contentsOfFile: path, encoding: .utf8), file: path)
            #expect(theme.name == name)
            for depth in ColorDepth.allCases {
                var state = Sample.state(size: TerminalSize(columns: 100, rows: 30))
                state.theme = theme.reduced(to: depth)
                let frame = View.render(state)
                #expect(frame.buffer.text.contains("batch-01/img_0000.png"))
                if depth == .mono {
                    #expect(frame.buffer.cells.allSatisfy { $0.style.foreground == .default && $0.style.background == .default })
                }
                if depth == .palette8 {
                    #expect(
                        frame.buffer.cells.allSatisfy {
                            if case .indexed(let i) = $0.style.foreground { return i < 8 } else { return $0.style.foreground == .default }
                        })
                }
            }
        }
    }

    @Test("the default theme file and the built-in theme agree")
    func builtInMatchesFile() throws {
        let path = Repository.root + "/Themes/default.toml"
        #expect(try ThemeFile.parse(try String(contentsOfFile: path, encoding: .utf8), file: path) == Theme.builtIn)
    }

    @Test("help lists every command with its keys")
    func help() {
        var state = Sample.state(size: TerminalSize(columns: 100, rows: 60))
        state.screen = .help
        let text = View.render(state).buffer.text
        #expect(text.contains("accept the current label"))
        #expect(text.contains("a enter"))
        #expect(text.contains("undo your last decision"))
    }

    @Test("the picker shows matches, and images under it are dropped")
    func pickerPopup() {
        var state = Sample.state()
        Sample.press([.character("/"), .character("q")], &state)
        var frame = View.render(state)
        #expect(frame.buffer.text.contains("Relabel to"))
        #expect(frame.buffer.text.contains("square"))
        #expect(frame.buffer.text.contains("1/3"))
        state.size = TerminalSize(columns: 60, rows: 40)
        frame = View.render(state)
        #expect(frame.images.allSatisfy { $0.tiles.isEmpty == false })
    }

    @Test("the component grid lists the members with their labels")
    func componentGrid() {
        var state = Sample.state()
        Sample.press([.character("c")], &state)
        let frame = View.render(state)
        #expect(frame.buffer.text.contains("Near-duplicate group #12"))
        #expect(frame.buffer.text.contains("majority: circle"))
        #expect(frame.images.count == 1)
        #expect(frame.images[0].tiles.map(\.item) == [0, 100])
    }
}

extension Tag {
    @Tag static var golden: Self
}
