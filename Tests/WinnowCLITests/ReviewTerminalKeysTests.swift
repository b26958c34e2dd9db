import Foundation
import GRDB
import Testing
import WinnowTestSupport

/// The keys and sizes of the review screen, driven for real: the built binary in tmux.
@Suite("winnow review in a terminal: keys and sizes (tmux)", .serialized, .enabled(if: TmuxSession.isAvailable, "needs tmux (make deps installs it)"))
struct ReviewTerminalKeysTests {
    func imported(_ dataset: TemporaryDataset) -> TemporaryDataset {
        let result = WinnowProcess.run(["import", dataset.root])
        #expect(result.status == 0, "\(result.stderr)")
        return dataset
    }

    func review(
        _ dataset: TemporaryDataset, _ extra: [String] = [], reviewer: String = "tester", graphics: String = "blocks",
        columns: Int = 120, rows: Int = 40, environment: [String: String] = [:]
    ) throws -> TmuxSession {
        let session = try TmuxSession(
            [WinnowProcess.executable, "review", dataset.root, "--graphics", graphics, "--reviewer", reviewer] + extra,
            columns: columns, rows: rows, environment: environment)
        try session.waitUntil("the first item's details") { currentPath($0) != nil }
        return session
    }

    func events(_ dataset: TemporaryDataset) throws -> [(action: String, path: String, label: String?, note: String?, reviewer: String)] {
        try DatabaseQueue(path: dataset.statePath + "/winnow.sqlite").read { db in
            try Row.fetchAll(
                db, sql: "SELECT e.action, i.path, e.new_labels, e.note, e.reviewer FROM events e JOIN items i ON i.id = e.item_id ORDER BY e.id"
            )
            .map { ($0["action"], $0["path"], $0["new_labels"], $0["note"], $0["reviewer"]) }
        }
    }

    /// The image path on the review screen (the first line of the details pane).
    func currentPath(_ screen: String) -> String? {
        screen.split(separator: "\n").dropFirst().first.flatMap { line in
            line.split(separator: " ").first { $0.hasSuffix(".png") || $0.hasSuffix(".jpg") || $0.hasSuffix(".webp") }.map(String.init)
        }
    }

    func header(_ screen: String) -> String { screen.split(separator: "\n").first.map(String.init) ?? "" }

    @Test("at 20×6 keys do nothing (j, a, digits, x, u); q still quits")
    func tooSmallKeysWait() throws {
        let dataset = imported(Repository.copyOfSample(Repository.sampleShapes))
        let session = try review(dataset)
        let first = try #require(currentPath(session.screen()))
        try session.resize(columns: 20, rows: 6)
        try session.waitFor("too small")
        try session.send("j", "a", "Enter", "1", "x", "u", "Tab", "/")
        try session.resize(columns: 120, rows: 40)
        let screen = try session.waitUntil("the review screen again") { currentPath($0) != nil && !$0.contains("too small") }
        #expect(currentPath(screen) == first, "j moved while nothing could be seen")
        #expect(screen.contains("0 decided") && !screen.contains("Relabel to") && !screen.contains("Queues"))
        #expect(try events(dataset).isEmpty, "a decision was saved while the terminal was too small")
        try session.resize(columns: 20, rows: 6)
        try session.waitFor("too small")
        try session.send("q")
        #expect(try session.waitForExit() == 0)
    }

    @Test("classes zero…nine: the key 1 relabels to one")
    func numericClasses() throws {
        let words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
        let dataset = TemporaryDataset()
        var labels = "image,label\n"
        for i in 0..<12 {
            dataset.image("d\(i).png")
            labels += "d\(i).png,\(words[(i * 7) % 10])\n"
        }
        // No classes.txt: the classes are the labels seen, sorted (eight, five, four, …).
        dataset.write("labels.csv", labels)
        let session = try review(imported(dataset), ["--queue", "random"])
        let legend = try session.waitFor("1 one")
        #expect(legend.contains("2 two") && legend.contains("0 zero"))
        try session.send("1")
        try session.waitFor("saved #1")
        #expect(try events(dataset).first?.label == "one")
        try session.send("?")
        let help = try session.waitFor("relabel to 'one'")
        #expect(!help.contains("class 1 of the legend"))
    }

    @Test("the class picker leaves the image on screen; it opens on the suggestion")
    func pickerKeepsImage() throws {
        let dataset = imported(Repository.copyOfSample(Repository.sampleShapes))
        let session = try review(dataset)
        let imageRows = { (screen: String) in screen.split(separator: "\n").filter { $0.prefix(60).contains("▀") }.count }
        try session.waitUntil("the image in half blocks") { imageRows($0) > 5 }
        try session.send("/")
        let open = try session.waitFor("Relabel to")
        #expect(imageRows(open) > 5, "the image went away under the picker")
        #expect(!open.contains("loading image"))
        try session.send("Enter")
        try session.waitFor("saved #1")
        // Enter took the selected class: the suggestion.
        let stored = try #require(try events(dataset).first)
        #expect(stored.action == "relabel" || stored.action == "accept")
    }

    @Test("t takes the suggestion, n writes a note, u undoes and U redoes")
    func fastKeys() throws {
        let dataset = imported(Repository.copyOfSample(Repository.sampleShapes))
        let session = try review(dataset)
        let screen = try session.screen()
        let suggested = try #require(
            screen.split(separator: "\n").compactMap { line -> String? in
                guard let range = line.range(of: "suggested ") else { return nil }
                return line[range.upperBound...].split(separator: " ").first.map(String.init)
            }.first)
        try session.send("n")
        try session.waitFor("Note for")
        try session.type("blurry but readable")
        try session.send("Enter")
        try session.waitFor("note kept")
        try session.send("t")
        try session.waitFor("saved #1")
        try session.send("u")
        try session.waitFor("undone: #1")
        try session.send("U")
        try session.waitFor("saved #3")
        let stored = try events(dataset)
        #expect(stored.map(\.action) == ["relabel", "undo", "relabel"])
        #expect(stored[0].label == suggested && stored[2].label == suggested)
        #expect(stored[0].note == "blurry but readable")
    }

    @Test("u in a new session takes back the reviewer's decision of the session before")
    func undoAcrossSessions() throws {
        let dataset = imported(Repository.copyOfSample(Repository.sampleShapes))
        var session = try review(dataset)
        let first = try #require(currentPath(session.screen()))
        try session.send("x")
        try session.waitFor("saved #1")
        try session.send("q")
        try session.waitForExit()
        session = try review(dataset)
        try session.send("u")
        let screen = try session.waitUntil("the item back, with its details") { $0.contains("earlier session") && currentPath($0) != nil }
        #expect(currentPath(screen) == first, "the item comes back on screen")
        #expect(try events(dataset).map(\.action) == ["exclude", "undo"])
    }

    @Test("Enter in more like this opens the neighbour, saves nothing; Escape goes back")
    func enterInSimilarGrid() throws {
        let dataset = imported(Repository.copyOfSample(Repository.sampleShapes))
        let session = try review(dataset)
        try session.send("m")
        try session.waitFor("then its nearest neighbours")
        try session.waitFor("0.8")
        try session.send("l", "Enter")
        let opened = try session.waitFor("back to the grid")
        #expect(opened.contains("opened"))
        try session.send("Escape")
        try session.waitFor("then its nearest neighbours")
        #expect(try events(dataset).isEmpty, "Enter decided something in the grid")
    }

    @Test("the queue follows another reviewer's decisions without a key")
    func queueFollowsOthers() throws {
        let dataset = imported(Repository.copyOfSample(Repository.sampleShapes))
        let session = try review(dataset, reviewer: "alice")
        let before = try #require(header(session.screen()).firstMatch(of: /triage 1\/(\d+)/).map { Int($0.1)! })
        // Bob works through the same queue from a script: the items alice holds are not his.
        let bob = WinnowProcess.run(["decide", dataset.root, "--next", "3", "--queue", "triage", "--accept", "--reviewer", "bob"])
        #expect(bob.status == 0, "\(bob.stderr)")
        try session.waitUntil("alice's queue without bob's three items", timeout: 30) { header($0).contains("triage 1/\(before - 3)") }
    }

    @Test("in tmux without passthrough the header says how to get better images")
    func tmuxHint() throws {
        let dataset = imported(Repository.copyOfSample(Repository.sampleShapes))
        let session = try review(dataset, graphics: "auto", columns: 160)
        let top = header(try session.waitFor("allow-passthrough"))
        #expect(top.contains("set -g allow-passthrough on"), "\(top)")
    }

    @Test(
        "COLORTERM=truecolor gives 24-bit half blocks in tmux-256color; without it, ? says so",
        .enabled(if: FileManager.default.fileExists(atPath: "/usr/share/terminfo/t/tmux-direct"), "needs the tmux-direct terminfo (ncurses-term)"))
    func colorTermTruecolor() throws {
        let dataset = imported(Repository.copyOfSample(Repository.sampleShapes))
        // swift test sets NO_COLOR for what it runs: these screens must see colours.
        let plain = try review(dataset, environment: ["TERM": "tmux-256color", "NO_COLOR": "", "COLORTERM": ""])
        try plain.send("?")
        try plain.waitFor("COLORTERM=truecolor")
        try plain.send("q", "q")
        try plain.waitForExit()
        let deep = try review(dataset, environment: ["TERM": "tmux-256color", "NO_COLOR": "", "COLORTERM": "truecolor"])
        _ = try deep.waitUntil("the image in 24-bit colour") { _ in deep.styledScreen().contains("48;2;") }
        try deep.send("?")
        let help = try deep.waitFor("accept the current label")
        #expect(!help.contains("COLORTERM=truecolor"), "no hint once it is truecolour")
    }

    @Test("a plain folder with classes.txt: the screen says what it can flag, and labelling starts from scratch")
    func plainFolderLabelling() throws {
        let dataset = TemporaryDataset()
        for i in 0..<5 { dataset.image("scan\(i).png") }
        dataset.write("classes.txt", "cat\ndog\n")
        let session = try TmuxSession([WinnowProcess.executable, "review", imported(dataset).root, "--graphics", "blocks", "--reviewer", "tester"])
        try session.waitFor("random 1/5")
        let screen = try session.waitFor("This project")
        #expect(screen.contains("Labelling from scratch") && screen.contains("plain folder"))
        try session.send("a")
        try session.waitFor("no label to accept")
        try session.send("2")
        try session.waitFor("saved #1")
        #expect(try events(dataset).first?.label == "dog")
    }
}
