import Foundation
import Testing
import WinnowCore
import WinnowStore
import WinnowTestSupport

/// The places hostile text reaches the terminal through the multi-annotator (CROWDLAB) and
/// multi-label features, the review screen, `reset` and `doctor`. Annotator and class names
/// with control characters are refused at import (see `hostileStringsInRefusedImports`);
/// what is accepted (metadata, the folder's name, notes and reviewer names from another
/// tool) must come out sanitised from every command that prints it, the review screen
/// included, and a note typed (or pasted) there must not keep a control character.
extension HostileSuite {
    /// Writes `text` at `root/relative`, creating folders.
    static func put(_ root: String, _ relative: String, _ text: String) throws {
        try Self.put(root, relative, bytes: Array(text.utf8))
    }

    static func put(_ root: String, _ relative: String, bytes: [UInt8]) throws {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// items.csv for `images`: a hostile metadata column name, and hostile values.
    static func hostileMetadata(_ images: [String]) -> String {
        var items = "image," + Hostile.csvField("source" + Hostile.payload(1)) + ",caption\n"
        for (i, image) in images.enumerated() {
            items += image + "," + Hostile.csvField(Hostile.payload(i)) + "," + Hostile.csvField(Hostile.allPayloads) + "\n"
        }
        return items
    }

    /// A note and a reviewer name with every payload, as another tool (or an older Winnow)
    /// could have stored them.
    static func storeHostileDecisions(_ root: String, relabel image: String, to label: LabelSet, exclude other: String) throws {
        let store = try ProjectStore(stateDirectory: root + "/.winnow")
        _ = try store.decide(
            DecisionRequest(imagePath: image, reviewer: "eve" + Hostile.payload(2), action: .relabel, labels: label, note: Hostile.allPayloads))
        _ = try store.decide(
            DecisionRequest(
                imagePath: other, reviewer: "mallory" + Hostile.payload(4), action: .exclude, note: Hostile.payload(5) + Hostile.payload(4)))
    }

    /// The review screen on `root`: drawn, scanned for anything but ncurses's own escape
    /// sequences, with the hostile metadata shown sanitised; `keys` typed once it is ready.
    static func reviewJob(_ root: String, keys: String = "q") -> Job {
        var review = Job(["review", root, "--graphics", "none", "--reviewer", "ann"], mustSay: ["\u{241B}]52;c;"])
        review.typeWhen = "Why"
        review.keys = Array(keys.utf8)
        review.scanForLeaks = false
        review.scanScreen = true
        return review
    }

    @Test(
        "multi-annotator data (CROWDLAB) with hostile metadata, notes, reviewer and folder names: import, low-consensus, stats, log, export, review, reset and doctor print clean"
    )
    func hostileTextThroughAnnotatorConsensus() throws {
        let campaign = Campaign("hostile strings, annotator consensus")
        defer { campaign.report() }
        let sandbox = TemporaryDataset()
        let root = sandbox.root + "/crowd" + Hostile.payload(0) + Hostile.payload(5)
        let classes = ["cat", "dog", "fox"], annotators = ["ann", "Zoë", "李 明"]
        var images: [String] = [], labels = "image,label,annotator\n", model = "image,cat,dog,fox\n"
        for i in 0..<30 {
            let image = String(format: "img%02d.png", i)
            images.append(image)
            try Self.put(root, "images/" + image, bytes: Hostile.png)
            for (a, annotator) in annotators.enumerated() {
                // Every fifth item splits the annotators three ways (a low consensus); one
                // annotator is often wrong.
                let label = i % 5 == 0 ? classes[(i + a) % 3] : a == 2 && i % 3 == 1 ? classes[(i + 1) % 3] : classes[i % 3]
                labels += image + "," + label + "," + Hostile.csvField(annotator) + "\n"
            }
            model +=
                image + ","
                + classes.indices.map { c in i % 5 == 0 ? (c == 0 ? "0.34" : "0.33") : (c == i % 3 ? "0.8" : "0.1") }.joined(separator: ",") + "\n"
        }
        try Self.put(root, "classes.txt", classes.joined(separator: "\n") + "\n")
        try Self.put(root, "labels.csv", labels)
        try Self.put(root, "predictions/m.csv", model)
        try Self.put(root, "items.csv", Self.hostileMetadata(images))
        try Self.put(
            root, "winnow.toml",
            "[project]\nname = " + Hostile.tomlString("crowd" + Hostile.allPayloads)
                + "\n[import]\ncheck_images = false\n[analysis]\nexact_duplicates = false\n")
        campaign.inputs += 2 * images.count + 3
        campaign.run(Job(["import", root], mustSay: ["CROWDLAB"]))
        try Self.storeHostileDecisions(root, relabel: images[1], to: LabelSet(single: "dog"), exclude: images[2])
        campaign.inputs += 4
        campaign.run([
            Job(["analyze", root]), Job(["info", root]), Job(["queue", root]),
            Job(["queue", root, "--queue", "low-consensus"], mustSay: ["low consensus"]),
            Job(["queue", root, "--queue", "low-consensus", "--format", "jsonl"]),
            Job(["queue", root, "--queue", "low-consensus", "--format", "csv"]),
            Job(["stats", root], mustSay: ["Annotators of the dataset (CROWDLAB", "Zoë", "李 明"]), Job(["stats", root, "--format", "json"]),
            Job(["log", root]), Job(["log", root, "--format", "jsonl"]),
            Job(["export", root, "--metadata"]), Job(["export", root, "--format", "jsonl", "--metadata"])
        ])
        campaign.run(Self.reviewJob(root))
        // doctor prints the terminal's environment and the kernel override: both hostile here.
        var doctor = Job(
            ["doctor", "--timeout", "0.3"],
            environment: [
                "TERM_PROGRAM": Hostile.payload(0), "TERM_PROGRAM_VERSION": Hostile.payload(4),
                "WINNOW_KERNEL": Hostile.payload(1)
            ], mustSay: ["is not a kernel"])
        doctor.scanAfter = "Terminal" // the probe's own queries come first
        campaign.inputs += 3
        // reset names the folder (hostile): refused for a real project, then forced.
        campaign.run([doctor, Job(["reset", root, "--yes"], exit: [4], mustSay: ["is not a sample project", "2 decisions"])])
        campaign.run(Job(["reset", root, "--force", "--yes"], mustSay: ["2 decisions deleted"]))
        #expect(!FileManager.default.fileExists(atPath: root + "/.winnow/winnow.sqlite"))
    }

    @Test(
        "multi-label data with hostile metadata and notes: per-class reasons, suggested sets and the review screen print clean; a pasted bidi override or C1 control never reaches a note"
    )
    func hostileTextThroughMultiLabel() throws {
        let campaign = Campaign("hostile strings, multi-label")
        defer { campaign.report() }
        let sandbox = TemporaryDataset()
        let root = sandbox.root + "/labels" + Hostile.payload(4) + Hostile.payload(3)
        var images: [String] = [], labels = "image,labels\n", model = "image,hat,umbrella,coat\n"
        for i in 0..<60 {
            let image = String(format: "img%04d.png", i)
            images.append(image)
            try Self.put(root, "images/" + image, bytes: Hostile.png)
            let hat = i % 2 == 0, umbrella = i % 3 == 0
            // Item 1 lacks the 'umbrella' the model is sure of; item 2 has a 'hat' it rules out.
            let given = [hat || i == 2 ? "hat" : nil, umbrella && i != 1 ? "umbrella" : nil, "coat"].compactMap { $0 }
            labels += image + "," + given.joined(separator: "|") + "\n"
            model += image + ",\(i == 2 ? 0.01 : hat ? 0.9 : 0.1),\(i == 1 ? 0.99 : umbrella ? 0.85 : 0.12),0.8\n"
        }
        try Self.put(root, "classes.txt", "hat\numbrella\ncoat\n")
        try Self.put(root, "labels.csv", labels)
        try Self.put(root, "predictions/m.csv", model)
        try Self.put(root, "items.csv", Self.hostileMetadata(images))
        try Self.put(root, "winnow.toml", "[import]\ncheck_images = false\n[analysis]\nexact_duplicates = false\n")
        campaign.inputs += 2 * images.count + 2
        campaign.run(Job(["import", root]))
        try Self.storeHostileDecisions(root, relabel: images[5], to: LabelSet(normalized: ["hat", "coat"]), exclude: images[7])
        campaign.inputs += 4
        campaign.run([
            Job(["analyze", root]), Job(["queue", root]),
            Job(["queue", root, "--queue", "confident-learning"], mustSay: ["'umbrella' is probably missing"]),
            Job(["queue", root, "--queue", "confident-learning", "--format", "jsonl"]),
            Job(["queue", root, "--queue", "confident-learning", "--format", "csv"]),
            Job(["stats", root]), Job(["log", root]), Job(["export", root, "--metadata"]), Job(["export", root, "--format", "jsonl", "--metadata"])
        ])
        // A note typed with a right-to-left override, an 8-bit CSI and a bidi mark pasted in,
        // then the decision: the note is saved without them.
        let typed = "n" + "ok\u{202E}\u{9B}\u{200F}!" + "\r" + "a" + "q"
        campaign.run(Self.reviewJob(root, keys: typed))
        campaign.inputs += 1
        let log = campaign.run(Job(["log", root, "--format", "jsonl"]))
        let notes = log.lines.compactMap { line -> String? in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["note"] as? String
        }
        #expect(notes.contains("ok!"), "the typed note, without its control characters: \(notes.map(\.debugDescription))")
        #expect(!notes.contains { $0.hasPrefix("ok") && $0 != "ok!" }, "\(notes.map(\.debugDescription))")
    }

    /// A theme named by the dataset (its themes/ folder, or `[review] theme` in winnow.toml)
    /// is read as every dataset file is: a FIFO or a device is an error at once.
    @Test("a theme that is a FIFO or a device: an error naming it, never a hang")
    func specialFilesAsThemes() throws {
        let campaign = Campaign("special theme files")
        defer { campaign.report() }
        var jobs: [Job] = [], datasets: [TemporaryDataset] = []
        for kind in ["fifo", "/dev/zero", "/dev/urandom", "toml /dev/zero"] {
            let (dataset, _) = Self.goodDataset(images: 2)
            var arguments = ["review", dataset.root, "--graphics", "none", "--reviewer", "ann"]
            switch kind {
            case "fifo": Self.fifo(dataset, "themes/evil.toml"); arguments += ["--theme", "evil"]
            case "toml /dev/zero": dataset.write("winnow.toml", "[review]\ntheme = \"/dev/zero\"\n")
            default: Self.link(dataset, "themes/evil.toml", to: kind); arguments += ["--theme", "evil"]
            }
            datasets.append(dataset)
            jobs.append(Job(arguments, exit: [1], mustSay: ["cannot read the theme", "is not a regular file"]))
            campaign.inputs += 1
        }
        campaign.run(jobs)
    }

    /// The state folder can come with a dataset: a FIFO or a device in place of the project
    /// database or its WAL, shared-memory or journal file is named, not "disk I/O error".
    @Test("a FIFO or a device in place of a project file: named, exit 3, never a hang")
    func specialFilesInTheStateFolder() {
        let campaign = Campaign("special project files")
        defer { campaign.report() }
        var jobs: [Job] = [], datasets: [TemporaryDataset] = []
        for file in ["winnow.sqlite", "winnow.sqlite-wal", "winnow.sqlite-shm", "winnow.sqlite-journal"] {
            for kind in ["fifo", "/dev/zero"] {
                let (dataset, _) = Self.goodDataset(images: 2)
                if file != "winnow.sqlite" {
                    campaign.run(Job(["import", dataset.root]))
                    dataset.remove(".winnow/" + file)
                }
                if kind == "fifo" { Self.fifo(dataset, ".winnow/" + file) } else { Self.link(dataset, ".winnow/" + file, to: kind) }
                datasets.append(dataset)
                jobs.append(
                    Job(
                        ["info", dataset.root], exit: [3],
                        mustSay: [file, "is " + (kind == "fifo" ? "a named pipe (FIFO)" : "a character device") + ", not a regular file"]))
                campaign.inputs += 1
            }
        }
        campaign.run(jobs)
    }
}
