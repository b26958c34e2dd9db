import Foundation
import WinnowUI

/// Runs the workstation: the UI thread reads keys and results, feeds them to the reducer,
/// runs the effects it asks for on background queues, and draws each new state.
///
/// Writes (decisions, undo) go through one serial queue, so they are stored in the order
/// the reviewer made them; the screen learns of a decision only once the store has
/// committed it. Reads (queues, details, neighbours, stats) use a second queue so a slow
/// read never delays a save.
public final class ReviewRuntime {
    public struct Options: Sendable {
        public var queue: String
        public var theme: Theme
        public var keyMap: KeyMap
        public var noColor: Bool
        public init(queue: String, theme: Theme, keyMap: KeyMap, noColor: Bool) {
            self.queue = queue
            self.theme = theme
            self.keyMap = keyMap
            self.noColor = noColor
        }
    }

    /// What happened in a session, for the line printed after the screen closes.
    public struct Summary: Sendable {
        public var decisions: Int
        public var stoppedBySignal: Bool
        public var terminalGone: Bool
        /// Decisions or undos given up because the store stayed unreachable until the session
        /// ended (none of them was shown as saved).
        public var notSaved = 0
    }

    private let setup: ReviewSetup
    private let source: any ReviewDataSource
    private let options: Options
    private let images: any ImageLayer
    private let writes = DispatchQueue(label: "winnow.review.writes")
    private let reads = DispatchQueue(label: "winnow.review.reads")
    /// Leases: a write each, kept off the decisions' queue so a decision never waits for one.
    private let leases = DispatchQueue(label: "winnow.review.leases")
    /// Counting every queue and reading the queue again after others' changes: slow reads
    /// (they may wait for the analysis to load), kept off the details' queue.
    private let recounts = DispatchQueue(label: "winnow.review.recounts")
    private let clockStart = DispatchTime.now().uptimeNanoseconds
    /// Raised when the session ends: a write waiting for an unreachable store gives up.
    private let stopRetrying = StopFlag()
    private let givenUp = Counter()

    public init(setup: ReviewSetup, source: any ReviewDataSource, options: Options, images: any ImageLayer) {
        self.setup = setup
        self.source = source
        self.options = options
        self.images = images
    }

    private func clock() -> Double { Self.seconds(since: clockStart) }

    private static func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    /// Blocks until the reviewer quits, a signal arrives or the terminal goes away. The
    /// terminal is restored on every one of those paths.
    public func run() throws -> Summary {
        let inbox = try Inbox()
        let screen = try NcursesScreen(noColor: options.noColor)
        let signals = SignalWatcher(inbox: inbox)
        defer {
            // Let a save in flight finish before the process may exit (one waiting for an
            // unreachable store gives up), then let go of the items this session holds (a
            // killed session's leases expire instead).
            stopRetrying.raise()
            writes.sync {}
            leases.sync {}
            source.close()
            images.stop(screen: screen)
            screen.stop()
            _ = signals
        }
        let depth = screen.depth
        var setup = self.setup
        setup.imageHints += ImageHints.colour(graphics: setup.graphics, depth: depth, noColor: options.noColor)
        var state = AppState(
            setup: setup, theme: options.noColor ? .noColor : options.theme.reduced(to: depth),
            keyMap: options.keyMap, size: screen.size, queueName: options.queue, now: clock())
        images.start(inbox: inbox, source: source)
        // Other reviewers' decisions and released items reach this screen without a key.
        source.watchForChanges { inbox.post(.othersChanged) }
        var summary = Summary(decisions: 0, stoppedBySignal: false, terminalGone: false)

        func dispatch(_ action: Action) {
            for effect in Reducer.reduce(&state, action) { perform(effect, inbox: inbox, screen: screen, state: state) }
        }
        perform(.loadQueue(options.queue), inbox: inbox, screen: screen, state: state)
        // Notes typed in earlier sessions without a decision come back onto their images.
        let source = self.source
        reads.async {
            do { inbox.post(.notesKept(try source.keptNotes())) } catch {
                inbox.post(.notice(StatusMessage(.error, "cannot read your kept notes: \(error)")))
            }
        }
        source.observeQueueChanges { inbox.post(.queuesChanged) }
        // This session's relabels re-rank the queue too: it reaches the screen without a key.
        source.observeReRanking { inbox.post(.queuesChanged) }
        draw(state, screen: screen)

        var lastTick = clock()
        while !state.quitting {
            var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0), pollfd(fd: inbox.fileDescriptor, events: Int16(POLLIN), revents: 0)]
            // Sleep until input or a result arrives; wake every few seconds only to keep
            // the pace figure current.
            let ready = poll(&fds, 2, 5000)
            if ready < 0 && errno != EINTR { break }
            if fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                summary.terminalGone = true
                break
            }
            // Keys first, then results, each in arrival order. Keys after quit are not acted on.
            while !state.quitting {
                switch screen.read() {
                case .key(let key):
                    dispatch(.key(key))
                    continue
                case .resized:
                    // The reducer answers with `.redraw`, which clears the screen and the
                    // images (and asks tmux for the pane's new origin) once.
                    dispatch(.resize(screen.size))
                    continue
                case .none:
                    break
                }
                break
            }
            let (actions, stop) = inbox.drain()
            for action in actions { dispatch(action) }
            if stop {
                summary.stoppedBySignal = true
                break
            }
            let now = clock()
            if now - lastTick >= 5 {
                lastTick = now
                dispatch(.tick(now))
            }
            draw(state, screen: screen)
        }
        // Results that arrived while quitting (a save confirmed) still count.
        stopRetrying.raise()
        writes.sync {}
        for action in inbox.drain().actions { dispatch(action) }
        summary.decisions = state.decisionsThisSession
        summary.notSaved = givenUp.value
        return summary
    }

    /// A write, tried again while the store is unreachable (the screen told each time).
    private static func retrying<T>(_ inbox: Inbox, _ stop: StopFlag, _ write: () throws -> T) throws -> T {
        try StoreRetry.run(
            write, unreachable: { error, wait in inbox.post(.storeUnreachable(message: error.message, retryIn: wait)) },
            stopped: { stop.isSet })
    }

    private func draw(_ state: AppState, screen: any TerminalScreen) {
        var frame = View.render(state)
        images.prepare(&frame)
        let rewritten = screen.draw(frame.buffer)
        images.present(frame, rewrittenRows: rewritten, screen: screen)
    }

    private func perform(_ effect: Effect, inbox: Inbox, screen: any TerminalScreen, state: AppState) {
        let source = self.source
        let stop = stopRetrying, givenUp = self.givenUp
        switch effect {
        case .loadQueue(let name):
            reads.async {
                do {
                    let result = try source.queue(named: name)
                    inbox.post(.queueLoaded(name: name, slots: result.slots, counts: result.counts))
                } catch {
                    inbox.post(.notice(StatusMessage(.error, "cannot load the \(name) queue: \(error)")))
                }
            }
        case .loadQueueCounts:
            recounts.async {
                do { inbox.post(.queueCountsLoaded(try source.queueCounts())) } catch {
                    inbox.post(.queueCountsLoaded([:]))
                    inbox.post(.notice(StatusMessage(.error, "cannot count the queues: \(error)")))
                }
            }
        case .refreshQueue(let name):
            recounts.async {
                do {
                    let fresh = try source.refreshedQueue(named: name)
                    inbox.post(.queueRefreshed(name: name, slots: fresh?.slots, counts: fresh?.counts))
                } catch {
                    inbox.post(.queueRefreshed(name: name, slots: nil, counts: nil))
                }
            }
        case .loadDetails(let items):
            guard !items.isEmpty else { return }
            reads.async {
                do { inbox.post(.detailsLoaded(try source.details(of: items))) } catch {
                    inbox.post(.notice(StatusMessage(.error, "cannot load item details: \(error)")))
                }
            }
        case .decide(let command):
            let start = clockStart
            writes.async {
                do {
                    let result = try Self.retrying(inbox, stop) { try source.decide(command) }
                    inbox.post(
                        .decisionSaved(
                            SavedDecision(command: command, eventIDs: result.eventIDs, message: result.message, time: Self.seconds(since: start))))
                } catch let gone as ItemsUnavailable {
                    inbox.post(.decisionFailed(gone.message))
                    inbox.post(.unavailable(gone.items))
                } catch let unreachable as StoreUnreachable {
                    givenUp.add()
                    inbox.post(.decisionFailed(unreachable.message))
                } catch {
                    inbox.post(.decisionFailed("\(error)"))
                }
            }
        case .undo(let items):
            writes.async {
                do { inbox.post(.undoSaved(items: items, message: try Self.retrying(inbox, stop) { try source.undo(items: items) })) } catch {
                    if error is StoreUnreachable { givenUp.add() }
                    inbox.post(.undoFailed("\(error)"))
                }
            }
        case .undoEarlier:
            writes.async {
                do { inbox.post(.earlierUndone(try Self.retrying(inbox, stop) { try source.undoEarlier() })) } catch {
                    if error is StoreUnreachable { givenUp.add() }
                    inbox.post(.undoFailed("\(error)"))
                }
            }
        case .loadSimilar(let item):
            reads.async {
                do { inbox.post(.similarLoaded(item: item, try source.similar(to: item))) } catch {
                    inbox.post(.notice(StatusMessage(.error, "cannot find neighbours: \(error)")))
                }
            }
        case .loadStats:
            reads.async {
                do { inbox.post(.statsLoaded(try source.stats())) } catch {
                    inbox.post(.notice(StatusMessage(.error, "cannot compute statistics: \(error)")))
                }
            }
        case .prefetchImages(let items):
            images.prefetch(items: items, state: state)
        case .hold(let items, let queue):
            leases.async {
                do {
                    let unavailable = try source.hold(items: items, queue: queue)
                    if !unavailable.isEmpty { inbox.post(.unavailable(unavailable)) }
                } catch {
                    inbox.post(.notice(StatusMessage(.warning, "could not hold the next items for you: \(error)")))
                }
            }
        case .keepNote(_, let path, let text):
            // On the decisions' queue: kept before a later decision runs, dropped after the
            // decision that took it.
            writes.async {
                do {
                    try source.keepNote(text, forImage: path)
                    if text != nil {
                        inbox.post(
                            .notice(
                                StatusMessage(.success, "note kept for \(path): your next decision on it saves it, in this session or a later one")))
                    }
                } catch {
                    let what = text == nil ? "the note your decision took is still kept" : "note not saved (it stays on screen until you decide)"
                    inbox.post(.notice(StatusMessage(.error, "\(what): \(error)")))
                }
            }
        case .redraw:
            screen.invalidate()
            images.invalidate()
        case .lowerImageQuality:
            inbox.post(.notice(StatusMessage(.info, images.lowerQuality())))
        case .raiseImageQuality:
            inbox.post(.notice(StatusMessage(.info, images.raiseQuality())))
        case .quit:
            break
        }
    }
}
