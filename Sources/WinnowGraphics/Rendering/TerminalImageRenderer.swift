import WinnowCore

/// Turns images into the bytes that draw them in reserved cell rectangles, using the
/// protocol and multiplexer framing detection chose.
///
/// The TUI owns the screen; this only produces bytes. Write them after ncurses has
/// flushed a frame, and write them again after anything that repaints those cells (a full
/// redraw, a popup, a return from a shell): terminals forget sixel and iTerm2 images that
/// text is drawn over. Encodings are cached by identity, size, colours and protocol, so
/// re-showing an image costs only the write; calling ``render(_:identity:in:screenRows:slot:)``
/// for the next items ahead of time warms the cache (prefetch).
///
/// ```swift
/// let detection = GraphicsDetection.run(override: options.graphics)   // before ncurses starts
/// var renderer = TerminalImageRenderer(capabilities: detection.capabilities,
///                                      paneOrigin: detection.tmuxPaneOrigin ?? .zero)
/// write(renderer.startSequence)
/// // after each ncurses refresh:
/// if let image = try await renderer.render(pixels, identity: item.id, in: previewCells, screenRows: LINES) {
///     write(image.bytes)
/// }
/// // on exit and on fatal signals:
/// write(renderer.finishSequence)
/// ```
public struct TerminalImageRenderer: Sendable {
    public let capabilities: GraphicsCapabilities
    public let options: Options
    /// Where the pane starts in the outer terminal when images pass through tmux (see
    /// ``TmuxCommand/paneOrigin(timeout:)``; it changes when panes are split or resized).
    /// Ignored otherwise.
    public var paneOrigin: CellOffset
    private let cache: EncodedImageCache?
    private let sixel: SixelEncoder

    public struct Options: Sendable {
        /// Sixel palette size (the `--colors` setting); capped by the terminal's registers.
        public var sixelColors: Int
        public var sixelDiffusion: SixelEncoder.Diffusion
        public var kittyPixelFormat: KittyEncoder.PixelFormat
        /// Makes the PNG files iTerm2 images need.
        public var pngEncode: PNGEncode
        public var alignment: ImageLayout.Alignment
        /// The largest passthrough DCS to send through tmux; bigger images get fewer
        /// colours, then fewer pixels.
        public var tmuxPassthroughLimit: Int

        public init(
            sixelColors: Int = 256, sixelDiffusion: SixelEncoder.Diffusion = .none,
            kittyPixelFormat: KittyEncoder.PixelFormat = .rgb, pngEncode: @escaping PNGEncode = PNGEncoding.standard,
            alignment: ImageLayout.Alignment = .center, tmuxPassthroughLimit: Int = MultiplexerWrapping.tmuxDCSLimit - 1
        ) {
            self.sixelColors = sixelColors
            self.sixelDiffusion = sixelDiffusion
            self.kittyPixelFormat = kittyPixelFormat
            self.pngEncode = pngEncode
            self.alignment = alignment
            self.tmuxPassthroughLimit = tmuxPassthroughLimit
        }
    }

    public init(
        capabilities: GraphicsCapabilities, options: Options = Options(), cache: EncodedImageCache? = EncodedImageCache(),
        paneOrigin: CellOffset = .zero
    ) {
        self.capabilities = capabilities
        self.options = options
        self.cache = cache
        self.paneOrigin = paneOrigin
        self.sixel = SixelEncoder(colors: min(options.sixelColors, capabilities.sixelColors), diffusion: options.sixelDiffusion)
    }

    /// Write once before the first image. For sixel it resets DECSDM (`CSI ? 80 l`): with
    /// sixel display mode set, xterm draws every image at the top-left corner.
    public var startSequence: [UInt8] {
        guard capabilities.imageProtocol == .sixel else { return [] }
        return capabilities.wrapping.wrap([0x1B, UInt8(ascii: "[")] + Array("?80l".utf8))
    }

    /// Write when leaving (and from a signal handler's exit path). ST ends a DCS, APC or
    /// OSC that an interrupted write left open, so the terminal does not swallow what the
    /// shell prints next; kitty images are deleted, as they would outlive the program.
    public var finishSequence: [UInt8] {
        var bytes: [UInt8] = [0x1B, UInt8(ascii: "\\")]
        if capabilities.imageProtocol == .kitty { bytes += capabilities.wrapping.wrap(KittyEncoder.deleteAll) }
        return bytes
    }

    /// The bytes that draw `image` inside `rect`, or nil when the chosen protocol is drawn
    /// by the TUI itself (half blocks) or not at all.
    ///
    /// - Parameters:
    ///   - identity: names the pixels for the cache; two different images must not share one.
    ///   - screenRows: the terminal's height; the image stays off the last row.
    ///   - slot: kitty's image id, 1 or more: an image sent under a slot replaces the one
    ///     shown there before (e.g. 1 for the preview, 2… for thumbnails).
    public func render(_ image: RGBImage, identity: String, in rect: Rect, screenRows: Int, slot: UInt32 = 1) async throws -> RenderedImage? {
        let imageProtocol = capabilities.imageProtocol
        guard imageProtocol.isPixelProtocol else { return nil }
        guard !image.isEmpty else { throw GraphicsError.emptyImage }
        let target = rect.keepingOffLastRow(screenRows: screenRows)
        var notes: [String] = []
        var maximum = imageProtocol == .sixel ? capabilities.sixelMaxGeometry : nil
        var colors = sixel.colors
        while true {
            // A prefetch for an item the user has already scrolled past is not worth finishing.
            try Task.checkCancellation()
            guard
                let layout = ImageLayout.fitting(
                    imageSize: image.size, in: target, cellSize: capabilities.cellSize,
                    heightMultiple: imageProtocol == .sixel ? 6 : 1, maximum: maximum, alignment: options.alignment)
            else { throw GraphicsError.noRoom(target) }

            let encoded = try await encode(image, identity: identity, layout: layout, colors: colors, slot: slot)
            let origin = capabilities.wrapping == .tmuxPassthrough ? paneOrigin : .zero
            let pieces = CursorFraming.pieces(encoded.sequences, at: layout.cells, origin: origin, wrapping: capabilities.wrapping)
            let largest = pieces.map(\.count).max() ?? 0
            if capabilities.wrapping != .tmuxPassthrough || largest <= options.tmuxPassthroughLimit {
                return RenderedImage(
                    bytes: Array(pieces.joined()), cells: layout.cells, imageProtocol: imageProtocol, slot: slot,
                    notes: notes, pixelSize: layout.pixelSize)
            }
            // tmux drops a passthrough DCS of 1 MiB or more: fewer colours first (sixel),
            // then a smaller image.
            if imageProtocol == .sixel && colors > 16 {
                colors = max(16, colors / 2)
                notes.append("\(largest) bytes is over tmux's passthrough limit (\(options.tmuxPassthroughLimit)): retrying with \(colors) colours")
            } else if layout.pixelSize.width > 16 && layout.pixelSize.height > 16 {
                maximum = PixelSize(width: layout.pixelSize.width * 3 / 4, height: layout.pixelSize.height * 3 / 4)
                notes.append("\(largest) bytes is over tmux's passthrough limit (\(options.tmuxPassthroughLimit)): retrying at \(maximum!) px")
            } else {
                throw GraphicsError.tooLargeForTmux(bytes: largest)
            }
        }
    }

    /// One piece of a picture drawn in parts: `image` at its own pixel size, in `cells`.
    public struct Part: Sendable {
        public var image: RGBImage
        public var cells: Rect

        public init(image: RGBImage, cells: Rect) {
            self.image = image
            self.cells = cells
        }
    }

    /// The bytes that draw a picture made of several `parts` in one write, e.g. the rows
    /// of a thumbnail grid, whose label rows between the parts must stay text: a single
    /// canvas over the whole grid would paint over them (sixel and iTerm2 images cover the
    /// text under them). Sixel parts share one palette, so near-duplicates in different
    /// rows get the same colours; kitty parts are sent under `slot`, `slot + 1`, ….
    ///
    /// Each part is drawn at its own size, top-left in its cells (make it the cells' pixel
    /// size, and for sixel a height that is a multiple of 6, so nothing is resampled). The
    /// result's `cells` is the rectangle around all parts: what to repaint to remove it.
    public func render(parts: [Part], identity: String, screenRows: Int, slot: UInt32 = 1) async throws -> RenderedImage? {
        let imageProtocol = capabilities.imageProtocol
        guard imageProtocol.isPixelProtocol else { return nil }
        guard !parts.isEmpty, parts.allSatisfy({ !$0.image.isEmpty }) else { throw GraphicsError.emptyImage }
        var layouts: [ImageLayout] = []
        for part in parts {
            let target = part.cells.keepingOffLastRow(screenRows: screenRows)
            guard
                let layout = ImageLayout.fitting(
                    imageSize: part.image.size, in: target, cellSize: capabilities.cellSize,
                    heightMultiple: imageProtocol == .sixel ? 6 : 1,
                    maximum: imageProtocol == .sixel ? capabilities.sixelMaxGeometry : nil, alignment: .topLeft)
            else { throw GraphicsError.noRoom(target) }
            layouts.append(layout)
        }
        let origin = capabilities.wrapping == .tmuxPassthrough ? paneOrigin : .zero
        var notes: [String] = []
        var colors = sixel.colors
        while true {
            try Task.checkCancellation()
            var pieces: [[UInt8]] = []
            let encoded = try await encode(parts: parts, identity: identity, layouts: layouts, colors: colors, slot: slot)
            for (sequences, layout) in zip(encoded, layouts) {
                pieces += CursorFraming.pieces(sequences, at: layout.cells, origin: origin, wrapping: capabilities.wrapping)
            }
            let largest = pieces.map(\.count).max() ?? 0
            if capabilities.wrapping != .tmuxPassthrough || largest <= options.tmuxPassthroughLimit {
                let cells = layouts.dropFirst().reduce(layouts[0].cells) { $0.union($1.cells) }
                return RenderedImage(
                    bytes: Array(pieces.joined()), cells: cells, imageProtocol: imageProtocol, slot: slot,
                    notes: notes, slotCount: UInt32(parts.count))
            }
            guard imageProtocol == .sixel && colors > 16 else { throw GraphicsError.tooLargeForTmux(bytes: largest) }
            colors = max(16, colors / 2)
            notes.append("\(largest) bytes is over tmux's passthrough limit (\(options.tmuxPassthroughLimit)): retrying with \(colors) colours")
        }
    }

    /// Each part's sequences (cached together: a sixel palette is shared between them).
    private func encode(parts: [Part], identity: String, layouts: [ImageLayout], colors: Int, slot: UInt32) async throws -> [[[UInt8]]] {
        let imageProtocol = capabilities.imageProtocol
        let keys = layouts.indices.map { index in
            EncodedImageKey(
                identity: "\(identity)#part\(index)/\(layouts.count)", pixelSize: layouts[index].pixelSize,
                colors: imageProtocol == .sixel ? colors : 0, imageProtocol: imageProtocol,
                variant: imageProtocol == .sixel
                    ? "\(options.sixelDiffusion) shared" : imageProtocol == .kitty ? "\(options.kittyPixelFormat.name) i=\(slot + UInt32(index))" : ""
            )
        }
        let cached = keys.compactMap { cache?.image(for: $0) }
        if cached.count == keys.count { return cached.map(\.sequences) }

        var sequences: [[[UInt8]]] = []
        let images = zip(parts, layouts).map { $0.image.resized(width: $1.pixelSize.width, height: $1.pixelSize.height) }
        switch imageProtocol {
        case .sixel:
            let encoder = colors == sixel.colors ? sixel : SixelEncoder(colors: colors, diffusion: options.sixelDiffusion)
            sequences = try await encoder.encode(images).map { [$0] }
        case .kitty:
            for (index, (image, layout)) in zip(images, layouts).enumerated() {
                sequences.append(try KittyEncoder(pixelFormat: options.kittyPixelFormat).encode(image, layout: layout, imageID: slot + UInt32(index)))
            }
        case .iterm:
            for (image, layout) in zip(images, layouts) {
                sequences.append([try ITermEncoder(pngEncode: options.pngEncode).encode(image, layout: layout)])
            }
        case .blocks, .none:
            sequences = layouts.map { _ in [] }
        }
        for (index, key) in keys.enumerated() {
            cache?.insert(EncodedImage(sequences: sequences[index], pixelSize: layouts[index].pixelSize), for: key)
        }
        return sequences
    }

    /// What removes a rendered image: for kitty a delete sequence; for sixel and iTerm2
    /// there is none, and the TUI must repaint the cells (touch them so ncurses redraws
    /// them: `erase()` alone leaves the image, because ncurses believes those cells are
    /// already blank). Drawing an image of the same size over the old one needs neither.
    public func removal(of rendered: RenderedImage) -> ImageRemoval {
        switch rendered.imageProtocol {
        case .kitty:
            let ids = (0..<max(1, rendered.slotCount)).map { rendered.slot + $0 }
            return ImageRemoval(bytes: ids.flatMap { capabilities.wrapping.wrap(KittyEncoder.delete(imageID: $0)) }, cellsToRepaint: nil)
        default:
            return ImageRemoval(bytes: [], cellsToRepaint: rendered.cells)
        }
    }

    private func encode(_ image: RGBImage, identity: String, layout: ImageLayout, colors: Int, slot: UInt32) async throws -> EncodedImage {
        let imageProtocol = capabilities.imageProtocol
        let variant: String
        switch imageProtocol {
        case .sixel: variant = "\(options.sixelDiffusion)"
        case .kitty: variant = "\(options.kittyPixelFormat.name) i=\(slot)"
        default: variant = ""
        }
        let key = EncodedImageKey(
            identity: identity, pixelSize: layout.pixelSize, colors: imageProtocol == .sixel ? colors : 0,
            imageProtocol: imageProtocol, variant: variant)
        if let cached = cache?.image(for: key) { return cached }

        let sequences: [[UInt8]]
        switch imageProtocol {
        case .sixel:
            let encoder = colors == sixel.colors ? sixel : SixelEncoder(colors: colors, diffusion: options.sixelDiffusion)
            sequences = [try await encoder.encode(image, layout: layout)]
        case .kitty:
            sequences = try KittyEncoder(pixelFormat: options.kittyPixelFormat).encode(image, layout: layout, imageID: slot)
        case .iterm:
            sequences = [try ITermEncoder(pngEncode: options.pngEncode).encode(image, layout: layout)]
        case .blocks, .none:
            sequences = []
        }
        let encoded = EncodedImage(sequences: sequences, pixelSize: layout.pixelSize)
        cache?.insert(encoded, for: key)
        return encoded
    }
}

/// An image ready to write.
public struct RenderedImage: Sendable, Equatable {
    /// Write these in one `write()` after ncurses has flushed its frame.
    public var bytes: [UInt8]
    /// The cells the image covers.
    public var cells: Rect
    public var imageProtocol: ImageProtocol
    /// The kitty image id it was sent under.
    public var slot: UInt32
    /// What had to give (colours, size) to get through a multiplexer.
    public var notes: [String]
    /// How many kitty image ids it uses, from `slot` on (a picture drawn in parts uses one each).
    public var slotCount: UInt32 = 1
    /// The image's size on screen in pixels (a picture in parts: zero). An image drawn
    /// over another of the same size in the same cells covers it completely.
    public var pixelSize = PixelSize(width: 0, height: 0)
}

/// How to take an image off the screen.
public struct ImageRemoval: Sendable, Equatable {
    /// Bytes to write (kitty's delete), possibly empty.
    public var bytes: [UInt8]
    /// Cells the TUI must repaint, when the protocol has no delete (sixel, iTerm2).
    public var cellsToRepaint: Rect?
}

public enum GraphicsError: Error, Equatable, CustomStringConvertible {
    case emptyImage
    /// The rectangle is too small for any image (sixel needs six pixel rows).
    case noRoom(Rect)
    /// Even shrunk, the image did not fit tmux's passthrough limit.
    case tooLargeForTmux(bytes: Int)

    public var description: String {
        switch self {
        case .emptyImage: return "the image is empty"
        case .noRoom(let rect): return "no room for an image in \(rect.width)×\(rect.height) cells at row \(rect.y), column \(rect.x)"
        case .tooLargeForTmux(let bytes): return "the image needs \(bytes) bytes, over tmux's 1 MiB passthrough limit"
        }
    }
}
