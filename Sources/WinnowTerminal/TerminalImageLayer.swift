import CNcursesw
import Foundation
import WinnowCore
import WinnowGraphics
import WinnowImaging
import WinnowUI

/// Pictures for the review screen: decodes images on background workers (capped and
/// checked, so a hostile file only produces a placeholder), scales them to the cells they
/// get, blurs sensitive ones, and draws them either as half blocks in the cell buffer or
/// with the terminal's image protocol (sixel, kitty, iTerm2) after ncurses has flushed.
///
/// Decoded pixels and encoded bytes are cached, and the next items are prepared ahead
/// (`prefetch`), so moving on shows the next image at once.
///
/// ncurses does not know the images are there. Sixel and iTerm2 images are erased by text
/// written over them, and ncurses' optimised updates reach beyond the cells that changed
/// (EL/ECH over runs of blanks, scrolled regions, which xterm scrolls with the pixels in
/// them). So whenever rows beside the image change, the image is sent again; and an image
/// that goes away or is not covered by its successor has its rows redrawn in full
/// (`wredrawln`). Checked with pixels in xterm and tmux: scripts/check-terminal-images.sh.
public final class TerminalImageLayer: ImageLayer {
    public enum Blur: Sendable { case blur, pixelate }

    /// What is cached per tile: the item's pixels at one pixel box, blurred or not.
    struct TileKey: Hashable, Sendable {
        var item: Int
        var box: PixelSize
        var blurred: Bool
    }

    /// A placement as the terminal sees it: where, and which pixels. The rendered bytes
    /// hold the position in outer-terminal cells, hence the tmux pane's origin.
    struct PlacementKey: Hashable, Sendable {
        var rect: Rect
        var tiles: [TileKey]
        var colors: Int
        var origin: CellOffset = .zero
    }

    private let capabilities: GraphicsCapabilities
    private let blur: Blur
    private var renderer: TerminalImageRenderer?
    private var colors: Int
    /// The most colours allowed: the terminal's registers and `--colors` / `[review] colors`.
    private let maximumColors: Int
    /// Internal so tests can hand it decoded pixels, as the decoding workers do.
    let results = ResultStore()
    private let decodeQueue = DispatchQueue(label: "winnow.images.decode", attributes: .concurrent)
    private let decodeSlots = DispatchSemaphore(value: 2)
    private var inbox: Inbox?
    private var source: (any ReviewDataSource)?
    private var onScreen: (key: PlacementKey, rendered: RenderedImage)?
    /// Where the tmux pane starts in the outer terminal, when images pass through tmux.
    private var paneOrigin: CellOffset
    private var started = false
    /// The review placements of the next items: encoded ahead once decoded.
    private var prefetched: [PlacementKey] = []
    /// The screen's rows, for keeping images off the last one.
    private var screenRows = 24

    /// - Parameter paneOrigin: inside tmux with passthrough, where the pane starts in the
    ///   outer terminal (``GraphicsDetection/tmuxPaneOrigin``): image positions are sent
    ///   to the outer terminal, so they are the pane's cells plus this.
    public init(capabilities: GraphicsCapabilities, sixelColors: Int, blur: Blur, paneOrigin: CellOffset = .zero) {
        self.capabilities = capabilities
        self.blur = blur
        self.colors = min(sixelColors, capabilities.sixelColors)
        self.maximumColors = colors
        self.paneOrigin = capabilities.wrapping == .tmuxPassthrough ? paneOrigin : .zero
        if capabilities.imageProtocol.isPixelProtocol { makeRenderer() }
    }

    private func makeRenderer() {
        renderer = TerminalImageRenderer(
            capabilities: capabilities,
            options: .init(sixelColors: colors, pngEncode: { try PNGEncoder.encode($0) }),
            paneOrigin: paneOrigin)
    }

    var usesBlocks: Bool { capabilities.imageProtocol == .blocks }

    public func start(inbox: Inbox, source: any ReviewDataSource) {
        self.inbox = inbox
        self.source = source
    }

    public func stop(screen: any TerminalScreen) {
        guard let renderer, started else { return }
        screen.writeGraphics(renderer.finishSequence)
    }

    /// The screen was cleared (resize, Ctrl-L): everything is sent again. Inside tmux the
    /// pane may have moved (a split, a resized neighbour), so its origin is asked again.
    public func invalidate() {
        onScreen = nil
        if capabilities.wrapping == .tmuxPassthrough, renderer != nil, let origin = TmuxCommand.paneOrigin(timeout: .milliseconds(500)),
            origin != paneOrigin
        {
            paneOrigin = origin
            renderer?.paneOrigin = origin
            // Prefetched placements carry the old origin in their keys; they are made again.
            prefetched = prefetched.map {
                var key = $0; key.origin = origin; return key
            }
        }
    }

    public func lowerQuality() -> String {
        guard capabilities.imageProtocol == .sixel else { return "image quality is fixed for \(capabilities.imageProtocol)" }
        guard colors > 16 else { return "images use \(colors) colours, the fewest · + raises them" }
        colors = max(16, colors / 2)
        makeRenderer()
        onScreen = nil
        return "images now use \(colors) colours · + raises them again"
    }

    public func raiseQuality() -> String {
        guard capabilities.imageProtocol == .sixel else { return "image quality is fixed for \(capabilities.imageProtocol)" }
        guard colors < maximumColors else { return "images use \(colors) colours, the most allowed here" }
        colors = min(maximumColors, colors * 2)
        makeRenderer()
        onScreen = nil
        return "images now use \(colors) colours"
    }

    // MARK: - Sizes

    /// The pixels a tile of `rect` cells holds.
    func pixelBox(for rect: Rect) -> PixelSize {
        if usesBlocks { return BlockImage.pixelBox(for: rect) }
        let cell = capabilities.cellSize
        var height = rect.height * cell.height
        // Sixel is drawn in bands of six pixel rows: decode to a height the encoder can
        // send as it is, instead of resampling the image a second time to round it.
        if capabilities.imageProtocol == .sixel, height >= 6 { height -= height % 6 }
        return PixelSize(width: max(1, rect.width * cell.width), height: max(1, height))
    }

    func key(for tile: ImageTile) -> TileKey {
        TileKey(item: tile.item, box: pixelBox(for: tile.rect), blurred: tile.blurred)
    }

    func placementKey(for placement: ImagePlacement) -> PlacementKey {
        PlacementKey(rect: placement.rect, tiles: placement.tiles.map(key(for:)), colors: colors, origin: paneOrigin)
    }

    /// The placement the terminal shows now, as far as this layer knows.
    var shownKey: PlacementKey? { onScreen?.key }

    // MARK: - Drawing

    public func prepare(_ frame: inout Frame) {
        screenRows = frame.buffer.size.rows
        for placement in frame.images {
            for tile in placement.tiles {
                let key = key(for: tile)
                guard let image = results.image(for: key) else {
                    requestDecode(key)
                    continue
                }
                if usesBlocks { BlockImage.paint(image, into: &frame.buffer, rect: tile.rect) }
            }
        }
    }

    public func present(_ frame: Frame, rewrittenRows: [Int], screen: any TerminalScreen) {
        guard let renderer else { return }
        // Rows ncurses has just rewritten. Its optimised updates reach past the changed
        // cells: it scrolls regions of rows (which moves image pixels with them in xterm),
        // and clears runs of blank cells with EL/ECH, which erases image pixels under them.
        let damaged = Set(rewrittenRows)

        // The frame's one picture: the review image, or the grid's rows of thumbnails.
        var wanted: (key: PlacementKey, rendered: RenderedImage)?
        if let placement = frame.images.first {
            let key = placementKey(for: placement)
            if let rendered = results.rendered(for: key) {
                wanted = (key, rendered)
            } else if let job = renderJob(for: placement, keys: key.tiles) {
                requestRender(key, job: job, renderer: renderer)
            }
        }
        for key in prefetched where results.rendered(for: key) == nil {
            if let canvas = results.image(for: key.tiles[0]) { requestRender(key, job: .single(canvas, key.rect), renderer: renderer) }
        }

        var out: [UInt8] = []
        if !started {
            out += renderer.startSequence
            started = true
        }
        var repaint = Set<Int>()
        var send = wanted != nil && wanted?.key != onScreen?.key
        if let old = onScreen {
            let removal = renderer.removal(of: old.rendered)
            if let cells = removal.cellsToRepaint {
                // Sixel and iTerm2 images have no delete: text drawn over them removes them.
                let oldRows = Set(cells.y..<cells.maxY)
                let touched = !damaged.isDisjoint(with: oldRows)
                let replaced = wanted?.key != old.key
                if replaced && !(wanted.map { Self.covers($0.rendered, old.rendered) } ?? false) {
                    // The new picture does not cover the old one (none, smaller, elsewhere,
                    // or a grid): repaint the old one's rows.
                    repaint.formUnion(oldRows)
                }
                if touched {
                    // ncurses wrote beside the image, perhaps scrolled rows through it
                    // (then `rewrittenRows` is every row: see ScrollGuess): repaint what it
                    // rewrote around the new picture, and send it again.
                    let newRows = wanted.map { coveredRows($0.rendered) } ?? []
                    repaint.formUnion(damaged.subtracting(newRows))
                    send = wanted != nil
                }
            } else if wanted?.key != old.key {
                out += removal.bytes
            }
        }
        repaint = repaint.filter { $0 >= 0 && $0 < screenRows }
        if !repaint.isEmpty {
            // `wredrawln`, not `wtouchln`: touching only makes ncurses compare the rows
            // again with what it believes is on screen (blank cells), and it sends nothing.
            // Redrawn lines are forgotten, so every cell of them is sent and covers the image.
            screen.redraw(rows: repaint)
            if let wanted, !repaint.isDisjoint(with: wanted.rendered.cells.y..<wanted.rendered.cells.maxY) { send = true }
        }
        if let wanted, send { out += wanted.rendered.bytes }
        onScreen = wanted
        if !out.isEmpty { screen.writeGraphics(out) }
    }

    /// The rows whose every pixel row `rendered` paints (in its columns): repainting them
    /// is pointless, as the picture is sent again over them. A row the picture covers only
    /// in part keeps whatever pixels the rest of it had (scrolled there, say), so it is
    /// repainted; a grid's label rows are text, repainted too.
    func coveredRows(_ rendered: RenderedImage) -> Set<Int> {
        let cellHeight = capabilities.cellSize.height
        guard rendered.slotCount == 1, rendered.pixelSize.height > 0, cellHeight > 0 else { return [] }
        let full = min(rendered.cells.height, rendered.pixelSize.height / cellHeight)
        return Set(rendered.cells.y..<(rendered.cells.y + full))
    }

    /// True when drawing `new` paints every pixel `old` painted.
    static func covers(_ new: RenderedImage, _ old: RenderedImage) -> Bool {
        new.slotCount == 1 && old.slotCount == 1 && new.cells == old.cells && new.pixelSize == old.pixelSize && old.pixelSize.width > 0
    }

    /// What to encode for a placement.
    enum RenderJob: @unchecked Sendable {
        /// One image fitted and centred in the rectangle (the review image).
        case single(RGBImage, Rect)
        /// A grid: one canvas per row of tiles, drawn together with one palette, so the
        /// label rows between them stay text.
        case parts([TerminalImageRenderer.Part])
    }

    /// The pictures for `placement`, or nil until every tile is decoded (or failed, which
    /// leaves its cells dark).
    func renderJob(for placement: ImagePlacement, keys: [TileKey]) -> RenderJob? {
        if placement.tiles.count == 1, placement.tiles[0].rect == placement.rect {
            return results.image(for: keys[0]).map { .single($0, placement.rect) }
        }
        let cell = capabilities.cellSize
        let rows = Dictionary(grouping: zip(placement.tiles, keys), by: { $0.0.rect.y })
        var parts: [TerminalImageRenderer.Part] = []
        for y in rows.keys.sorted() {
            let row = rows[y]!
            let left = row.map(\.0.rect.x).min()!, right = row.map(\.0.rect.maxX).max()!
            let height = row.map(\.0.rect.height).max()!
            let band = Rect(x: left, y: y, width: right - left, height: height)
            var canvas = RGBImage(width: band.width * cell.width, height: pixelBox(for: band).height)
            for (tile, key) in row {
                if results.failed(key.item) { continue }
                guard let image = results.image(for: key) else { return nil }
                let x = (tile.rect.x - band.x) * cell.width + (key.box.width - image.width) / 2
                let y = (key.box.height - image.height) / 2
                canvas.draw(image, at: x, y)
            }
            parts.append(.init(image: canvas, cells: band))
        }
        return parts.isEmpty ? nil : .parts(parts)
    }

    // MARK: - Background work

    public func prefetch(items: [Int], state: AppState) {
        let rect = ReviewView.imageRect(for: state.size, showsImages: state.setup.showsImages)
        guard !rect.isEmpty else { return }
        prefetched = items.map { item in
            let key = TileKey(item: item, box: pixelBox(for: rect), blurred: state.isBlurred(item))
            requestDecode(key)
            return PlacementKey(rect: rect, tiles: [key], colors: colors, origin: paneOrigin)
        }
    }

    private func requestDecode(_ key: TileKey) {
        guard let inbox, let source, results.claimDecode(key) else { return }
        let absolute = source.imagePath(of: key.item)
        let blur = self.blur
        decodeQueue.async { [results, decodeSlots] in
            decodeSlots.wait()
            defer { decodeSlots.signal() }
            do {
                let decoded = try ImageDecoder.decode(contentsOf: absolute, fitting: key.box)
                var image = decoded.image.resized(toFit: key.box, allowUpscale: true)
                if key.blurred {
                    let strength = max(4, min(image.width, image.height) / 12)
                    image = blur == .blur ? image.blurred(radius: strength) : image.pixelated(blockSize: strength)
                }
                results.store(image, for: key)
                inbox.post(.imageReady(item: key.item))
            } catch {
                results.fail(key)
                let message = "\(error)"
                source.markImageProblem(item: key.item, message: message)
                inbox.post(.imageFailed(item: key.item, message: message))
            }
        }
    }

    private func requestRender(_ key: PlacementKey, job: RenderJob, renderer: TerminalImageRenderer) {
        guard let inbox, results.claimRender(key) else { return }
        let rows = screenRows
        let identity = "\(key.hashValue)"
        Task.detached { [results] in
            do {
                let rendered: RenderedImage?
                switch job {
                case .single(let canvas, let rect):
                    rendered = try await renderer.render(canvas, identity: identity, in: rect, screenRows: rows)
                case .parts(let parts):
                    rendered = try await renderer.render(parts: parts, identity: identity, screenRows: rows)
                }
                if let rendered {
                    results.store(rendered, for: key)
                    inbox.post(.imageReady(item: key.tiles.first?.item ?? -1))
                }
            } catch {
                results.releaseRender(key)
                inbox.post(.notice(StatusMessage(.warning, "cannot draw the image: \(error)")))
            }
        }
    }
}
