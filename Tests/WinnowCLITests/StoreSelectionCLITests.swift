import Foundation
import Testing
import WinnowTestSupport

/// Choosing the store (`--store`, `$WINNOW_STORE`, winnow.toml's `[store] url`, else SQLite),
/// and one PostgreSQL project shared by copies of a dataset at different paths, with the
/// real binary against the test process's throwaway PostgreSQL.
@Suite("Choosing the store; a PostgreSQL project shared by dataset copies")
struct StoreSelectionCLITests {
    func winnow(_ arguments: String..., environment: [String: String] = [:]) -> WinnowProcess.Result {
        WinnowProcess.run(arguments, environment: environment)
    }

    /// `winnow info --json`'s "state": where the command found the project.
    func state(_ result: WinnowProcess.Result) throws -> String {
        try #require(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        return try #require(json["state"] as? String)
    }

    func json(_ result: WinnowProcess.Result) throws -> [String: Any] {
        try #require(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    /// The database's name, as its URL ends.
    func database(_ store: CLIStore) throws -> String {
        let url = try #require(store.url)
        return String(try #require(url.components(separatedBy: "@/").last?.split(separator: "?").first))
    }

    @Test("--store beats $WINNOW_STORE, which beats winnow.toml's [store] url, which beats SQLite")
    func precedence() throws {
        let (toml, environment, option) = (try CLIStore(.postgres), try CLIStore(.postgres), try CLIStore(.postgres))
        let dataset = TemporaryDataset.simple()
        // No store named: SQLite in the state folder, as ever.
        #expect(try state(winnow("info", dataset.root, "--json")) == dataset.statePath)
        #expect(FileManager.default.fileExists(atPath: dataset.statePath + "/winnow.sqlite"))

        dataset.write("winnow.toml", "[store]\nurl = \"\(try #require(toml.url))\"\n")
        #expect(try state(winnow("info", dataset.root, "--json")).contains("/\(try database(toml))"))
        let fromEnvironment = try state(winnow("info", dataset.root, "--json", environment: environment.environment))
        #expect(fromEnvironment.contains("/\(try database(environment))"))
        let fromOption = try state(
            winnow("info", dataset.root, "--json", "--store", try #require(option.url), environment: environment.environment))
        #expect(fromOption.contains("/\(try database(option))"))
        // Each was imported where it was chosen, and holds only its own decisions.
        #expect(winnow("decide", dataset.root, "img0.png", "--accept", "--reviewer", "alice", environment: environment.environment).status == 0)
        #expect(try toml.psql("SELECT COUNT(*) FROM events") == "0")
        #expect(try environment.psql("SELECT COUNT(*) FROM events") == "1")
        #expect(try option.psql("SELECT COUNT(*) FROM items") == "6")
        // An empty $WINNOW_STORE is no choice: winnow.toml's applies.
        #expect(try state(winnow("info", dataset.root, "--json", environment: ["WINNOW_STORE": ""])).contains("/\(try database(toml))"))
    }

    @Test("a password in winnow.toml's URL is refused, naming the file and line and never the password")
    func passwordInTomlIsRefused() throws {
        let store = try CLIStore(.postgres)
        let url = try #require(store.url).replacingOccurrences(of: "postgresql://postgres@", with: "postgresql://postgres:hunter2secret@")
        let dataset = TemporaryDataset.simple().write("winnow.toml", "[project]\nname = \"x\"\n\n[store]\nurl = \"\(url)\"\n")
        let refused = winnow("info", dataset.root)
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("winnow.toml:5: [store] url holds a password"), "\(refused.stderr)")
        #expect(refused.stderr.contains("fix: remove the password") && refused.stderr.contains("~/.pgpass") && refused.stderr.contains("$PGPASSWORD"))
        #expect(!refused.stderr.contains("hunter2secret") && !refused.stdout.contains("hunter2secret"))
        #expect(!FileManager.default.fileExists(atPath: dataset.statePath), "nothing was created")
        #expect(try store.psql("SELECT COUNT(*) FROM pg_tables WHERE tablename = 'items'") == "0", "nothing was created there either")
        // Given on the command line (not in a file that travels), the same URL is used.
        #expect(winnow("import", dataset.root, "--store", url).status == 0)
        // Not a PostgreSQL URL: said, with the way to a SQLite folder.
        let folder = winnow("info", dataset.root, "--store", "/tmp/somewhere")
        #expect(folder.status == 1 && folder.stderr.contains("--store must be a PostgreSQL URL") && folder.stderr.contains("--state DIR"))
        let typo = winnow("info", dataset.root, environment: ["WINNOW_STORE": url + "&sslmod=require"])
        #expect(typo.status == 1 && typo.stderr.contains("$WINNOW_STORE") && typo.stderr.contains("sslmod"), "\(typo.stderr)")
        #expect(!typo.stderr.contains("hunter2secret"))
    }

    @Test("an unrelated dataset pointed at a PostgreSQL project is refused before it marks the project's items gone")
    func unrelatedDatasetIsRefused() throws {
        let store = try CLIStore(.postgres)
        let url = try #require(store.url)
        let first = TemporaryDataset.simple()
        #expect(winnow("import", first.root, "--store", url).status == 0)
        #expect(winnow("decide", first.root, "img0.png", "--accept", "--reviewer", "alice", "--store", url).status == 0)
        let other = TemporaryDataset(function: "unrelated")
        var labels = "image,label\n"
        for i in 0..<40 {
            other.image("photo\(i).png")
            labels += "photo\(i).png,\(["cat", "dog"][i % 2])\n"
        }
        other.write("classes.txt", "cat\ndog\n").write("labels.csv", labels)
        let refused = winnow("import", other.root, "--store", url)
        #expect(refused.status == 4, "\(refused.stderr)")
        #expect(refused.stderr.contains("already holds another project (6 items)"), "\(refused.stderr)")
        #expect(refused.stderr.contains("none of the 32 sampled images"), "\(refused.stderr)")
        #expect(refused.stderr.contains("fix: give this dataset a database of its own"), "\(refused.stderr)")
        // Nothing was written: the first project's items are all there and none marked gone.
        #expect(try store.psql("SELECT COUNT(*) FROM items WHERE path LIKE 'photo%'") == "0")
        #expect(try json(winnow("info", first.root, "--json", "--store", url))["removedItems"] as? Int == 0)
        // The project's own dataset re-imports as ever.
        #expect(winnow("import", first.root, "--store", url).status == 0)
    }

    @Test("two copies of a dataset at different paths share one PostgreSQL project; re-import from either keeps decisions")
    func copiesShareOneProject() throws {
        let store = try CLIStore(.postgres)
        let (first, second) = (TemporaryDataset.simple(), TemporaryDataset.simple())
        #expect(first.root != second.root)
        #expect(store.winnow("import", first.root).status == 0)
        #expect(store.winnow("decide", first.root, "img0.png", "--relabel", "fox", "--reviewer", "alice").status == 0)
        // The second host sees the first one's decision without importing, and adds its own.
        let seen = try json(store.winnow("info", second.root, "--json"))
        #expect(seen["decisions"] as? Int == 1 && seen["dataset"] as? String == second.root)
        #expect(store.winnow("decide", second.root, "img1.png", "--exclude", "--reviewer", "bob").status == 0)
        // A state folder kept elsewhere is this host's: the project recorded another path, and that is fine.
        let elsewhere = TemporaryDataset()
        let withState = store.winnow("decide", second.root, "img2.png", "--accept", "--reviewer", "bob", "--state", elsewhere.root + "/s")
        #expect(withState.status == 0, "\(withState.stderr)")
        #expect(store.winnow("import", second.root).status == 0)
        let log = store.winnow("log", first.root, "--format", "jsonl").stdout.split(separator: "\n")
        #expect(log.count == 3)
        let export = store.winnow("export", first.root).stdout
        #expect(export.contains("img0.png,fox,cat,relabelled,alice") && !export.contains("img1.png"))
        #expect(store.winnow("verify", second.root).stdout.hasPrefix("decision log intact: 3 events"))
        // Each host keeps its own files next to its copy.
        #expect(FileManager.default.fileExists(atPath: first.statePath) && FileManager.default.fileExists(atPath: second.statePath))
        #expect(!FileManager.default.fileExists(atPath: first.statePath + "/winnow.sqlite"))
    }

    @Test("an image missing from one host's copy is that host's problem, not recorded as the item's")
    func missingImageIsTheHostsProblem() throws {
        let store = try CLIStore(.postgres)
        let (complete, partial) = (TemporaryDataset.simple(), TemporaryDataset.simple())
        try FileManager.default.removeItem(atPath: partial.root + "/images/img3.png")
        #expect(store.winnow("import", complete.root).status == 0)
        let imported = store.winnow("import", partial.root)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("no image problems found"), "\(imported.stdout)")
        #expect(imported.stdout.contains("1 image is missing or unreadable in this host's copy") && imported.stdout.contains("img3.png"))
        #expect(try store.psql("SELECT COUNT(*) FROM items WHERE problem IS NOT NULL") == "0")
        // The host that lacks it says so; the other does not.
        let partialInfo = try json(store.winnow("info", partial.root, "--json"))
        #expect((partialInfo["problems"] as? [Any])?.isEmpty == true)
        let host = try #require(partialInfo["hostProblems"] as? [[String: Any]])
        #expect(host.count == 1 && host.first?["image"] as? String == "img3.png" && host.first?["problem"] as? String == "missing file")
        #expect(store.winnow("info", partial.root).stdout.contains("missing or unreadable in this host's copy (1;"))
        let completeInfo = try json(store.winnow("info", complete.root, "--json"))
        #expect((completeInfo["problems"] as? [Any])?.isEmpty == true && (completeInfo["hostProblems"] as? [Any])?.isEmpty == true)
        // In a project of this host alone (SQLite), a missing image is the item's problem, as before.
        let alone = TemporaryDataset.simple()
        try FileManager.default.removeItem(atPath: alone.root + "/images/img3.png")
        let sqliteInfo = try json(winnow("info", alone.root, "--json"))
        #expect((sqliteInfo["problems"] as? [Any])?.count == 1 && sqliteInfo["hostProblems"] == nil)
    }

    @Test("reset refuses a shared PostgreSQL project and deletes nothing")
    func resetRefusesASharedDatabase() throws {
        let store = try CLIStore(.postgres)
        let dataset = TemporaryDataset.simple()
        dataset.write(".winnow-sample", "")
        #expect(store.winnow("decide", dataset.root, "img0.png", "--accept", "--reviewer", "alice").status == 0)
        let reset = store.winnow("reset", dataset.root, "--yes", "--force")
        #expect(reset.status == 4 && reset.stderr.contains("shared with other hosts") && reset.stderr.contains("dropdb"), "\(reset.stderr)")
        #expect(try store.psql("SELECT COUNT(*) FROM events") == "1")
    }

    @Test(
        "scripts/verify-decision-log.py checks a PostgreSQL log, and finds an edited event",
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") && FileManager.default.isExecutableFile(atPath: "/usr/bin/psql")))
    func pythonVerifierReadsPostgres() throws {
        let store = try CLIStore(.postgres)
        let dataset = TemporaryDataset.simple()
        #expect(
            store.winnow("decide", dataset.root, "img0.png", "--relabel", "fox", "--note", "ça, \"quoted\" \\ back", "--reviewer", "alice").status
                == 0)
        #expect(store.winnow("decide", dataset.root, "img0.png", "--undo", "--reviewer", "alice").status == 0)
        #expect(store.winnow("decide", dataset.root, "img1.png", "--skip", "--reviewer", "bob").status == 0)
        let head = try #require(store.winnow("verify", dataset.root).stdout.split(separator: " ").dropFirst(6).first)
        func script(_ arguments: [String]) -> (status: Int32, output: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [Repository.root + "/scripts/verify-decision-log.py"] + arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try? process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: output, as: UTF8.self))
        }
        let url = try #require(store.url)
        let intact = script([url, String(head)])
        #expect(intact.status == 0 && intact.output.hasPrefix("decision log intact: 3 events, head \(head)"), "\(intact.output)")
        _ = try store.psql("ALTER TABLE events DISABLE TRIGGER USER; UPDATE events SET note = 'ça, \"quoted\" / back' WHERE id = 1")
        let broken = script([url])
        #expect(broken.status == 5 && broken.output.contains("broken at event 1"), "\(broken.output)")
    }
}
