import Foundation
import GRDB
import Testing
import WinnowCore
import WinnowImaging
import WinnowTestSupport
@testable import WinnowCLI
@testable import WinnowSession

/// `winnow analyze` reads every image in full: a truncated, corrupt or undecodable image is a
/// problem of its item (info, the problems queue, triage) with the decoder's reason; the
/// reads are cached; hostile files neither hang nor exhaust memory.
@Suite("Every image read in full")
struct ImageCheckCLITests {
    func winnow(_ arguments: String...) -> WinnowProcess.Result { WinnowProcess.run(arguments) }

    static func png(seed: UInt64, width: Int = 96, height: Int = 72) throws -> [UInt8] {
        try PNGEncoder.encode(ImageFeatureCLITests.picture(seed: seed, width: width, height: height))
    }

    static func fixture(_ name: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: Repository.root + "/Tests/WinnowImagingTests/Fixtures/" + name)!)
    }

    /// Good images, and the same kinds of file broken every way we know, labelled.
    static func brokenFolder(function: String = #function) throws -> (dataset: TemporaryDataset, broken: [String], good: [String]) {
        let dataset = TemporaryDataset(function: function)
        var good: [String] = []
        for seed in 1...6 {
            dataset.write("images/good-\(seed).png", bytes: try png(seed: UInt64(seed)))
            good.append("good-\(seed).png")
        }
        dataset.write("images/good.jpg", bytes: fixture("baseline.jpg"))
        dataset.write("images/good.webp", bytes: fixture("lossy.webp"))
        good += ["good.jpg", "good.webp"]
        let whole = try png(seed: 9)
        let jpeg = fixture("scene-b.jpg"), webp = fixture("lossless.webp")
        var flipped = whole
        for i in stride(from: whole.count / 2, to: whole.count / 2 + 40, by: 1) { flipped[i] ^= 0x5A }
        var garbledJPEG = jpeg
        for i in stride(from: jpeg.count / 2, to: jpeg.count - 2, by: 7) { garbledJPEG[i] = 0xFF }
        var garbledWebP = webp
        for i in stride(from: 40, to: webp.count, by: 3) { garbledWebP[i] ^= 0xA5 }
        let broken: [(String, [UInt8])] = [
            ("cut-8.png", Array(whole.prefix(8))), // the signature only
            ("cut-33.png", Array(whole.prefix(33))), // signature and IHDR
            ("cut-100.png", Array(whole.prefix(100))), // the issue's example
            ("cut-half.png", Array(whole.prefix(whole.count / 2))),
            ("cut-before-iend.png", Array(whole.prefix(whole.count - 12))),
            ("one-byte-short.png", Array(whole.prefix(whole.count - 1))),
            ("corrupt-data.png", flipped),
            ("empty.png", []),
            ("cut-100.jpg", Array(jpeg.prefix(100))),
            ("cut-half.jpg", Array(jpeg.prefix(jpeg.count / 2))),
            ("garbled.jpg", garbledJPEG),
            ("cut-half.webp", Array(webp.prefix(webp.count / 2))),
            ("garbled.webp", garbledWebP),
            ("not-an-image.png", Array("just text, not a picture\n".utf8))
        ]
        for (name, bytes) in broken { dataset.write("images/" + name, bytes: bytes) }
        let all = good + broken.map(\.0)
        dataset.write("classes.txt", "cat\ndog\n")
        dataset.write("labels.csv", "image,label\n" + all.enumerated().map { "\($1),\($0 % 2 == 0 ? "cat" : "dog")" }.joined(separator: "\n") + "\n")
        return (dataset, broken.map(\.0), good)
    }

    func problems(_ dataset: TemporaryDataset) throws -> [String: String] {
        let info = winnow("info", dataset.root, "--json")
        #expect(info.status == 0, "\(info.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any])
        let list = try #require(object["problems"] as? [[String: String]])
        return Dictionary(uniqueKeysWithValues: list.map { ($0["image"]!, $0["problem"]!) })
    }

    func queue(_ dataset: TemporaryDataset, _ name: String, _ extra: String...) throws -> [[String: Any]] {
        let result = WinnowProcess.run(["queue", dataset.root, "--queue", name, "--format", "jsonl"] + extra)
        #expect(result.status == 0, "\(result.stderr)")
        return try result.stdout.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test("a PNG cut after 100 bytes, and every other broken file, is a problem after analyze: in info, the problems queue and triage")
    func brokenImagesAreProblems() throws {
        let (dataset, broken, good) = try Self.brokenFolder()
        let imported = winnow("import", dataset.root)
        #expect(imported.status == 0, "\(imported.stderr)")
        // The import only checks that each file starts like an image.
        #expect(Set(try problems(dataset).keys) == ["empty.png", "not-an-image.png"])

        let analyze = winnow("analyze", dataset.root)
        #expect(analyze.status == 0, "\(analyze.stderr)")
        #expect(analyze.stdout.contains("\(broken.count - 2) do not decode"), "\(analyze.stdout)")

        let found = try problems(dataset)
        #expect(Set(found.keys) == Set(broken), "\(found)")
        for name in broken where !["empty.png", "not-an-image.png"].contains(name) {
            // The decoder's reason, not a generic word.
            let reason = try #require(found[name])
            #expect(reason.contains("truncated or corrupt") || reason.contains("ends"), "\(name): \(reason)")
        }
        #expect(found["cut-100.png"]!.hasPrefix("PNG data is truncated or corrupt"), "\(found["cut-100.png"]!)")
        let text = winnow("info", dataset.root).stdout
        #expect(text.contains("\(broken.count) with image problems"), "\(text)")
        #expect(text.contains("cut-100.png  PNG data is truncated or corrupt"), "\(text)")

        let problemQueue = try queue(dataset, "problems")
        #expect(Set(problemQueue.map { $0["image"] as! String }) == Set(broken))
        let cut = try #require(problemQueue.first { $0["image"] as? String == "cut-100.png" })
        #expect((cut["reasons"] as? [String])?.first?.hasPrefix("image problem: PNG data is truncated or corrupt") == true)
        // Triage holds every item once: a broken one may come up through the audit sample first.
        let triage = try queue(dataset, "triage")
        #expect(Set(triage.map { $0["image"] as! String }) == Set(broken + good))
        let throughProblems = triage.filter { $0["queue"] as? String == "problems" }.map { $0["image"] as! String }
        #expect(Set(throughProblems).isSubset(of: broken) && throughProblems.count >= broken.count / 2, "\(throughProblems)")

        // Re-importing keeps them known (the reads are cached by file): the summary says so.
        let again = winnow("import", dataset.root)
        #expect(again.stdout.contains("2 image problems and \(broken.count - 2) images that did not decode at the last analysis"), "\(again.stdout)")
        #expect(Set(try problems(dataset).keys) == Set(broken))
    }

    @Test("winnow queue alone reads the images: the problems queue and its signals have the decoder's reason")
    func queueReadsTheImages() throws {
        let (dataset, broken, _) = try Self.brokenFolder()
        let problems = try queue(dataset, "problems")
        #expect(Set(problems.map { $0["image"] as! String }) == Set(broken))
        let cut = try #require(problems.first { $0["image"] as? String == "cut-100.png" })
        let signals = try #require(cut["signals"] as? [String: Any])
        #expect((signals["problem"] as? String)?.hasPrefix("PNG data is truncated or corrupt") == true, "\(signals)")
    }

    @Test(
        "a FIFO and a link to /dev/zero listed as images: analyze ends at once with both as problems, whether the import saw them or they replaced images after it"
    )
    func specialFilesAreProblemsNotHangs() throws {
        for replacedAfterImport in [false, true] {
            let dataset = TemporaryDataset()
            var names: [String] = []
            for seed in 1...6 {
                dataset.write("images/good-\(seed).png", bytes: try Self.png(seed: UInt64(seed)))
                names.append("good-\(seed).png")
            }
            func makeSpecial() {
                #expect(mkfifo(dataset.root + "/images/fifo.png", 0o600) == 0)
                #expect(symlink("/dev/zero", dataset.root + "/images/zero.png") == 0)
            }
            if replacedAfterImport {
                // Regular images at import, swapped for the special files before the analysis.
                dataset.write("images/fifo.png", bytes: try Self.png(seed: 7))
                dataset.write("images/zero.png", bytes: try Self.png(seed: 8))
            } else {
                makeSpecial()
            }
            names += ["fifo.png", "zero.png"]
            dataset.write(
                "labels.csv", "image,label\n" + names.enumerated().map { "\($1),\($0 % 2 == 0 ? "cat" : "dog")" }.joined(separator: "\n") + "\n")
            let imported = winnow("import", dataset.root)
            #expect(imported.status == 0, "\(imported.stderr)")
            if replacedAfterImport {
                for name in ["fifo.png", "zero.png"] { dataset.remove("images/" + name) }
                makeSpecial()
            }
            // Under a watchdog: a read that blocked on the FIFO or followed /dev/zero would hang.
            let analyze = PseudoTerminalRun.run(WinnowProcess.executable, ["analyze", dataset.root], timeout: 60)
            #expect(analyze.ending == .exited(0), "\(analyze.ending): \(analyze.text)")
            #expect(analyze.seconds < 30, "\(analyze.seconds) s")
            let found = try problems(dataset)
            #expect(Set(found.keys) == ["fifo.png", "zero.png"], "replaced after import: \(replacedAfterImport): \(found)")
            for name in ["fifo.png", "zero.png"] { #expect(found[name]?.contains("not a regular file") == true, "\(name): \(found[name] ?? "-")") }
            let queued = try queue(dataset, "problems")
            #expect(Set(queued.map { $0["image"] as! String }) == ["fifo.png", "zero.png"])
        }
    }

    /// How many measures are stored, and how many of them for each path.
    func storedMeasures(_ dataset: TemporaryDataset) throws -> [String: Int] {
        try DatabaseQueue(path: dataset.statePath + "/winnow.sqlite").read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT i.path, COUNT(*) AS n FROM image_measures m JOIN items i ON i.id = m.item_id GROUP BY i.path")
            {
                counts[row["path"]] = row["n"]
            }
            return counts
        }
    }

    @Test("a second analyze reads no image; a changed file is read again, only it")
    func readsAreCached() throws {
        let (dataset, broken, good) = try Self.brokenFolder()
        let first = winnow("analyze", dataset.root)
        #expect(first.status == 0, "\(first.stderr)")
        // Files the import found empty or not an image are not read: their problem is known.
        let readable = good.count + broken.count - 2
        #expect(first.stdout.contains("images       \(readable) read in full now, 0 unchanged"), "\(first.stdout)")
        let stored = try storedMeasures(dataset)
        #expect(stored.count == readable && stored.values.allSatisfy { $0 == 2 })

        let second = winnow("analyze", dataset.root)
        #expect(second.stdout.contains("images       0 read in full now, \(readable) unchanged"), "\(second.stdout)")
        let queueRun = winnow("queue", dataset.root, "--queue", "quality")
        #expect(queueRun.status == 0)

        // Repair one broken file and change a good one: the import notices, analyze reads those two.
        dataset.write("images/cut-100.png", bytes: try Self.png(seed: 9))
        dataset.write("images/good-1.png", bytes: try Self.png(seed: 11, width: 90, height: 70))
        for name in ["cut-100.png", "good-1.png"] {
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: dataset.root + "/images/" + name)
        }
        #expect(winnow("import", dataset.root).status == 0)
        let third = winnow("analyze", dataset.root)
        #expect(third.stdout.contains("images       2 read in full now, \(readable - 2) unchanged"), "\(third.stdout)")
        #expect(try problems(dataset)["cut-100.png"] == nil)
    }

    @Test("analyze decodes each image once: the full read also gives the near-duplicate features, the same as their own decode gives")
    func oneDecodeGivesTheFeatures() throws {
        let dataset = TemporaryDataset()
        for i in 0..<4 { dataset.write("images/picture-\(i).png", bytes: try Self.png(seed: UInt64(30 + i), width: 120 + 10 * i, height: 90)) }
        let analyze = winnow("analyze", dataset.root)
        #expect(analyze.status == 0, "\(analyze.stderr)")
        #expect(!analyze.stderr.contains("described"), "no second decode for near-duplicates: \(analyze.stderr)")
        let stored = try DatabaseQueue(path: dataset.statePath + "/winnow.sqlite").read { db in
            try Row.fetchAll(db, sql: "SELECT i.path, f.descriptor FROM image_features f JOIN items i ON i.id = f.item_id").map {
                (path: $0["path"] as String, descriptor: [UInt8](($0["descriptor"] as Data?) ?? Data()))
            }
        }
        #expect(stored.count == 4)
        for row in stored {
            // A PNG decodes in full either way: the pass's features are the separate decode's.
            let own = ImageFeatureIndex.features(ofFileAt: dataset.root + "/images/" + row.path)
            #expect(own.descriptor?.grey == row.descriptor, "\(row.path)")
        }
    }

    @Test("hard links to one file are read once")
    func hardLinksAreReadOnce() throws {
        let dataset = TemporaryDataset()
        dataset.write("images/original.png", bytes: try Self.png(seed: 3))
        for i in 0..<5 { #expect(link(dataset.root + "/images/original.png", dataset.root + "/images/link-\(i).png") == 0) }
        let analyze = winnow("analyze", dataset.root)
        #expect(
            analyze.stdout.contains("images       1 read in full now, 0 unchanged since the last analysis, 5 hard links to files already read"),
            "\(analyze.stdout)")
        #expect(try storedMeasures(dataset).count == 6)
    }

    /// A PNG whose header declares `width` × `height`, with a few bytes of pixel data.
    static func pngBomb(width: UInt32, height: UInt32) -> [UInt8] {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        func chunk(_ type: String, _ data: [UInt8]) {
            withUnsafeBytes(of: UInt32(data.count).bigEndian) { bytes += $0 }
            let body = Array(type.utf8) + data
            bytes += body
            withUnsafeBytes(of: CRC32.checksum(body).bigEndian) { bytes += $0 }
        }
        var header: [UInt8] = []
        withUnsafeBytes(of: width.bigEndian) { header += $0 }
        withUnsafeBytes(of: height.bigEndian) { header += $0 }
        header += [8, 2, 0, 0, 0]
        chunk("IHDR", header)
        chunk("IDAT", [0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01])
        chunk("IEND", [])
        return bytes
    }

    @Test("decompression bombs and huge declared sizes are refused before allocation: analyze runs in 1.5 GB of address space")
    func bombsAreRefused() throws {
        let dataset = TemporaryDataset()
        for seed in 1...3 { dataset.write("images/good-\(seed).png", bytes: try Self.png(seed: UInt64(seed))) }
        dataset.write("images/bomb-100000.png", bytes: Self.pngBomb(width: 100_000, height: 100_000))
        dataset.write("images/bomb-16384.png", bytes: Self.pngBomb(width: 16_384, height: 16_384))
        dataset.write("images/bomb-4g.png", bytes: Self.pngBomb(width: 0x7FFF_FFFF, height: 0x7FFF_FFFF))
        var jpeg = Self.fixture("baseline.jpg")
        // Patch the frame header (SOF0) to declare 65000 × 65000 pixels.
        let sof = try #require((0..<(jpeg.count - 8)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        jpeg.replaceSubrange((sof + 5)..<(sof + 9), with: [0xFD, 0xE8, 0xFD, 0xE8])
        dataset.write("images/bomb.jpg", bytes: jpeg)
        // 1.5 GB of address space: a decoder that allocated what these files declare (30 GB and
        // more) would die; the analysis must finish and name each file's problem.
        let limited = Self.shell("ulimit -v 1500000 && exec \"$0\" analyze \"$1\"", WinnowProcess.executable, dataset.root)
        #expect(limited.status == 0, "\(limited.stderr)")
        #expect(limited.stdout.contains("4 do not decode"), "\(limited.stdout)")
        let found = try problems(dataset)
        #expect(found["bomb-100000.png"]?.contains("over the 16384-pixel limit") == true, "\(found)")
        #expect(found["bomb-16384.png"]?.contains("megapixel limit") == true, "\(found)")
        #expect(found["bomb-4g.png"] != nil)
        #expect(found["bomb.jpg"]?.contains("over the 16384-pixel limit") == true, "\(found)")
        #expect(found.count == 4)
    }

    /// Runs `script` with /bin/sh, `arguments` as $0, $1, …
    static func shell(_ script: String, _ arguments: String...) -> WinnowProcess.Result {
        WinnowProcess.run(["-c", script] + arguments, executable: "/bin/sh")
    }

    @Test("the decode budget never lets reservations exceed it, and runs an oversized one alone")
    func memoryBudgetBoundsConcurrentDecodes() {
        let budget = DecodeMemoryBudget(capacity: 1000)
        let inFlight = SharedCounter(), overflow = SharedCounter()
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            let bytes = [300, 450, 700, 5000][i % 4]
            budget.withReservation(bytes) {
                let now = inFlight.add(min(bytes, 1000))
                if now > 1000 { overflow.add(1) }
                usleep(200)
                inFlight.add(-min(bytes, 1000))
            }
        }
        #expect(overflow.add(0) == 0)
        #expect(budget.peak <= 1000 && budget.peak > 0)
    }

    @Test("the pass reads a refused image without reserving memory for it")
    func refusedBeforeReserving() throws {
        let dataset = TemporaryDataset()
        dataset.write("images/bomb.png", bytes: Self.pngBomb(width: 60_000, height: 60_000))
        let budget = DecodeMemoryBudget(capacity: 1 << 20)
        let read = ImagePass.read(path: dataset.root + "/images/bomb.png", limits: .standard, budget: budget)
        #expect(read.decoded == nil && read.failure != nil)
        #expect(budget.peak == 0)
        // A FIFO named like an image neither blocks nor is read.
        #expect(mkfifo(dataset.root + "/images/fifo.png", 0o600) == 0)
        let fifo = ImagePass.read(path: dataset.root + "/images/fifo.png", limits: .standard, budget: budget)
        #expect(fifo.failure?.description.contains("not a regular file") == true)
    }
}

/// PNG's CRC-32 (for hand-made test files).
enum CRC32 {
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

/// CleanVision's image-quality checks, end to end: flags with their measures in words, the
/// quality queue and its triage quota, info, and each flag's measured precision in stats.
@Suite("Image-quality flags")
struct QualityFlagCLITests {
    func winnow(_ arguments: String...) -> WinnowProcess.Result { WinnowProcess.run(arguments) }

    static func picture(_ seed: UInt64, width: Int = 96, height: Int = 72) -> RGBImage {
        ImageFeatureCLITests.picture(seed: seed, width: width, height: height)
    }

    /// Twelve ordinary colour pictures of one size, and one image with each issue.
    static func folder(toml: String? = nil, function: String = #function) throws -> TemporaryDataset {
        let dataset = TemporaryDataset(function: function)
        var names: [String] = []
        func add(_ name: String, _ image: RGBImage) throws {
            dataset.write("images/" + name, bytes: try PNGEncoder.encode(image))
            names.append(name)
        }
        for seed in 1...12 { try add("ordinary-\(seed).png", picture(UInt64(seed))) }
        var dark = picture(20), light = picture(21), grey = picture(22)
        for i in dark.pixels.indices { dark.pixels[i] /= 5 }
        for i in light.pixels.indices { light.pixels[i] = 246 + light.pixels[i] / 30 }
        for p in stride(from: 0, to: grey.pixels.count, by: 3) {
            let y = UInt8((Int(grey.pixels[p]) * 3 + Int(grey.pixels[p + 1]) * 6 + Int(grey.pixels[p + 2])) / 10)
            grey.pixels[p] = y; grey.pixels[p + 1] = y; grey.pixels[p + 2] = y
        }
        try add("dark.png", dark)
        try add("light.png", light)
        try add("grey.png", grey)
        try add("flat.png", RGBImage(width: 96, height: 72, fill: RGB(40, 120, 200)))
        try add("banner.png", picture(23, width: 300, height: 40))
        dataset.write("images/stored-grey.png", bytes: ImageCheckCLITests.fixture("grey.png"))
        names.append("stored-grey.png")
        dataset.write("classes.txt", "cat\ndog\n")
        dataset.write(
            "labels.csv", "image,label\n" + names.enumerated().map { "\($1),\($0 % 2 == 0 ? "cat" : "dog")" }.joined(separator: "\n") + "\n")
        if let toml { dataset.write("winnow.toml", toml) }
        return dataset
    }

    func entries(_ dataset: TemporaryDataset, queue: String) throws -> [[String: Any]] {
        let result = winnow("queue", dataset.root, "--queue", queue, "--format", "jsonl")
        #expect(result.status == 0, "\(result.stderr)")
        return try result.stdout.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test("each issue is flagged with its measure in words, in the quality queue, info, triage and stats")
    func flagsEndToEnd() throws {
        let dataset = try Self.folder()
        let analyze = winnow("analyze", dataset.root)
        #expect(analyze.status == 0, "\(analyze.stderr)")
        #expect(analyze.stdout.contains("quality      dark 1 · light 1"), "\(analyze.stdout)")

        let quality = try entries(dataset, queue: "quality")
        var reasons: [String: [String]] = [:]
        for entry in quality { reasons[entry["image"] as! String] = entry["reasons"] as? [String] }
        #expect(Set(reasons.keys).isSuperset(of: ["dark.png", "light.png", "stored-grey.png", "flat.png", "banner.png"]), "\(reasons)")
        // An ordinary picture may be blurry by CleanVision's measure (large flat areas), nothing else.
        for (name, list) in reasons where name.hasPrefix("ordinary") { #expect(list.first?.hasPrefix("blurry: ") == true, "\(name): \(list)") }
        #expect(reasons["dark.png"]?.first?.hasPrefix("dark: its brightest pixels reach 0.") == true, "\(reasons)")
        #expect(reasons["dark.png"]?.first?.hasSuffix("darker than 100 % of the dataset") == true, "\(reasons)")
        let darkSignals = try #require(quality.first { $0["image"] as? String == "dark.png" }?["signals"] as? [String: Any])
        #expect((darkSignals["quality"] as? [String])?.contains("dark") == true, "\(darkSignals)")
        #expect(reasons["light.png"]?.first?.hasPrefix("light: even its darkest pixels are at 0.9") == true, "\(reasons)")
        #expect(reasons["stored-grey.png"]?.contains { $0.hasPrefix("grayscale in a colour dataset: stored as greyscale") } == true, "\(reasons)")
        // A grey picture saved as RGB is greyscale only by the "pixels" rule (CleanVision reads the file's mode).
        #expect(reasons["grey.png"]?.contains { $0.hasPrefix("grayscale") } != true, "\(reasons)")
        #expect(reasons["flat.png"]?.contains { $0.hasPrefix("low information: ") && $0.contains("bits of entropy") } == true, "\(reasons)")
        #expect(reasons["banner.png"]?.contains { $0.hasPrefix("odd aspect ratio: 300×40 (ratio 0.13") } == true, "\(reasons)")
        #expect(reasons["banner.png"]?.contains { $0.hasPrefix("odd size: 300×40 pixels is large") } == true, "\(reasons)")

        let info = winnow("info", dataset.root)
        #expect(info.stdout.contains("image quality (18 of 18 images measured by the last analysis; CleanVision's checks)"), "\(info.stdout)")
        #expect(info.stdout.contains("    dark.png\n      · dark: its brightest pixels"), "\(info.stdout)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(winnow("info", dataset.root, "--json").stdout.utf8)) as? [String: Any])
        let summary = try #require(json["imageQuality"] as? [String: Any])
        let counts = try #require(summary["counts"] as? [String: Int])
        #expect(counts["dark"] == 1 && counts["light"] == 1 && counts["grayscale"] == 1 && counts["odd_aspect_ratio"] == 1)

        // Triage gives the quality queue its quota.
        let triage = try entries(dataset, queue: "triage")
        #expect(triage.contains { $0["queue"] as? String == "quality" })

        // A decision on a quality entry logs its flags; stats measures their precision.
        let decided = winnow("decide", dataset.root, "--next", "1", "--queue", "quality", "--exclude", "--reviewer", "alice")
        #expect(decided.status == 0, "\(decided.stderr)")
        let stats = winnow("stats", dataset.root, "--format", "json", "--no-queues")
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        let flags = try #require(figures["flags"] as? [[String: Any]])
        let first = try #require(quality.first?["reasons"] as? [String])
        let issue = String(first[0].prefix { $0 != ":" }).replacingOccurrences(of: " ", with: "-")
        let flag = try #require(flags.first { $0["flag"] as? String == issue }, "\(flags)")
        #expect(flag["decided"] as? Int == 1 && flag["precision"] as? Double == 1)
    }

    @Test("[triage] quality = 0 keeps the flags out of triage; [quality] thresholds change them; a greyscale dataset flags no grayscale")
    func settings() throws {
        let quiet = try Self.folder(toml: "[triage]\nquality = 0\n\n[quality]\ndark = 0\nodd_aspect_ratio = 0.1\ngrayscale = \"pixels\"\n")
        let triage = try entries(quiet, queue: "triage")
        #expect(!triage.contains { $0["queue"] as? String == "quality" })
        let quality = try entries(quiet, queue: "quality").map { $0["image"] as! String }
        #expect(!quality.contains("dark.png") && quality.contains("banner.png"))
        let banner = try entries(quiet, queue: "quality").first { $0["image"] as? String == "banner.png" }
        #expect((banner?["reasons"] as? [String])?.contains { $0.hasPrefix("odd aspect ratio") } == false)
        let grey = try entries(quiet, queue: "quality").first { $0["image"] as? String == "grey.png" }
        #expect((grey?["reasons"] as? [String])?.contains { $0.hasPrefix("grayscale in a colour dataset: no pixel has colour") } == true)

        let bad = try Self.folder(toml: "[quality]\ndark = 2\n")
        let refused = winnow("analyze", bad.root)
        #expect(refused.status == 2 && refused.stderr.contains("quality.dark must be a number from 0 to 1"), "\(refused.stderr)")

        // Mostly greyscale (stored as RGB, so by the "pixels" rule): grey is the norm, not an issue.
        let dataset = TemporaryDataset()
        for seed in 1...6 {
            var grey = Self.picture(UInt64(seed))
            for p in stride(from: 0, to: grey.pixels.count, by: 3) { grey.pixels[p + 1] = grey.pixels[p]; grey.pixels[p + 2] = grey.pixels[p] }
            dataset.write("images/grey-\(seed).png", bytes: try PNGEncoder.encode(grey))
        }
        dataset.write("images/colour.png", bytes: try PNGEncoder.encode(Self.picture(9)))
        dataset.write("winnow.toml", "[quality]\ngrayscale = \"pixels\"\n")
        let analyze = winnow("analyze", dataset.root)
        #expect(
            analyze.stdout.contains("grayscale 0") && analyze.stdout.contains("(a greyscale dataset: grayscale not flagged)"), "\(analyze.stdout)")
    }
}
