import ArgumentParser
import Foundation
import WinnowCore
import WinnowGraphics
import WinnowSession

/// Writes a frame for checking pixels by eye in a real terminal (was the opt-in
/// `ManualPixelCheck` test suite: it asserted nothing, it wrote a file).
struct BenchGraphicsFrame: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graphics-frame",
        abstract: "Write a sixel frame to check by eye in a real terminal (xterm -ti vt340).",
        discussion: """
            `cat` the file in `xterm -ti vt340` (6×13 cells): text fills rows 1–3, a sixel image \
            of four quadrants sits in the 30×10 cells at row 5, column 11, and the cursor returns \
            to the end of row 3 where `<after>` continues. With --tmux-origin (the pane's origin) \
            the image is wrapped for tmux passthrough instead.

            EXAMPLES:
              winnow-bench graphics-frame /tmp/frame.bin && cat /tmp/frame.bin
              winnow-bench graphics-frame /tmp/frame.bin --tmux-origin 0,0
            """)

    @Argument(help: ArgumentHelp("The file to write.", valueName: "file")) var output: String
    @Option(help: ArgumentHelp("Wrap for tmux passthrough; the pane's origin.", valueName: "row,column")) var tmuxOrigin: String?

    func run() throws {
        var origin: CellOffset?
        if let tmuxOrigin {
            let parts = tmuxOrigin.split(separator: ",").compactMap { Int($0) }
            guard parts.count == 2 else { throw ValidationError("--tmux-origin: '\(tmuxOrigin)' is not row,column") }
            origin = CellOffset(row: parts[0], column: parts[1])
        }
        let frame = try BenchReview.blocking { [origin] in try await Self.frame(tmuxOrigin: origin) }
        try Data(frame).write(to: URL(fileURLWithPath: output))
        print("wrote \(frame.count) bytes to \(output)")
    }

    static func frame(tmuxOrigin: CellOffset?) async throws -> [UInt8] {
        let capabilities = GraphicsCapabilities(
            imageProtocol: .sixel, wrapping: tmuxOrigin == nil ? .none : .tmuxPassthrough, textColors: .palette256, blockColors: .palette256,
            cellSize: PixelSize(width: 6, height: 13), cellSizeSource: .assumed, sixelColors: 256,
            sixelMaxGeometry: nil, synchronizedOutput: false, reasons: [])
        var renderer = TerminalImageRenderer(capabilities: capabilities, options: .init(alignment: .topLeft), cache: nil)
        if let tmuxOrigin { renderer.paneOrigin = tmuxOrigin }
        let rect = Rect(x: 10, y: 4, width: 30, height: 10)
        guard let rendered = try await renderer.render(quadrants(width: 180, height: 130), identity: "frame", in: rect, screenRows: 40) else {
            throw CLIFailure(message: "the renderer drew nothing for the frame", exit: .projectError)
        }
        let escape = "\u{1B}"
        var frame = Array("\(escape)[2J\(escape)[H".utf8) + renderer.startSequence
        frame += Array("line one\r\nline two\r\nline three".utf8)
        frame += rendered.bytes
        frame += Array("<after>\r\n".utf8)
        frame += Array("\(escape)[20;1H".utf8) + Array("image cells: \(rendered.cells)\r\n".utf8)
        return frame
    }

    /// Four flat quadrants in well-separated colours: an exact sixel palette.
    static func quadrants(width: Int, height: Int) -> RGBImage {
        let colours = [RGB(255, 0, 0), RGB(0, 153, 0), RGB(0, 0, 255), RGB(255, 255, 255)]
        var image = RGBImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                image[x, y] = colours[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)]
            }
        }
        return image
    }
}
