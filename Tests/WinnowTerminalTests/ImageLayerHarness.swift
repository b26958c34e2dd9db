import Foundation
import Testing
import WinnowCore
import WinnowGraphics
import WinnowImaging
@testable import WinnowTerminal
import WinnowUI

/// A review-like screen drawn by hand, so each test says exactly which cells change: the
/// picture's rectangle on the left, a side panel of text to its right, a status line.
struct Screenful {
    var size = TerminalSize(columns: 80, rows: 24)
    /// The item shown, or nil for a screen without a picture (help, stats).
    var item: Int? = 1
    var imageRect = Rect(x: 1, y: 2, width: 40, height: 15)
    /// Side panel lines from row 2, at column 45.
    var side: [String] = ["label: cat", "score 0.91", "item 1 of 40"]
    /// Extra text at (x, y): a picker opened beside the image, say.
    var overlay: [(x: Int, y: Int, text: String)] = []
    var status = "ready"

    func frame() -> Frame {
        var buffer = CellBuffer(size: size)
        buffer.write("Winnow · review · label issues", x: 0, y: 0)
        for (i, line) in side.enumerated() { buffer.write(line, x: 45, y: 2 + i) }
        for entry in overlay { buffer.write(entry.text, x: entry.x, y: entry.y) }
        buffer.write(status, x: 0, y: size.rows - 1)
        guard let item else { return Frame(buffer: buffer) }
        let tile = ImageTile(item: item, path: "\(item).png", rect: imageRect, blurred: false)
        return Frame(buffer: buffer, images: [ImagePlacement(rect: imageRect, tiles: [tile])])
    }
}

/// Image files on disk for the items, served as a review source serves them.
final class ImageFiles: ReviewDataSource, @unchecked Sendable {
    let folder: URL

    /// Items 1 and 2: 400×300 (the picture fills the review rectangle); 3: a tall 100×300.
    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("winnow-terminal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let images: [Int: RGBImage] = [
            1: RGBImage(width: 400, height: 300, fill: RGB(200, 40, 40)),
            2: RGBImage(width: 400, height: 300, fill: RGB(40, 200, 40)),
            3: RGBImage(width: 100, height: 300, fill: RGB(40, 40, 200))
        ]
        for (item, image) in images {
            try Data(PNGEncoder.encode(image)).write(to: folder.appendingPathComponent("\(item).png"))
        }
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    func imagePath(of item: Int) -> String { folder.appendingPathComponent("\(item).png").path }
    func markImageProblem(item: Int, message: String) {}
    struct NotHere: Error {}
    func queue(named name: String) throws -> (slots: [QueueSlot], counts: [String: Int]) { throw NotHere() }
    func details(of items: [Int]) throws -> [ItemDetails] { throw NotHere() }
    func decide(_ command: DecisionCommand) throws -> (eventIDs: [Int64], message: String) { throw NotHere() }
    func undo(items: [Int]) throws -> String { throw NotHere() }
    func similar(to item: Int) throws -> [SimilarItem] { throw NotHere() }
    func stats() throws -> ReviewStats { throw NotHere() }
}

/// The image layer over a `TestScreen`, driven frame by frame as the review runtime drives it.
final class ImageLayerHarness {
    let screen: TestScreen
    let layer: TerminalImageLayer
    let inbox: Inbox
    let files: ImageFiles

    static let cellSize = PixelSize(width: 10, height: 20)

    init(_ imageProtocol: ImageProtocol = .sixel, size: TerminalSize = TerminalSize(columns: 80, rows: 24)) throws {
        let capabilities = GraphicsCapabilities(
            imageProtocol: imageProtocol, wrapping: .none, textColors: .truecolor, blockColors: .truecolor,
            cellSize: Self.cellSize, cellSizeSource: .windowSize, sixelColors: 256,
            sixelMaxGeometry: nil, synchronizedOutput: false, reasons: [])
        screen = TestScreen(size: size)
        layer = TerminalImageLayer(capabilities: capabilities, sixelColors: 64, blur: .blur)
        inbox = try Inbox()
        files = try ImageFiles()
        layer.start(inbox: inbox, source: files)
    }

    /// One frame, as `ReviewRuntime.draw` does it.
    func step(_ screenful: Screenful) {
        var frame = screenful.frame()
        layer.prepare(&frame)
        let rewritten = screen.draw(frame.buffer)
        layer.present(frame, rewrittenRows: rewritten, screen: screen)
    }

    /// Frames until the picture is decoded, encoded and on screen, waiting on the inbox as
    /// the runtime does; then the log is cleared (unless `keepingLog`), so a test sees only
    /// what its own step did.
    func settle(_ screenful: Screenful, keepingLog: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) async {
        for _ in 0..<8 {
            step(screenful)
            if isShowing(screenful) {
                if !keepingLog { _ = screen.takeLog() }
                return
            }
            await Self.waitUntilReadable(inbox.fileDescriptor)
            for action in inbox.drain().actions {
                if case .imageFailed(_, let message) = action { Issue.record("image failed: \(message)", sourceLocation: sourceLocation) }
            }
        }
        Issue.record("the picture never reached the screen", sourceLocation: sourceLocation)
    }

    /// Waits (30 s at most) on a dispatch thread, not on one of Swift concurrency's few
    /// threads: the pictures are encoded in tasks that need those.
    static func waitUntilReadable(_ descriptor: Int32) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                _ = poll(&entry, 1, 30_000)
                done.resume()
            }
        }
    }

    func isShowing(_ screenful: Screenful) -> Bool {
        guard let placement = screenful.frame().images.first else { return layer.shownKey == nil }
        return layer.shownKey == layer.placementKey(for: placement)
    }

    /// What the layer would write for the picture of `screenful` (it must be encoded).
    func bytes(of screenful: Screenful) throws -> [UInt8] {
        try #require(rendered(screenful)).bytes
    }

    func rendered(_ screenful: Screenful) -> RenderedImage? {
        guard let placement = screenful.frame().images.first else { return nil }
        return layer.results.rendered(for: layer.placementKey(for: placement))
    }
}
