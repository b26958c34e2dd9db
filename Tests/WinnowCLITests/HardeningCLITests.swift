#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import WinnowCore
import WinnowNeighbours
import WinnowTestSupport
@testable import WinnowCLI
@testable import WinnowSession

/// Issue 17 through the real binary: extreme embeddings, exports and links, state
/// permissions, full disks and hostile reviewer names. (The hostile suite runs the whole
/// campaign; these pin each fix down on its own.)
@Suite("Hardening: winnow commands")
struct HardeningCLITests {
    func winnow(_ arguments: String...) -> WinnowProcess.Result { WinnowProcess.run(arguments) }

    func shell(_ script: String) -> WinnowProcess.Result {
        let quoted = WinnowProcess.executable.replacingOccurrences(of: "'", with: "'\\''")
        return WinnowProcess.run(["-c", script.replacingOccurrences(of: "WINNOW", with: "'\(quoted)'")], executable: "/bin/sh")
    }

    func mode(_ path: String) -> mode_t {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o7777 : 0
    }

    // MARK: - Item 5: huge or subnormal embeddings

    /// Three pairs of near-identical rows, far apart from each other, at `scale`.
    func pairs(scale: Float, zeroRow: Bool = false, function: String = #function) -> TemporaryDataset {
        let dataset = TemporaryDataset.simple(count: zeroRow ? 7 : 6, function: function)
        // Distinct files: byte-identical images would join one group whatever the embeddings say.
        for i in 0..<(zeroRow ? 7 : 6) { dataset.write("images/img\(i).png", bytes: TemporaryDataset.onePixelPNG + [UInt8(i)]) }
        var values: [Float] = []
        for pair in 0..<3 {
            for copy in 0..<2 {
                var row = [Float](repeating: 0.05, count: 4)
                row[pair] = 1 + Float(copy) * 0.001
                values += row.map { $0 * scale }
            }
        }
        if zeroRow { values += [0, 0, 0, 0] }
        dataset.npy("embeddings.npy", rows: zeroRow ? 7 : 6, columns: 4, values)
        return dataset
    }

    @Test(arguments: [Float(1e20), 1e-25, 1e-40])
    func hugeOrSubnormalEmbeddingsStillFindTheirNearDuplicates(scale: Float) {
        let dataset = pairs(scale: scale)
        let analyze = winnow("analyze", dataset.root)
        #expect(analyze.status == 0, "\(analyze.stderr)")
        #expect(analyze.stderr.contains("rescaled exactly"), "\(analyze.stderr)")
        let components = winnow("components", dataset.root)
        #expect(components.stdout.components(separatedBy: "2 images").count - 1 == 3, "\(components.stdout)")
        let similar = winnow("similar", dataset.root, "img0.png", "-k", "1")
        #expect(similar.stdout.contains("img1.png"), "\(similar.stdout)")
    }

    @Test func degenerateEmbeddingsAreWarnedAbout() {
        let zeros = pairs(scale: 1, zeroRow: true)
        let analyze = winnow("analyze", zeros.root)
        #expect(analyze.status == 0 && analyze.stderr.contains("1 of 7 rows are all zeros, e.g. row 6 (img6.png)"), "\(analyze.stderr)")
        let constant = TemporaryDataset.simple(count: 4)
        constant.npy("embeddings.npy", rows: 4, columns: 2, [1, 1, 2, 2, 3, 3, 0.5, 0.5])
        let same = winnow("analyze", constant.root)
        #expect(same.stderr.contains("every row points the same way"), "\(same.stderr)")
    }

    /// Caches in the state folder carry sizes too: damaged ones are rebuilt or ignored, never a trap.
    @Test func damagedCachesWithHugeSizesAreRebuiltNotATrap() throws {
        let dataset = pairs(scale: 1)
        #expect(winnow("analyze", dataset.root).status == 0)
        let folder = dataset.statePath + "/neighbours"
        let cache = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasSuffix(".bin") })
        for counts: [UInt64] in [[UInt64.max, 10], [1 << 62, 1 << 62], [6, 1 << 61]] {
            var bytes = NeighbourGraphFile.magic
            for count in counts { withUnsafeBytes(of: count.littleEndian) { bytes += $0 } }
            FileManager.default.createFile(atPath: folder + "/" + cache, contents: Data(bytes + [UInt8](repeating: 0, count: 64)))
            let queue = winnow("queue", dataset.root, "--limit", "1")
            #expect(queue.status == 0, "\(queue.stderr)")
        }
        for length: UInt64 in [UInt64.max, 1 << 62] {
            let path = dataset.root + "/snapshot.bin"
            var bytes = QueueSnapshot.magic
            withUnsafeBytes(of: length.littleEndian) { bytes += $0 }
            FileManager.default.createFile(atPath: path, contents: Data(bytes + Array("{}".utf8)))
            #expect(QueueSnapshot.read(from: path) == nil)
        }
    }

    // MARK: - Item 6: exports leave out links out of the dataset and problem items

    @Test(arguments: ["hard", "sym", "copy"])
    func linksOutOfTheDatasetAndProblemItemsAreLeftOutAndListed(mode: String) throws {
        let dataset = TemporaryDataset.simple(count: 4)
        let outside = dataset.root + "-outside.png"
        FileManager.default.createFile(atPath: outside, contents: Data(TemporaryDataset.onePixelPNG + [7]))
        defer { try? FileManager.default.removeItem(atPath: outside) }
        dataset.remove("images/img1.png")
        #expect(symlink(outside, dataset.root + "/images/img1.png") == 0)
        dataset.remove("images/img2.png")
        #expect(symlink("/etc/passwd", dataset.root + "/images/img2.png") == 0)
        // A link that stays inside the dataset is fine.
        dataset.remove("images/img3.png")
        dataset.write("images/inside/real.png", bytes: TemporaryDataset.onePixelPNG + [3])
        #expect(symlink(dataset.root + "/images/inside/real.png", dataset.root + "/images/img3.png") == 0)
        let out = dataset.root + "-export-" + mode
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = winnow("export", dataset.root, "--format", "imagefolder", "--link", mode, "-o", out)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("2 images were left out of the export"), "\(result.stderr)")
        let files = try FileManager.default.subpathsOfDirectory(atPath: out).sorted()
        #expect(files == ["cat", "cat/img0.png", "cat/img3.png", "manifest.json"], "\(files)")
        let manifest = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))) as? [String: Any])
        let leftOut = try #require(manifest["left_out"] as? [String: String])
        #expect(leftOut == ["img1.png": "a symbolic link to a file outside the dataset folder", "img2.png": "not a PNG, JPEG or WebP image"])
        #expect((manifest["counts"] as? [String: Any])?["left_out"] as? Int == 2)
    }

    @Test func anImagesFolderThatIsALinkToAnotherDiskStillExports() throws {
        let elsewhere = TemporaryDataset.simple(count: 3)
        let dataset = TemporaryDataset()
        dataset.remove("images")
        #expect(symlink(elsewhere.root + "/images", dataset.root + "/images") == 0)
        try FileManager.default.copyItem(atPath: elsewhere.root + "/labels.csv", toPath: dataset.root + "/labels.csv")
        let out = dataset.root + "-export"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = winnow("export", dataset.root, "--format", "imagefolder", "--link", "copy", "-o", out)
        #expect(result.status == 0 && !result.stderr.contains("left out"), "\(result.stderr)")
        #expect(try FileManager.default.subpathsOfDirectory(atPath: out).filter { $0.hasSuffix(".png") }.count == 3)
    }

    // MARK: - Item 7: state permissions

    @Test func stateElsewhereFollowsThePrivateDatasetNotItsNewParent() throws {
        let dataset = TemporaryDataset.simple()
        chmod(dataset.root, 0o755)
        let shared = dataset.root + "-tmp"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        chmod(shared, 0o1777)
        defer { try? FileManager.default.removeItem(atPath: shared) }
        #expect(winnow("import", dataset.root, "--state", shared + "/state").status == 0)
        #expect(mode(shared + "/state") == 0o755, "\(String(mode(shared + "/state"), radix: 8))")
        #expect(mode(shared + "/state/winnow.sqlite") == 0o644)
        let secret = TemporaryDataset.simple()
        chmod(secret.root, 0o700)
        #expect(winnow("import", secret.root, "--state", shared + "/secret").status == 0)
        #expect(mode(shared + "/secret") == 0o700 && mode(shared + "/secret/winnow.sqlite") == 0o600)
    }

    @Test func aGroupWritableDatasetSharesItsStateWithItsOwnGroup() throws {
        let dataset = TemporaryDataset.simple()
        // Root may give the folder any group; others use a supplementary group of theirs, if any.
        var groups = [gid_t](repeating: 0, count: 64)
        let count = getgroups(64, &groups)
        let group: gid_t? = geteuid() == 0 ? 4242 : groups.prefix(Int(max(count, 0))).first { $0 != getegid() }
        guard let group else { return } // nothing to prove without a second group
        #expect(chown(dataset.root, uid_t.max, group) == 0)
        chmod(dataset.root, 0o775) // group-writable, no setgid
        #expect(winnow("import", dataset.root).status == 0)
        var info = stat()
        #expect(stat(dataset.statePath, &info) == 0)
        #expect(info.st_gid == group, "the state has the dataset's group, not the creator's")
        #expect(info.st_mode & 0o7777 == 0o2775)
        #expect(stat(dataset.statePath + "/winnow.sqlite", &info) == 0 && info.st_gid == group && info.st_mode & 0o777 == 0o664)
    }

    @Test func withUmaskZeroNothingInTheStateIsWorldWritable() throws {
        let dataset = TemporaryDataset.simple()
        dataset.npy("embeddings.npy", rows: 6, columns: 2, [1, 0, 0, 1, 1, 1, 1, 0.5, 0.5, 1, 0.2, 0.9])
        chmod(dataset.root, 0o755)
        let result = shell("umask 000; WINNOW analyze '\(dataset.root)'")
        #expect(result.status == 0, "\(result.stderr)")
        for folder in ["", "/matrices", "/queues", "/neighbours"] {
            let path = dataset.statePath + folder
            #expect(FileManager.default.fileExists(atPath: path), "\(path)")
            #expect(mode(path) & 0o022 == 0, "\(path) is \(String(mode(path), radix: 8))")
        }
        for file in try FileManager.default.subpathsOfDirectory(atPath: dataset.statePath) {
            #expect(mode(dataset.statePath + "/" + file) & 0o022 == 0, "\(file) is \(String(mode(dataset.statePath + "/" + file), radix: 8))")
        }
    }

    // MARK: - Item 8: messages

    @Test func aFullDiskSaysTheDiskIsFullNotPermissions() {
        let dataset = TemporaryDataset.simple()
        #expect(winnow("decide", dataset.root, "img0.png", "--accept", "--reviewer", "ann").status == 0)
        let limited = shell("ulimit -f 2; WINNOW decide '\(dataset.root)' img1.png --accept --reviewer ann")
        #expect(limited.status == 3, "\(limited.stderr)")
        // (sh's ulimit -f counts 512- or 1024-byte blocks, depending on the shell.)
        #expect(limited.stderr.contains("no file may grow past") && limited.stderr.contains("(the file size limit, ulimit -f)"), "\(limited.stderr)")
        #expect(!limited.stderr.contains("permissions"), "\(limited.stderr)")
        let full = winnow("export", dataset.root, "-o", "/dev/full")
        #expect(full.status == 3 && full.stderr.contains("the disk is full"), "\(full.stderr)")
        #expect(winnow("verify", dataset.root).stdout.hasPrefix("decision log intact: 1 event,"))
    }

    @Test func aReviewerNameWithControlCharactersIsRefusedNotReplaced() {
        let dataset = TemporaryDataset.simple()
        let fromEnvironment = WinnowProcess.run(["decide", dataset.root, "img0.png", "--accept"], environment: ["WINNOW_REVIEWER": "bob\u{1B}[2J"])
        #expect(fromEnvironment.status == 1 && fromEnvironment.stderr.contains("WINNOW_REVIEWER contains control characters"))
        let note = winnow("decide", dataset.root, "img0.png", "--accept", "--reviewer", "bob", "--note", "fine\u{202E}txt")
        #expect(note.status == 1 && note.stderr.contains("the note contains control characters"))
        #expect(winnow("log", dataset.root, "--format", "jsonl").stdout.isEmpty, "nothing was decided")
    }
}
