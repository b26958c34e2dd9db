import Dispatch
import Foundation
import Synchronization
import Testing
import WinnowTestSupport

/// One command of the campaign: `winnow` with these arguments, the exit codes it may end
/// with, and what else its run needs.
struct Job: Sendable {
    var arguments: [String]
    var exitCodes: Set<Int32>
    var environment: [String: String?] = [:]
    /// Run through `sh -c` with this prefix (e.g. `ulimit -f 8;`), `winnow` exec'd after it.
    var shellPrefix: String?
    var typeWhen: String?
    var keys: [UInt8] = []
    /// Output that must appear (a message, a refusal).
    var mustSay: [String] = []
    /// The review screen draws with escape sequences of its own: its bytes are not scanned
    /// as a command's are, but with `TerminalLeaks.findOnScreen` when `scanScreen` is set.
    var scanForLeaks = true
    var scanScreen = false
    /// Scan only what follows the first occurrence of this text (`doctor` queries the
    /// terminal with escape sequences before it reports).
    var scanAfter: String?

    init(_ arguments: [String], exit codes: Set<Int32> = [0], environment: [String: String?] = [:], mustSay: [String] = []) {
        self.arguments = arguments
        exitCodes = codes
        self.environment = environment
        self.mustSay = mustSay
    }
}

/// Runs the real `winnow` binary under pseudo-terminals and checks what the campaign
/// promises of every run: it ends (a watchdog kills it otherwise: a hang), with an exit
/// status and not a signal (a crash), with an expected code, and not one byte on the
/// terminal that a terminal would act on (a leak). Counts what it tried.
final class Campaign: @unchecked Sendable {
    let name: String
    /// Seconds a command may take before it counts as hung: a debug build on a loaded
    /// machine, among the other suites running at once, takes up to ~20 s for the slowest.
    static let watchdog: Double = 90
    private let lock = NSLock()
    private(set) var runs = 0, crashes = 0, hangs = 0, leaks = 0, unexpectedExits = 0
    private(set) var slowest: (seconds: Double, command: String) = (0, "")
    /// Hostile inputs tried (files, strings, headers), counted by the tests.
    var inputs = 0

    init(_ name: String) { self.name = name }

    /// Runs `jobs` (a few at a time: they are mostly waiting on files and SQLite) and checks each.
    @discardableResult
    func run(_ jobs: [Job], sourceLocation: SourceLocation = #_sourceLocation) -> [PseudoTerminalRun] {
        let state = Mutex((taken: 0, results: [PseudoTerminalRun?](repeating: nil, count: jobs.count)))
        DispatchQueue.concurrentPerform(iterations: min(3, jobs.count)) { _ in
            while true {
                let index = state.withLock { state in
                    defer { state.taken += 1 }
                    return state.taken
                }
                guard index < jobs.count else { return }
                let result = Self.execute(jobs[index])
                state.withLock { $0.results[index] = result }
            }
        }
        let results = state.withLock { $0.results }
        let finished = results.map { $0! }
        for (job, result) in zip(jobs, finished) { check(job, result, sourceLocation: sourceLocation) }
        return finished
    }

    func run(_ job: Job, sourceLocation: SourceLocation = #_sourceLocation) -> PseudoTerminalRun {
        run([job], sourceLocation: sourceLocation)[0]
    }

    static func execute(_ job: Job) -> PseudoTerminalRun {
        if let prefix = job.shellPrefix {
            let command = prefix + " exec " + ([WinnowProcess.executable] + job.arguments).map(TmuxSession.shellQuote).joined(separator: " ")
            return PseudoTerminalRun.run(
                "/bin/sh", ["-c", command], environment: job.environment, timeout: watchdog,
                typeWhen: job.typeWhen, keys: job.keys)
        }
        return PseudoTerminalRun.run(
            WinnowProcess.executable, job.arguments, environment: job.environment, timeout: watchdog,
            typeWhen: job.typeWhen, keys: job.keys)
    }

    private func check(_ job: Job, _ result: PseudoTerminalRun, sourceLocation: SourceLocation) {
        let shown = job.arguments.map { $0.debugDescription }.joined(separator: " ")
        lock.lock()
        runs += 1
        if result.seconds > slowest.seconds { slowest = (result.seconds, job.arguments.first ?? "") }
        lock.unlock()
        switch result.ending {
        case .killedOnCue:
            break
        case .hung:
            count(\.hangs)
            Issue.record("hung: winnow \(shown)\n\(result.text.suffix(2000))", sourceLocation: sourceLocation)
        case .signalled:
            count(\.crashes)
            Issue.record("crashed (\(result.ending)): winnow \(shown)\n\(result.text.suffix(2000))", sourceLocation: sourceLocation)
        case .exited(let code):
            if !job.exitCodes.contains(code) {
                count(\.unexpectedExits)
                Issue.record(
                    "exit \(code), expected \(job.exitCodes.sorted()): winnow \(shown)\n\(result.text.suffix(2000))", sourceLocation: sourceLocation)
            }
        }
        var scanned = result.output
        if let marker = job.scanAfter {
            let text = Array(marker.utf8)
            if let start = (0...max(0, scanned.count - text.count)).first(where: {
                scanned.count >= text.count && Array(scanned[$0..<($0 + text.count)]) == text
            }) {
                scanned = Array(scanned[start...])
            } else {
                Issue.record("winnow \(shown) never said \(marker.debugDescription)", sourceLocation: sourceLocation)
            }
        }
        if job.scanForLeaks || job.scanScreen {
            let found = job.scanForLeaks ? TerminalLeaks.find(in: scanned) : TerminalLeaks.findOnScreen(in: scanned)
            if !found.isEmpty {
                count(\.leaks)
                let listed = found.prefix(5).map(\.description).joined(separator: "\n")
                Issue.record("\(found.count) raw control byte(s) on the terminal: winnow \(shown)\n\(listed)", sourceLocation: sourceLocation)
            }
        }
        // The pseudo-terminal wraps long lines only on screen; its bytes have the words whole.
        let flat = result.text.replacingOccurrences(of: "\r\n", with: "\n")
        for words in job.mustSay where !flat.contains(words) {
            Issue.record("winnow \(shown) did not say \(words.debugDescription):\n\(flat.suffix(2000))", sourceLocation: sourceLocation)
        }
    }

    private func count(_ counter: ReferenceWritableKeyPath<Campaign, Int>) {
        lock.lock()
        self[keyPath: counter] += 1
        lock.unlock()
    }

    /// The campaign's figures, printed with the test's output.
    func report() {
        print(
            "hostile campaign \(name): \(inputs) hostile inputs, \(runs) commands run: \(crashes) crashes, \(hangs) hangs, \(leaks) runs with leaks, \(unexpectedExits) unexpected exit codes; slowest \(String(format: "%.1f", slowest.seconds)) s (\(slowest.command))"
        )
    }
}
