import ArgumentParser
import Foundation
import WinnowCore
import WinnowGraphics
import WinnowImaging
import WinnowUI
import WinnowSession

/// How fast the review screen responds, measured on the code the screen runs (reducer,
/// views, the store, the image pipeline) without a terminal in the way.
struct BenchReview: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Review-screen latency: start-up, key to next frame, decision to next frame, images.",
        discussion: """
            Opens the project as `winnow review` does and reports (p50 / p95 / max):
            start-up to the first frame; a move key to the next item fully drawn (details
            loaded, screen rendered into the cell buffer); accept, relabel and exclude to the next
            item drawn (the decision committed to SQLite first), and the re-rank each causes
            reaching the queue on screen; and for images, decode +
            scale + sixel encode of the next item cold, and the cached (prefetched) write.
            Use --dataset with an analysed project (`winnow analyze DIR` first) so the
            neighbour graph comes from its cache, as in real use.

            EXAMPLES:
              winnow-bench review --dataset SampleProjects/shapes
              winnow-bench review --dataset /tmp/winnow-bench-1000000 --keys 300
            """)

    @Option(help: ArgumentHelp("The project to open (a copy is not made: decisions are recorded, then undone).", valueName: "dir"))
    var dataset: String
    @Option(help: "Key presses per measurement.") var keys = 200
    @Option(
        help: ArgumentHelp("Images (PNG/JPEG/WebP) to time the image pipeline on (default: the dataset's first --keys images).", valueName: "dir"))
    var images: String?
    @Option(help: "Terminal size for the screen, columns×rows.") var size = "160x48"

    func run() throws {
        let parts = size.split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2 else { throw ValidationError("--size is columns×rows, e.g. 160x48") }
        let terminal = TerminalSize(columns: parts[0], rows: parts[1])
        let options = try ProjectOptions.parse([dataset])
        let project = try Project.open(options)

        // Start-up: everything between the command and its first frame with its image (the
        // terminal's own set-up excepted), as `winnow review` starts: from the queue saved
        // by the last analysis when it is current, the full analysis loading behind it.
        let started = MonotonicClock.now()
        let deferred = try DeferredReviewSource.opening(project, queue: "triage", reviewer: "bench", stratifyBy: nil)
        let taxonomy = try project.store.taxonomy()
        let setup = ReviewSetup(
            projectName: "bench", reviewer: "bench", classes: taxonomy.names,
            multiLabel: try project.store.isMultiLabel(), queues: ["triage"], graphics: "sixel")
        var state = AppState(setup: setup, size: terminal, queueName: "triage")
        let firstQueue = try deferred.queue(named: "triage")
        _ = Reducer.reduce(&state, .queueLoaded(name: "triage", slots: firstQueue.slots, counts: firstQueue.counts))
        try perform(Reducer.around(state), source: deferred, state: &state)
        _ = View.render(state)
        let firstFrame = MonotonicClock.now() - started
        var firstImage = firstFrame
        if let first = state.queue.first {
            let renderer = TerminalImageRenderer(capabilities: Self.sixel(cell: Self.cell))
            let rect = ReviewView.imageRect(for: state.size, showsImages: true)
            let image = try ImageDecoder.decode(contentsOf: deferred.imagePath(of: first.item), fitting: Self.box(rect))
                .image.resized(toFit: Self.box(rect), allowUpscale: true)
            _ = try Self.blocking { try await renderer.render(image, identity: "first", in: Self.cells(rect), screenRows: terminal.rows) }
            firstImage = MonotonicClock.now() - started
        }
        let source = try deferred.source()
        let opened = MonotonicClock.now() - started
        say("items \(source.count) · triage \(firstQueue.slots.count) entries · screen \(terminal.columns)×\(terminal.rows)")
        say(
            String(
                format: "start-up to first frame      %8.1f ms  (%@)", firstFrame * 1000,
                deferred.startedQuickly ? "from the saved queue" : "no current saved queue: waited for the analysis"))
        say(String(format: "start-up to first image      %8.1f ms  (decoded, scaled, sixel-encoded)", firstImage * 1000))
        say(String(format: "full analysis ready after    %8.1f ms  (in the background)", opened * 1000))
        state = AppState(setup: setup, size: terminal, queueName: "triage")
        let queue = try source.queue(named: "triage")
        _ = Reducer.reduce(&state, .queueLoaded(name: "triage", slots: queue.slots, counts: queue.counts))
        try perform(Reducer.around(state), source: source, state: &state)

        // Moving: j, details of the new window loaded, the frame rendered.
        let moves = try measure(keys) {
            try perform(Reducer.reduce(&state, .key(.character("j"))), source: source, state: &state)
            _ = View.render(state)
        }
        report("key j → next item drawn", moves)
        let textOnly = try measure(keys) { _ = View.render(state) }
        report("text-only redraw", textOnly)
        // Holding the window on screen (a lease write per move, off the key's path).
        var window = 0
        let holds = try measure(keys) {
            window += 1
            let items = state.queue.dropFirst(window).prefix(Reducer.lookahead + 1).map(\.item)
            _ = try source.hold(items: items, queue: "triage")
        }
        report("hold the next items (lease, in the background)", holds)
        source.close()

        // Deciding: the decision is committed before the next frame, as on screen. Then the
        // re-rank it caused reaches the screen as in `winnow review`: the source signals it
        // (at once on small projects, after the background analysis on large ones), the
        // screen asks for its queue again and applies it. That runs off the key's path, but
        // holds the review state while it ranks, so it is timed too.
        let reRanks = ReRankCount()
        source.observeReRanking { reRanks.raise() }
        var decided = 0
        func decide(_ key: Key, _ what: String) throws {
            var decisions: [Double] = []
            var refreshes: [Double] = []
            for _ in 0..<(keys / 2) {
                let start = MonotonicClock.now()
                var effects = Reducer.reduce(&state, .key(key))
                guard
                    let command = effects.lazy.compactMap({ effect -> DecisionCommand? in
                        if case .decide(let c) = effect { return c } else { return nil }
                    }).first
                else { continue }
                let result = try source.decide(command)
                decided += 1
                effects = Reducer.reduce(
                    &state, .decisionSaved(SavedDecision(command: command, eventIDs: result.eventIDs, message: result.message, time: 0)))
                try perform(effects, source: source, state: &state)
                _ = View.render(state)
                decisions.append(MonotonicClock.now() - start)
                // The background analysis (large projects) is not the screen's wait.
                source.waitForRefresh()
                guard reRanks.take() else { continue }
                let refreshStart = MonotonicClock.now()
                try perform(Reducer.reduce(&state, .queuesChanged), source: source, state: &state)
                _ = View.render(state)
                refreshes.append(MonotonicClock.now() - refreshStart)
            }
            report("\(what) → next item drawn", decisions)
            report("  its re-rank → queue on screen (background)", refreshes)
            report("  both", zip(decisions, refreshes).map { $0 + $1 })
        }
        try decide(.character("a"), "accept")
        try decide(.character("2"), "relabel")
        try decide(.character("x"), "exclude")
        source.waitForRefresh()
        // Take the benchmark's decisions back, newest first.
        while let last = state.undoStack.popLast() { _ = try source.undo(items: last.command.items) }

        try imagePipeline(source: source, state: state)
        // The saved queue for the next start is written in the background: let it finish.
        deferred.waitUntilFinished()
    }

    /// Decode + scale + sixel encode of each item's image, cold, and the cached write.
    func imagePipeline(source: StoreReviewSource, state: AppState) throws {
        let paths: [String]
        if let images {
            let found = (FileManager.default.enumerator(atPath: images)?.allObjects as? [String] ?? []).filter {
                ["png", "jpg", "jpeg", "webp"].contains(($0 as NSString).pathExtension.lowercased())
            }
            paths = found.sorted().prefix(keys).map { images + "/" + $0 }
        } else {
            paths = state.queue.prefix(keys).map { source.imagePath(of: $0.item) }
        }
        guard !paths.isEmpty else { return }
        let rect = ReviewView.imageRect(for: state.size, showsImages: true)
        let box = Self.box(rect)
        let renderer = TerminalImageRenderer(capabilities: Self.sixel(cell: Self.cell))
        let cells = Self.cells(rect)
        var decoded: [RGBImage] = []
        let decodeTimes = try measureEach(paths) { path in
            let image = try ImageDecoder.decode(contentsOf: path, fitting: box).image.resized(toFit: box, allowUpscale: true)
            decoded.append(image)
        }
        report("image decode + scale (\(box.width)×\(box.height) px box)", decodeTimes)
        var bytes = 0
        let encodeTimes = try measureEach(Array(decoded.enumerated())) { index, image in
            bytes +=
                try Self.blocking { try await renderer.render(image, identity: "bench-\(index)", in: cells, screenRows: state.size.rows) }?.bytes
                .count ?? 0
        }
        report("sixel encode, 256 colours", encodeTimes)
        say(String(format: "  mean sixel size %.0f KB", Double(bytes) / Double(max(1, decoded.count)) / 1024))
        let cachedTimes = try measureEach(Array(decoded.enumerated())) { index, image in
            _ = try Self.blocking { try await renderer.render(image, identity: "bench-\(index)", in: cells, screenRows: state.size.rows) }
        }
        report("prefetched image (cache hit)", cachedTimes)
    }

    /// The cell size assumed for images (a common xterm font).
    static let cell = PixelSize(width: 10, height: 20)

    static func box(_ rect: Rect) -> PixelSize { PixelSize(width: rect.width * cell.width, height: rect.height * cell.height) }

    static func cells(_ rect: Rect) -> Rect { rect }

    static func sixel(cell: PixelSize) -> GraphicsCapabilities {
        GraphicsCapabilities(
            imageProtocol: .sixel, wrapping: .none, textColors: .palette256, blockColors: .palette256,
            cellSize: cell, cellSizeSource: .assumed, sixelColors: 256, sixelMaxGeometry: nil,
            synchronizedOutput: false, reasons: [])
    }

    /// Runs the effects a real session would run synchronously (loads), feeding results back.
    func perform(_ effects: [Effect], source: any ReviewDataSource, state: inout AppState) throws {
        for effect in effects {
            if case .loadDetails(let items) = effect, !items.isEmpty {
                _ = Reducer.reduce(&state, .detailsLoaded(try source.details(of: items)))
            }
            if case .refreshQueue(let name) = effect {
                let fresh = try source.refreshedQueue(named: name)
                try perform(
                    Reducer.reduce(&state, .queueRefreshed(name: name, slots: fresh?.slots, counts: fresh?.counts)), source: source,
                    state: &state)
            }
        }
    }

    func measure(_ count: Int, _ body: () throws -> Void) throws -> [Double] {
        try (0..<count).map { _ in
            let start = MonotonicClock.now()
            try body()
            return MonotonicClock.now() - start
        }
    }

    func measureEach<T>(_ values: [T], _ body: (T) throws -> Void) throws -> [Double] {
        try values.map { value in
            let start = MonotonicClock.now()
            try body(value)
            return MonotonicClock.now() - start
        }
    }

    /// Writes a line at once (not held in stdout's buffer while the next measurement runs).
    func say(_ line: String) { Console.write(line + "\n", to: .standardOutput) }

    func report(_ what: String, _ seconds: [Double]) {
        guard !seconds.isEmpty else { return }
        let sorted = seconds.sorted()
        func at(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * q))] * 1000 }
        say(
            String(
                format: "%@ p50 %7.2f ms  p95 %7.2f ms  max %7.2f ms  (n=%d)", what.padding(toLength: 44, withPad: " ", startingAt: 0), at(0.5),
                at(0.95), sorted.last! * 1000, sorted.count))
    }

    /// Waits for an async call from synchronous code (the benchmark is single-threaded).
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { box.set(.success(try await body())) } catch { box.set(.failure(error)) }
            done.signal()
        }
        done.wait()
        return try box.get()
    }
}

/// Re-ranks signalled since the last look (the screen's `.queuesChanged`).
private final class ReRankCount: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    func raise() { lock.lock(); raised = true; lock.unlock() }
    func take() -> Bool { lock.lock(); defer { raised = false; lock.unlock() }; return raised }
}

private final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<T, any Error>?
    func set(_ value: Result<T, any Error>) { lock.lock(); result = value; lock.unlock() }
    func get() throws -> T { lock.lock(); defer { lock.unlock() }; return try result!.get() }
}
