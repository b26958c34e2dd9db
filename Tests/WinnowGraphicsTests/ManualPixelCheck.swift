import Foundation
import Testing
import WinnowCore
@testable import WinnowGraphics

/// Writes a frame for checking pixels in a real terminal, to the file named by
/// `WINNOW_GRAPHICS_FRAME` (off otherwise). `cat` it in `xterm -ti vt340` (6×13 cells):
/// text fills rows 1–3, a sixel image of four quadrants sits in the 30×10 cells at row 5,
/// column 11, and the cursor returns to the end of row 3 where `<after>` continues.
/// With `WINNOW_GRAPHICS_FRAME_TMUX=row,column` (the pane's origin) the image is wrapped
/// for tmux passthrough instead.
@Suite("Manual pixel check", .enabled(if: ProcessInfo.processInfo.environment["WINNOW_GRAPHICS_FRAME"] != nil))
struct ManualPixelCheck {
    @Test func writeFrame() async throws {
        let environment = ProcessInfo.processInfo.environment
        let tmuxOrigin = environment["WINNOW_GRAPHICS_FRAME_TMUX"].map { $0.split(separator: ",").compactMap { Int($0) } }
        let capabilities = GraphicsCapabilities(
            imageProtocol: .sixel, wrapping: tmuxOrigin == nil ? .none : .tmuxPassthrough, textColors: .palette256, blockColors: .palette256,
            cellSize: PixelSize(width: 6, height: 13), cellSizeSource: .assumed, sixelColors: 256,
            sixelMaxGeometry: nil, synchronizedOutput: false, reasons: [])
        var renderer = TerminalImageRenderer(capabilities: capabilities, options: .init(alignment: .topLeft), cache: nil)
        if let tmuxOrigin, tmuxOrigin.count == 2 { renderer.paneOrigin = CellOffset(row: tmuxOrigin[0], column: tmuxOrigin[1]) }
        let rect = Rect(x: 10, y: 4, width: 30, height: 10)
        let image = TestImages.quadrants(width: 180, height: 130)
        let rendered = try #require(try await renderer.render(image, identity: "frame", in: rect, screenRows: 40))
        var frame = bytes("\\e[2J\\e[H") + renderer.startSequence
        frame += Array("line one\r\nline two\r\nline three".utf8)
        frame += rendered.bytes
        frame += Array("<after>\r\n".utf8)
        frame += bytes("\\e[20;1H") + Array("image cells: \(rendered.cells)\r\n".utf8)
        try Data(frame).write(to: URL(fileURLWithPath: environment["WINNOW_GRAPHICS_FRAME"]!))
    }
}

/// Probes the real controlling terminal and writes `winnow doctor`'s report to the file
/// named by `WINNOW_GRAPHICS_DOCTOR` (off otherwise). Run `swift test` inside the terminal
/// to check, e.g. xterm, or tmux inside it.
@Suite("Manual doctor check", .enabled(if: ProcessInfo.processInfo.environment["WINNOW_GRAPHICS_DOCTOR"] != nil))
struct ManualDoctorCheck {
    @Test func writeReport() throws {
        let detection = GraphicsDetection.run(timeout: .seconds(2))
        let report = DoctorReport.lines(for: detection).joined(separator: "\n") + "\n"
        try Data(report.utf8).write(to: URL(fileURLWithPath: ProcessInfo.processInfo.environment["WINNOW_GRAPHICS_DOCTOR"]!))
    }
}
