import Foundation
import Testing
import WinnowCore
import WinnowTestSupport
@testable import WinnowDataset

/// Issue 17, at the level of the dataset reader: special files, names that are not UTF-8,
/// scanned names checked like CSV paths, overflowing shapes, extreme embeddings.
@Suite("Hardening: the dataset reader")
struct DatasetHardeningTests {
    /// Runs `body` on another thread and fails (instead of hanging the test run) when it
    /// has not returned within `seconds`.
    func finishes<T: Sendable>(within seconds: Double = 10, _ body: @escaping @Sendable () -> T) -> T? {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: T?
        Thread.detachNewThread {
            result = body(); done.signal()
        }
        guard done.wait(timeout: .now() + seconds) == .success else {
            Issue.record("did not return within \(seconds) s")
            return nil
        }
        return result
    }

    @Test func contentHashRefusesFIFOsAndDevicesAtOnce() throws {
        let dataset = TemporaryDataset()
        let fifo = dataset.root + "/images/fifo.png"
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect(symlink("/dev/zero", dataset.root + "/images/zero.png") == 0)
        #expect(symlink("/dev/urandom", dataset.root + "/images/random.png") == 0)
        for name in ["fifo.png", "zero.png", "random.png"] {
            let path = dataset.root + "/images/" + name
            #expect(finishes { ContentHash.of(path: path) } == .some(nil), "\(name)")
        }
        dataset.image("a.png")
        let first = ContentHash.of(path: dataset.root + "/images/a.png")
        #expect(first != nil && first == ContentHash.of(path: dataset.root + "/images/a.png"))
    }

    @Test func dataFilesThatAreFIFOsOrDevicesAreRefusedWithoutBlocking() throws {
        for file in ["labels.csv", "classes.txt", "winnow.toml", "embeddings.npy"] {
            let dataset = TemporaryDataset.simple()
            dataset.remove(file)
            #expect(mkfifo(dataset.root + "/" + file, 0o644) == 0)
            let found = finishes { () -> [String] in
                do {
                    let config = try DatasetReader.loadConfig(root: dataset.root)
                    _ = try DatasetReader(root: dataset.root, config: config).read()
                    return []
                } catch { return error.problems.map(\.description) }
            }
            #expect(
                found?.contains { $0.contains(file) && $0.contains("is not a regular file (it is a named pipe (FIFO))") } == true,
                "\(file): \(found ?? [])")
        }
    }

    @Test func aFolderNameThatIsNotUTF8IsAnErrorNamingIt() throws {
        let dataset = TemporaryDataset()
        dataset.write("images/tea/a.png", bytes: TemporaryDataset.onePixelPNG)
        let folder = Array((dataset.root + "/images/caf").utf8) + [0xE9]
        #expect((folder + [0]).withUnsafeBufferPointer { mkdir(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), 0o755) } == 0)
        let file = folder + Array("/b.png\0".utf8)
        let fd = file.withUnsafeBufferPointer {
            open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_WRONLY | O_CREAT, 0o644)
        }
        close(fd)
        let found = problems(dataset)
        #expect(found.count == 1 && found.first?.file == "images/caf\\xE9/" && found.first?.message.contains("not valid UTF-8") == true, "\(found)")
        // Listed by labels.csv, the folder's images are not items: a notice says so.
        dataset.write("labels.csv", "image,label\ntea/a.png,tea\n")
        let snapshot = try read(dataset)
        #expect(snapshot.items.count == 1)
        #expect(snapshot.notices.contains { $0.contains("not UTF-8") && $0.contains("images/caf\\xE9/") }, "\(snapshot.notices)")
    }

    @Test func scannedNamesGetTheChecksOfCSVPaths() {
        let escaped = TemporaryDataset()
        escaped.image("cat/a\u{1B}]0;x\u{07}.png").image("cat/b.png")
        #expect(problems(escaped).contains { $0.file == "images/" && $0.message.contains("contains control characters") })
        let bidi = TemporaryDataset()
        bidi.image("c\u{202E}at/a.png").image("dog/b.png")
        #expect(!problems(bidi).isEmpty)
        let padded = TemporaryDataset()
        padded.image("cat /a.png").image("dog/b.png")
        #expect(problems(padded).contains { $0.file == "images/cat /" && $0.message.contains("starts or ends with spaces") }, "\(problems(padded))")
    }

    @Test func specialFilesFoundByTheScanAreNamedInANotice() throws {
        let dataset = TemporaryDataset()
        dataset.image("a.png")
        #expect(mkfifo(dataset.root + "/images/b.png", 0o644) == 0)
        #expect(symlink("/dev/zero", dataset.root + "/images/c.png") == 0)
        let snapshot = try read(dataset)
        #expect(snapshot.items.map(\.path) == ["a.png"])
        #expect(
            snapshot.notices.contains { $0.hasPrefix("2 name(s) under images/ with an image extension are not regular files") }, "\(snapshot.notices)"
        )
    }

    @Test func aPredictionsFileNameThatIsNotUTF8IsAnError() throws {
        let dataset = TemporaryDataset.simple()
        try FileManager.default.createDirectory(atPath: dataset.root + "/predictions", withIntermediateDirectories: true)
        let name = Array((dataset.root + "/predictions/m").utf8) + [0xFF] + Array(".csv\0".utf8)
        close(name.withUnsafeBufferPointer { open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_WRONLY | O_CREAT, 0o644) })
        #expect(problems(dataset).contains { $0.file == "predictions/m\\xFF.csv" })
    }

    @Test func anIntegerVectorWithAnOverflowingShapeIsAnError() {
        let dataset = TemporaryDataset()
        var text = "{'descr': '<i8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }"
        text += String(repeating: " ", count: (64 - (11 + text.utf8.count) % 64) % 64) + "\n"
        dataset.write("labels.npy", bytes: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(text.utf8.count), 0] + Array(text.utf8))
        #expect {
            try NPYIntegerVector.read(path: dataset.root + "/labels.npy", displayName: "labels.npy", allowMatrix: true)
        } throws: { ($0 as? DataProblem)?.message.contains("too large") == true }
    }

    @Test func aProbabilityFileTooSmallForItsItemsIsRefusedBeforeAllocating() {
        // 30,000 items × 500 classes would be 15 million floats; the file holds a header only.
        let dataset = TemporaryDataset()
        dataset.write("items.csv", "image\n" + (0..<30_000).map { "i\($0).png" }.joined(separator: "\n") + "\n")
        dataset.write("classes.txt", (0..<500).map { "class\($0)" }.joined(separator: "\n") + "\n")
        dataset.write("winnow.toml", "[import]\ncheck_images = false\n")
        dataset.write("predictions/m.csv", "image," + (0..<500).map { "class\($0)" }.joined(separator: ",") + "\n")
        #expect(
            problems(dataset).contains { $0.message.contains("too few for the probabilities of 30000 items × 500 classes") }, "\(problems(dataset))")
    }

    // MARK: - Embeddings (item 5)

    func rows(_ values: [Double], rows: Int, columns: Int, float64: Bool = false) throws -> EmbeddingRows {
        let dataset = TemporaryDataset()
        var text = "{'descr': '\(float64 ? "<f8" : "<f4")', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        text += String(repeating: " ", count: (64 - (11 + text.utf8.count) % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(text.utf8.count), 0] + Array(text.utf8)
        for v in values {
            if float64 {
                withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 }
            } else {
                withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { bytes += $0 }
            }
        }
        dataset.write("e.npy", bytes: bytes)
        return EmbeddingRows(try NPYMatrix(path: dataset.root + "/e.npy", displayName: "e.npy"))
    }

    /// The cosine similarity of two rows after float32 normalisation, as the neighbour search computes it.
    func cosine(_ r: EmbeddingRows, _ a: Int, _ b: Int) -> Float {
        func unit(_ i: Int) -> [Float] {
            let row = Array(r.values[(i * r.dimension)..<((i + 1) * r.dimension)])
            let norm = row.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
            return row.map { $0 / norm }
        }
        return zip(unit(a), unit(b)).reduce(Float(0)) { $0 + $1.0 * $1.1 }
    }

    @Test(arguments: [1e20, 1e30, 1e-25, 1e-40])
    func hugeOrSubnormalRowsKeepTheirDirections(scale: Double) throws {
        // Rows 0 and 1 nearly the same direction, row 2 orthogonal to them.
        let base: [Double] = [1, 2, 3, 4, 1.01, 2, 3, 4, 4, -3, 2, -1]
        let r = try rows(base.map { $0 * scale }, rows: 3, columns: 4)
        #expect(r.rescaledRows == [0, 1, 2])
        #expect(cosine(r, 0, 1) > 0.9999 && cosine(r, 0, 1) <= 1.0001, "\(cosine(r, 0, 1))")
        #expect(abs(cosine(r, 0, 2)) < 1e-5)
        #expect(r.values.allSatisfy { $0.isFinite && $0 != 0 })
    }

    @Test func float64ValuesBeyondFloat32AreScaledBeforeNarrowing() throws {
        let r = try rows([1e300, 2e300, 1e-300, -1e-300], rows: 2, columns: 2, float64: true)
        #expect(r.values.allSatisfy { $0.isFinite && $0 != 0 } && r.rescaledRows == [0, 1])
        #expect(abs(cosine(r, 0, 0) - 1) < 1e-6)
    }

    @Test func ordinaryRowsAreLeftBitForBit() throws {
        let values: [Double] = [0.25, -1.5, 3, 1e-3, 7, 0.125]
        let r = try rows(values, rows: 2, columns: 3)
        #expect(r.values == values.map { Float($0) } && r.rescaledRows.isEmpty && r.zeroRows.isEmpty && !r.allSameDirection)
    }

    @Test func zeroRowsAndRowsAllPointingOneWayAreReported() throws {
        let r = try rows([0, 0, 1, 2, 0, 0, 2, 4, 3, 6], rows: 5, columns: 2)
        #expect(r.zeroRows == [0, 2] && r.allSameDirection)
        #expect(try !rows([1, 0, 0, 1], rows: 2, columns: 2).allSameDirection)
    }
}

extension Error {
    var problems: [DataProblem] { (self as? DatasetInvalid)?.problems ?? [] }
}
