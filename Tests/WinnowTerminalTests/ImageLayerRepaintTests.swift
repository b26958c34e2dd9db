import Testing
import WinnowCore
import WinnowGraphics
@testable import WinnowTerminal
import WinnowUI

/// When the image layer sends a picture again and which rows it has the screen repaint:
/// the decisions behind scripts/check-review-pixels.sh, asserted on what a terminal would
/// have been sent. Sixel pictures have no delete (text written over them removes them),
/// so they are the demanding case; kitty's are deleted by id.
@Suite("Image layer: what is repainted and re-sent")
struct ImageLayerRepaintTests {
    let base = Screenful()

    @Test func anUnchangedFrameSendsNothing() async throws {
        let harness = try ImageLayerHarness()
        await harness.settle(base)
        harness.step(base)
        let log = harness.screen.takeLog()
        #expect(log == [.draw(changed: [], rewritten: [])])
    }

    @Test func theFirstPictureIsSentOnceWithoutRepaints() async throws {
        let harness = try ImageLayerHarness()
        var blank = base
        blank.item = nil
        harness.step(blank)
        // Sixel scrolling off, once, before any picture.
        #expect(TestScreen.graphics(in: harness.screen.takeLog()) == [Array("\u{1B}[?80l".utf8)])
        // Decoded and encoded in the background; the frames until then send nothing, and
        // the picture is sent once when it is ready.
        await harness.settle(base, keepingLog: true)
        let log = harness.screen.takeLog()
        #expect(TestScreen.graphics(in: log) == [try harness.bytes(of: base)])
        #expect(TestScreen.redrawnRows(in: log).isEmpty)
        harness.step(base)
        #expect(TestScreen.graphics(in: harness.screen.takeLog()).isEmpty)
    }

    @Test func movingToAnImageOfTheSameSizeSendsItWithoutRepaintingRows() async throws {
        let harness = try ImageLayerHarness()
        var next = base
        next.item = 2
        next.side = ["label: dog", "score 0.42", "item 2 of 40"]
        await harness.settle(next) // prefetched, as the review screen does for the next items
        await harness.settle(base)
        harness.step(next)
        let log = harness.screen.takeLog()
        #expect(TestScreen.graphics(in: log) == [try harness.bytes(of: next)])
        // The new picture paints every pixel the old one did: no row is repainted.
        #expect(TestScreen.redrawnRows(in: log).isEmpty)
    }

    @Test func aSmallerImageHasTheOldOnesRowsRepainted() async throws {
        let harness = try ImageLayerHarness()
        var tall = base
        tall.item = 3
        await harness.settle(tall)
        await harness.settle(base)
        let old = try #require(harness.rendered(base))
        harness.step(tall)
        let log = harness.screen.takeLog()
        #expect(TestScreen.redrawnRows(in: log) == Set(old.cells.y..<old.cells.maxY))
        // Repainting the rows erases the new picture's pixels too: it is sent after them.
        #expect(TestScreen.graphics(in: log) == [try harness.bytes(of: tall)])
        #expect(log.lastIndex { if case .graphics = $0 { true } else { false } }! > log.lastIndex { if case .redraw = $0 { true } else { false } }!)
    }

    @Test func aScreenWithoutAPictureRepaintsItsRowsAndSendsNothing() async throws {
        let harness = try ImageLayerHarness()
        await harness.settle(base)
        let old = try #require(harness.rendered(base))
        var help = base
        help.item = nil
        harness.step(help)
        let log = harness.screen.takeLog()
        #expect(TestScreen.graphics(in: log).isEmpty)
        #expect(TestScreen.redrawnRows(in: log) == Set(old.cells.y..<old.cells.maxY))
        // And nothing more once it is gone.
        harness.step(help)
        #expect(harness.screen.takeLog() == [.draw(changed: [], rewritten: [])])
    }

    @Test func aDecisionOnTheStatusLineLeavesThePictureAlone() async throws {
        let harness = try ImageLayerHarness()
        await harness.settle(base)
        var decided = base
        decided.status = "saved: item 1 is a dog · u undoes"
        harness.step(decided)
        let log = harness.screen.takeLog()
        #expect(log == [.draw(changed: [23], rewritten: [23])])
    }

    @Test func textChangingBesideThePictureSendsItAgain() async throws {
        // ncurses clears runs of blanks with EL/ECH, which erases pixels in the same rows.
        let harness = try ImageLayerHarness()
        await harness.settle(base)
        var decided = base
        decided.side[0] = "label: dog (you)"
        harness.step(decided)
        let log = harness.screen.takeLog()
        #expect(TestScreen.graphics(in: log) == [try harness.bytes(of: base)])
        // Row 2 is painted in full by the picture sent again: nothing to repaint.
        #expect(TestScreen.redrawnRows(in: log).isEmpty)
    }

    @Test func theClassPickerOpeningBesideThePictureSendsItAgain() async throws {
        let harness = try ImageLayerHarness()
        await harness.settle(base)
        var picking = base
        picking.overlay = [(44, 6, "┌ class ─────────┐"), (44, 7, "│ 1 cat          │"), (44, 8, "│ 2 dog          │"), (44, 9, "└────────────────┘")]
        harness.step(picking)
        var log = harness.screen.takeLog()
        #expect(TestScreen.graphics(in: log) == [try harness.bytes(of: base)])
        // Closing it rewrites the same rows: sent again once more.
        harness.step(base)
        log = harness.screen.takeLog()
        #expect(TestScreen.graphics(in: log) == [try harness.bytes(of: base)])
    }

    @Test func rowsThatMayScrollAreRepairedAroundThePicture() async throws {
        // A list beside the picture moves up a line: ncurses may scroll a region of rows,
        // and xterm scrolls the sixel's pixels with it, leaving strips in rows whose text
        // did not change. Every row is reported rewritten; every row the new picture does
        // not paint in full is repainted, and the picture is sent again.
        let harness = try ImageLayerHarness()
        var list = base
        list.side = (1...8).map { "neighbour \($0) · cat" }
        await harness.settle(list)
        var moved = list
        moved.side = (2...9).map { "neighbour \($0) · cat" }
        harness.step(moved)
        let log = harness.screen.takeLog()
        let rendered = try #require(harness.rendered(list))
        let painted = Set(rendered.cells.y..<(rendered.cells.y + rendered.pixelSize.height / ImageLayerHarness.cellSize.height))
        #expect(log.first == .draw(changed: Array(2...9), rewritten: Array(0..<24)))
        #expect(TestScreen.redrawnRows(in: log) == Set(0..<24).subtracting(painted))
        #expect(TestScreen.graphics(in: log) == [rendered.bytes])
    }

    @Test func controlLRepaintsEverythingAndSendsThePictureAgain() async throws {
        let harness = try ImageLayerHarness()
        await harness.settle(base)
        // What the reducer's `.redraw` effect does.
        harness.screen.invalidate()
        harness.layer.invalidate()
        harness.step(base)
        let log = harness.screen.takeLog()
        #expect(log.contains(.draw(changed: Array(0..<24), rewritten: Array(0..<24))))
        #expect(TestScreen.graphics(in: log) == [try harness.bytes(of: base)])
        #expect(TestScreen.redrawnRows(in: log).isEmpty)
    }

    @Test func aResizeSendsThePictureAtItsNewPlace() async throws {
        let harness = try ImageLayerHarness()
        await harness.settle(base)
        let before = try harness.bytes(of: base)
        harness.screen.resize(to: TerminalSize(columns: 100, rows: 30))
        #expect(harness.screen.read() == .resized)
        harness.screen.invalidate()
        harness.layer.invalidate()
        var wider = base
        wider.size = TerminalSize(columns: 100, rows: 30)
        wider.imageRect = Rect(x: 1, y: 3, width: 52, height: 21)
        await harness.settle(wider)
        let after = try harness.bytes(of: wider)
        #expect(after != before)
        // The layer believes the new picture is on screen, and sends nothing more.
        harness.step(wider)
        #expect(TestScreen.graphics(in: harness.screen.takeLog()).isEmpty)
    }

    @Test func kittyPicturesAreDeletedByIDInsteadOfRepainted() async throws {
        let harness = try ImageLayerHarness(.kitty)
        var tall = base
        tall.item = 3
        await harness.settle(tall)
        await harness.settle(base)
        harness.step(tall)
        let log = harness.screen.takeLog()
        #expect(TestScreen.redrawnRows(in: log).isEmpty)
        let written = TestScreen.graphics(in: log)
        #expect(written.count == 1)
        // The delete of the old picture comes first, then the new one.
        let sent = try harness.bytes(of: tall)
        #expect(written.first.map { $0.count > sent.count && Array($0.suffix(sent.count)) == sent } == true)
        #expect(String(decoding: written.first ?? [], as: UTF8.self).contains("a=d"))
    }

    @Test func stopEndsTheGraphicsThroughTheScreen() async throws {
        let harness = try ImageLayerHarness(.kitty)
        await harness.settle(base)
        harness.layer.stop(screen: harness.screen)
        #expect(TestScreen.graphics(in: harness.screen.takeLog()).count == 1)
    }
}
