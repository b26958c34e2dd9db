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
public final class TerminalImageLayer: ImageLayer {
    public enum Blur: Sendable { case blur, pixelate }

    /// What is cached per tile: the item's pixels at one pixel box, blurred or not.
    struct TileKey: Hashable, Sendable {
        var item: Int
        var box: PixelSize
        var blurred: Bool
    }

    /// A placement as the terminal sees it: where, and which pixels.
    struct PlacementKey: Hashable, Sendable {
        var rect: Rect
        var tiles: [TileKey]
        var colors: Int
    }

    private let capabilities: GraphicsCapabilities
    private let blur: Blur
    private var renderer: TerminalImageRenderer?
    private var colors: Int
    private let results = ResultStore()
    private let decodeQueue = DispatchQueue(label: "winnow.images.decode", attributes: .concurrent)
    private let decodeSlots = DispatchSemaphore(value: 2)
    private var inbox: Inbox?
    private var source: (any ReviewDataSource)?
    private var onScreen: (key: PlacementKey, rendered: RenderedImage)?
    private var started = false
    /// The review placements of the next items: encoded ahead once decoded.
    private var prefetched: [PlacementKey] = []
    /// The screen's rows, for keeping images off the last one.
    private var screenRows = 24

    public init(capabilities: GraphicsCapabilities, sixelColors: Int, blur: Blur) {
        self.capabilities = capabilities
        self.blur = blur
        self.colors = min(sixelColors, capabilities.sixelColors)
        if capabilities.imageProtocol.isPixelProtocol { makeRenderer() }
    }

    private func makeRenderer() {
        renderer = TerminalImageRenderer(
            capabilities: capabilities,
            options: .init(sixelColors: colors, pngEncode: { try PNGEncoder.encode($0) }))
    }

    var usesBlocks: Bool { capabilities.imageProtocol == .blocks }

    public func start(inbox: Inbox, source: any ReviewDataSource) {
        self.inbox = inbox
        self.source = source
    }

    public func stop() {
        guard let renderer, started else { return }
        FileHandle.standardOutput.write(Data(renderer.finishSequence))
    }

    public func invalidate() {
        onScreen = nil
    }

    public func lowerQuality() -> String {
        guard capabilities.imageProtocol == .sixel else { return "image quality is fixed for \(capabilities.imageProtocol)" }
        colors = max(16, colors / 2)
        makeRenderer()
        onScreen = nil
        return "images now use \(colors) colours"
    }

    // MARK: - Sizes

    /// The pixels a tile of `rect` cells holds.
    func pixelBox(for rect: Rect) -> PixelSize {
        if usesBlocks { return BlockImage.pixelBox(for: rect) }
        let cell = capabilities.cellSize
        return PixelSize(width: max(1, rect.width * cell.width), height: max(1, rect.height * cell.height))
    }

    func key(for tile: ImageTile) -> TileKey {
        TileKey(item: tile.item, box: pixelBox(for: tile.rect), blurred: tile.blurred)
    }

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

    public func present(_ frame: Frame, screen: NcursesScreen) {
        guard let renderer else { return }
        // The frame's one picture: the review image, or the grid as one canvas.
        var wanted: (key: PlacementKey, rendered: RenderedImage)?
        if let placement = frame.images.first {
            let key = PlacementKey(rect: placement.rect, tiles: placement.tiles.map(key(for:)), colors: colors)
            if let rendered = results.rendered(for: key) {
                wanted = (key, rendered)
            } else if let canvas = compose(placement, keys: key.tiles) {
                requestRender(key, canvas: canvas, rect: placement.rect, renderer: renderer)
            }
        }
        for key in prefetched where results.rendered(for: key) == nil {
            if let canvas = results.image(for: key.tiles[0]) { requestRender(key, canvas: canvas, rect: key.rect, renderer: renderer) }
        }
        if onScreen?.key == wanted?.key { return }
        var out: [UInt8] = []
        if !started {
            out += renderer.startSequence
            started = true
        }
        if let old = onScreen {
            let removal = renderer.removal(of: old.rendered)
            out += removal.bytes
            if let cells = removal.cellsToRepaint {
                // ncurses believes those cells already show its text: make it send them again.
                screen.touch(rows: cells.row..<min(cells.endRow, screenRows))
                screen.refreshTouched()
            }
        }
        if let wanted { out += wanted.rendered.bytes }
        onScreen = wanted
        if !out.isEmpty { writeAll(out) }
    }

    private func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(1, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR || errno == EAGAIN { continue } else { return } }
                offset += n
            }
        }
    }

    /// One canvas for the placement with each tile's pixels fitted and centred in its
    /// cells; nil until every tile is decoded (or failed, which leaves its cells dark).
    func compose(_ placement: ImagePlacement, keys: [TileKey]) -> RGBImage? {
        if placement.tiles.count == 1, placement.tiles[0].rect == placement.rect {
            return results.image(for: keys[0]) ?? nil
        }
        let box = pixelBox(for: placement.rect)
        var canvas = RGBImage(width: box.width, height: box.height)
        for (tile, key) in zip(placement.tiles, keys) {
            if results.failed(key.item) { continue }
            guard let image = results.image(for: key) else { return nil }
            let cell = capabilities.cellSize
            let x = (tile.rect.x - placement.rect.x) * cell.width + (key.box.width - image.width) / 2
            let y = (tile.rect.y - placement.rect.y) * cell.height + (key.box.height - image.height) / 2
            canvas.paste(image, x: x, y: y)
        }
        return canvas
    }

    // MARK: - Background work

    public func prefetch(items: [Int], state: AppState) {
        let rect = ReviewView.imageRect(for: state.size, showsImages: state.setup.showsImages)
        guard !rect.isEmpty else { return }
        prefetched = items.map { item in
            let key = TileKey(item: item, box: pixelBox(for: rect), blurred: state.isBlurred(item))
            requestDecode(key)
            return PlacementKey(rect: rect, tiles: [key], colors: colors)
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

    private func requestRender(_ key: PlacementKey, canvas: RGBImage, rect: Rect, renderer: TerminalImageRenderer) {
        guard let inbox, results.claimRender(key) else { return }
        let rows = screenRows
        let cells = CellRect(row: rect.y, column: rect.x, rows: rect.height, columns: rect.width)
        let identity = "\(key.hashValue)"
        Task.detached { [results] in
            do {
                if let rendered = try await renderer.render(canvas, identity: identity, in: cells, screenRows: rows) {
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

/// Results of background work, at most `limit` of them, the oldest dropped first; with the
/// keys under way, so the same work is never started twice.
struct BoundedResults<Key: Hashable, Value> {
    private var values: [Key: Value] = [:]
    private var order: [Key] = []
    private var underWay: Set<Key> = []
    let limit: Int

    init(limit: Int) { self.limit = limit }

    subscript(key: Key) -> Value? { values[key] }

    /// True when the caller should compute `key` (not stored, not under way).
    mutating func claim(_ key: Key) -> Bool {
        guard values[key] == nil, !underWay.contains(key) else { return false }
        underWay.insert(key)
        return true
    }

    mutating func store(_ value: Value, for key: Key) {
        underWay.remove(key)
        if values.updateValue(value, forKey: key) == nil { order.append(key) }
        if order.count > limit { values[order.removeFirst()] = nil }
    }

    mutating func release(_ key: Key) { underWay.remove(key) }
}

/// Decoded pixels and encoded bytes, shared between the workers and the UI thread.
final class ResultStore: @unchecked Sendable {
    private let lock = NSLock()
    /// Enough for a screenful of thumbnails and the prefetched items, bounded in memory.
    private var images = BoundedResults<TerminalImageLayer.TileKey, RGBImage>(limit: 96)
    private var rendered = BoundedResults<TerminalImageLayer.PlacementKey, RenderedImage>(limit: 24)
    private var failedItems: Set<Int> = []

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    func image(for key: TerminalImageLayer.TileKey) -> RGBImage? { locked { images[key] } }
    func failed(_ item: Int) -> Bool { locked { failedItems.contains(item) } }

    /// True when the caller should decode `key` (not cached, not under way, not failed).
    func claimDecode(_ key: TerminalImageLayer.TileKey) -> Bool {
        locked { !failedItems.contains(key.item) && images.claim(key) }
    }

    func store(_ image: RGBImage, for key: TerminalImageLayer.TileKey) { locked { images.store(image, for: key) } }

    func fail(_ key: TerminalImageLayer.TileKey) {
        locked {
            images.release(key)
            failedItems.insert(key.item)
        }
    }

    func rendered(for key: TerminalImageLayer.PlacementKey) -> RenderedImage? { locked { rendered[key] } }
    func claimRender(_ key: TerminalImageLayer.PlacementKey) -> Bool { locked { rendered.claim(key) } }
    func store(_ image: RenderedImage, for key: TerminalImageLayer.PlacementKey) { locked { rendered.store(image, for: key) } }
    func releaseRender(_ key: TerminalImageLayer.PlacementKey) { locked { rendered.release(key) } }
}

extension RGBImage {
    /// Copies `image` onto this one with its top-left corner at (x, y), clipped.
    mutating func paste(_ image: RGBImage, x: Int, y: Int) {
        let left = max(0, x), right = min(width, x + image.width)
        guard left < right else { return }
        let rowBytes = (right - left) * 3
        for row in max(0, y)..<min(height, y + image.height) {
            let source = ((row - y) * image.width + (left - x)) * 3
            let target = (row * width + left) * 3
            pixels.replaceSubrange(target..<(target + rowBytes), with: image.pixels[source..<(source + rowBytes)])
        }
    }
}
