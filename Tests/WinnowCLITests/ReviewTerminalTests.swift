import Foundation
import GRDB
import Testing
import WinnowTestSupport

/// The review workstation driven for real: the built binary in a tmux terminal, keys sent
/// as a user types them, the screen read back, the project's database checked.
@Suite("winnow review in a terminal (tmux)", .serialized, .enabled(if: TmuxSession.isAvailable, "needs tmux (make deps installs it)"))
struct ReviewTerminalTests {
    /// A fresh copy of the sample project, imported (so the review starts at once).
    func sample(function: String = #function) throws -> TemporaryDataset {
        let dataset = Repository.copyOfSample(Repository.sampleShapes, function: function)
        let imported = CLIStore.run(["import", dataset.root])
        #expect(imported.status == 0, "\(imported.stderr)")
        return dataset
    }

    func review(_ dataset: TemporaryDataset, _ extra: [String] = [], columns: Int = 120, rows: Int = 40, environment: [String: String] = [:]) throws
        -> TmuxSession
    {
        let session = try TmuxSession(
            [WinnowProcess.executable, "review", dataset.root, "--graphics", "blocks", "--reviewer", "tester"] + extra,
            columns: columns, rows: rows, environment: (CLIStore.current?.environment ?? [:]).merging(environment) { _, given in given })
        try session.waitFor("triage 1/")
        try session.waitUntil("the first item's details") { currentPath($0) != nil }
        return session
    }

    func events(_ dataset: TemporaryDataset) throws -> [(action: String, path: String, label: String?, reviewer: String, queue: String?)] {
        if CLIStore.kind == .postgres {
            // The log as any host reads it.
            return try CLIStore.run(["log", dataset.root, "--format", "jsonl"]).stdout.split(separator: "\n").map { line in
                let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                return (
                    try #require(event["action"] as? String), try #require(event["image"] as? String),
                    (event["new_labels"] as? [String])?.joined(separator: "\u{1F}"), try #require(event["reviewer"] as? String),
                    event["queue"] as? String
                )
            }
        }
        return try DatabaseQueue(path: dataset.statePath + "/winnow.sqlite").read { db in
            try Row.fetchAll(
                db, sql: "SELECT e.action, i.path, e.new_labels, e.reviewer, e.queue FROM events e JOIN items i ON i.id = e.item_id ORDER BY e.id"
            )
            .map { ($0["action"], $0["path"], $0["new_labels"], $0["reviewer"], $0["queue"]) }
        }
    }

    /// The image path on the review screen (the first line of the details pane).
    func currentPath(_ screen: String) -> String? {
        screen.split(separator: "\n").dropFirst().first.flatMap { line in
            line.split(separator: " ").first { $0.hasSuffix(".png") || $0.hasSuffix(".jpg") }.map(String.init)
        }
    }

    @Test("relabel with a digit, accept with Enter, undo with u: each stored before the screen says saved", arguments: StoreKind.allCases)
    func decideAndUndo(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = try sample()
            let session = try review(dataset)
            let first = try #require(currentPath(session.screen()))
            try session.send("1")
            var screen = try session.waitUntil("the next item after saving") {
                $0.contains("saved #1") && currentPath($0) != nil && currentPath($0) != first
            }
            #expect(screen.contains("triage 1/592"))
            let second = try #require(currentPath(screen))
            #expect(second != first, "advanced to the next item")
            try session.send("Enter")
            screen = try session.waitFor("saved #2")
            try session.send("u")
            screen = try session.waitUntil("the undone item back") { $0.contains("undone: #2 accept") && currentPath($0) == second }
            #expect(currentPath(screen) == second, "undo brings the item back on screen")
            let stored = try events(dataset)
            #expect(stored.map(\.action) == ["relabel", "accept", "undo"])
            #expect(stored[0].path == first && stored[0].label == "circle" && stored[0].reviewer == "tester" && stored[0].queue == "triage")
            #expect(stored[1].path == second)
            try session.send("q")
            try session.waitForExit()
            #expect(session.exitStatus() == 0)
            #expect(session.screen().contains("1 decision saved this session"))
        }
    }

    @Test(
        "a direct-colour terminal gets 24-bit half blocks",
        .enabled(
            if: FileManager.default.fileExists(atPath: "/usr/share/terminfo/x/xterm-direct"),
            "needs the xterm-direct terminfo (ncurses-term)"))
    func truecolorBlocks() throws {
        let dataset = try sample()
        // swift test sets NO_COLOR for what it runs: this screen must see colours.
        let session = try review(dataset, environment: ["TERM": "xterm-direct", "NO_COLOR": ""])
        _ = try session.waitUntil("the image in 24-bit colour") { _ in session.styledScreen().contains("48;2;") }
        let colours = Set(session.styledScreen().matches(of: /48;2;\d+;\d+;\d+/).map { String($0.output) })
        #expect(colours.count > 50, "a photo-like image needs many colours, not the 256 of the palette: \(colours.count)")
        try session.send("q")
        #expect(try session.waitForExit() == 0)
    }

    @Test("kill -9 right after the screen says saved loses nothing", arguments: StoreKind.allCases)
    func killNine(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = try sample()
            let session = try review(dataset)
            try session.send("x")
            try session.waitFor("saved #1")
            kill(try session.pid(), SIGKILL)
            try session.waitForExit()
            #expect(try events(dataset).map(\.action) == ["exclude"])
        }
    }

    @Test("SIGTERM and SIGHUP end the session cleanly with every decision kept")
    func signals() throws {
        for signal in [SIGTERM, SIGHUP] {
            let dataset = try sample(function: "signals-\(signal)")
            let session = try review(dataset)
            try session.send("s")
            try session.waitFor("saved #1")
            kill(try session.pid(), signal)
            try session.waitForExit()
            #expect(session.exitStatus() == 0, "signal \(signal)")
            #expect(try events(dataset).map(\.action) == ["skip"])
        }
    }

    @Test("resizing re-lays out the screen; too small shows a message, not garbage")
    func resize() throws {
        let dataset = try sample()
        let session = try review(dataset)
        try session.resize(columns: 60, rows: 30)
        try session.waitUntil("stacked layout") { $0.contains("label") && $0.split(separator: "\n").allSatisfy { $0.count <= 60 } }
        try session.resize(columns: 20, rows: 6)
        try session.waitFor("too small")
        try session.resize(columns: 100, rows: 30)
        try session.waitFor("suggested")
    }

    @Test("the class picker relabels by name; help and the queue switcher open and close")
    func pickerHelpQueues() throws {
        let dataset = try sample()
        let session = try review(dataset)
        try session.send("/")
        try session.waitFor("Relabel to")
        try session.type("hexa")
        try session.send("Enter")
        try session.waitFor("saved #1")
        #expect(try events(dataset).first?.label == "hexagon")
        try session.send("?")
        try session.waitFor("accept the current label")
        try session.send("Escape")
        try session.send("Tab")
        try session.waitFor("Queues")
        try session.send("j", "Enter")
        try session.waitFor("label-issues 1/")
    }

    @Test("idle, the workstation uses no CPU")
    func idleCPU() throws {
        let dataset = try sample()
        let session = try review(dataset)
        let pid = try session.pid()
        // Let start-up work (image decoding, prefetch) finish.
        try session.waitUntil("image drawn") { !$0.contains("loading image") }
        usleep(300_000)
        let before = try cpuTicks(pid)
        usleep(1_500_000)
        let after = try cpuTicks(pid)
        #expect(after - before <= 3, "used \(after - before) clock ticks in 1.5 s of idling")
    }

    @Test("when the terminal goes away the process exits instead of spinning")
    func terminalGone() throws {
        let dataset = try sample()
        let session = try review(dataset)
        let pid = try session.pid()
        try session.tmux(["kill-server"])
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, isRunning(pid) { usleep(20_000) }
        #expect(!isRunning(pid), "still running after its terminal closed")
    }

    /// Running, as opposed to gone or a zombie nobody reaped (a container's init may not).
    func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.range(of: ")", options: .backwards)
        else { return false }
        return !stat[close.upperBound...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    func cpuTicks(_ pid: Int32) throws -> Int {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the command name (which is in parentheses and may contain spaces).
        let fields = stat[stat.range(of: ")")!.upperBound...].split(separator: " ")
        return Int(fields[11])! + Int(fields[12])!
    }
}
