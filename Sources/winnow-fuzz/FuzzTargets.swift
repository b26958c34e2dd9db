#if canImport(Glibc)
import Glibc
#endif
import Foundation
import WinnowCore
import WinnowDataset
import WinnowImaging

/// What each fuzz target feeds its input to. Every target must come back from every input:
/// an arithmetic trap, a bad memory access (under AddressSanitizer), a hang or a leak is a
/// finding. Errors thrown by the code under test are the expected outcome for most inputs.
enum FuzzTarget: String, CaseIterable, Sendable {
    /// The image decoders, each with its signature kept in place so mutations reach the
    /// decoder instead of failing format detection.
    case png, jpeg, webp
    /// The CSV reader and everything that judges a cell (paths, class names, numbers,
    /// the sanitiser, the writers).
    case csv
    /// The NPY header parser and, for headers that pass, the memory-mapped reader.
    case npy
    /// The whole dataset reader with the input as labels.csv.
    case labels
    /// winnow.toml parsing (TOMLKit, then Winnow's checks).
    case toml

    var summary: String {
        switch self {
        case .png: return "PNG decoding (chunk walk, libpng, alpha, EXIF)"
        case .jpeg: return "JPEG decoding (markers, TurboJPEG, CMYK, scaled decoding, EXIF)"
        case .webp: return "WebP decoding (RIFF chunks, libwebp, alpha, EXIF)"
        case .csv: return "CSV reading and cell checks"
        case .npy: return "NPY headers and matrices"
        case .labels: return "the dataset reader on a hostile labels.csv"
        case .toml: return "winnow.toml"
        }
    }

    /// Small limits: the point is the parsing, and a 64-megapixel decode per input would
    /// slow the campaign to a crawl. The limit checks themselves are exercised all the same.
    static let limits = DecodeLimits(maxSide: 4096, maxPixels: 1 << 22, maxFileBytes: 4 << 20)

    func run(_ input: UnsafeRawBufferPointer) {
        switch self {
        case .png: decode(Self.withPrefix(input, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        case .jpeg: decode(Self.withPrefix(input, [0xFF, 0xD8, 0xFF]))
        case .webp:
            var bytes = Self.withPrefix(input, Array("RIFF".utf8))
            if bytes.count >= 12 { bytes.replaceSubrange(8..<12, with: Array("WEBP".utf8)) }
            decode(bytes)
        case .csv: Self.csv(input)
        case .npy: Self.npy(input)
        case .labels: Self.labels(input)
        case .toml:
            guard let text = String(validating: input, as: UTF8.self) else { return }
            _ = try? WinnowConfig.parse(text)
        }
    }

    static func withPrefix(_ input: UnsafeRawBufferPointer, _ prefix: [UInt8]) -> [UInt8] {
        var bytes = Array(input)
        if bytes.count < prefix.count { return prefix + bytes }
        bytes.replaceSubrange(0..<prefix.count, with: prefix)
        return bytes
    }

    func decode(_ bytes: [UInt8]) {
        _ = try? ImageDecoder.info(data: bytes)
        // Half the inputs decode into a thumbnail box: JPEG's scaled decoding, the resampler.
        let box = bytes.last.map { $0 & 1 == 0 } == true ? PixelSize(width: 48, height: 32) : nil
        _ = try? ImageDecoder.decode(data: bytes, limits: Self.limits, fitting: box)
    }

    static func csv(_ input: UnsafeRawBufferPointer) {
        var reader = CSVReader(bytes: input, file: "fuzz.csv")
        let writer = CSVWriter()
        do {
            let header = try reader.readHeader()
            _ = writer.record(header)
            while try reader.nextRecord() {
                for i in 0..<reader.fieldCount {
                    _ = NumberParsing.double(reader.rawField(i))
                    guard let text = try? reader.string(i) else { continue }
                    _ = DatasetPath.problem(with: text)
                    _ = ClassTaxonomy.problem(withName: text)
                    _ = TerminalText.sanitize(text)
                    _ = JSONText.quoted(text)
                    _ = SafeFileName.make(text)
                    _ = writer.encode(text)
                }
            }
        } catch {}
    }

    /// A scratch folder of this process, made once.
    nonisolated(unsafe) static var scratch: String = {
        let path = NSTemporaryDirectory() + "winnow-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path + "/images", withIntermediateDirectories: true)
        for name in ["a.png", "b/c.png"] {
            try? FileManager.default.createDirectory(
                atPath: (path + "/images/" + name as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: path + "/images/" + name, contents: Data(onePixelPNG))
        }
        atexit { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "winnow-fuzz-\(getpid())") }
        return path
    }()

    static func write(_ input: UnsafeRawBufferPointer, to relative: String) -> String {
        let path = scratch + "/" + relative
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd >= 0 {
            var offset = 0
            while offset < input.count {
                let n = Glibc.write(fd, input.baseAddress! + offset, input.count - offset)
                if n <= 0 { break }
                offset += n
            }
            close(fd)
        }
        return path
    }

    static func npy(_ input: UnsafeRawBufferPointer) {
        _ = try? NPYHeader.describe(input)
        guard let header = try? NPYHeader.parse(input, fileSize: input.count) else { return }
        _ = header.dataByteCount
        // A header that passes is read for real, as the importer would (small ones only).
        guard header.rows <= 4096, header.columns <= 4096 else { return }
        let path = write(input, to: "m.npy")
        guard let matrix = try? NPYMatrix(path: path, displayName: "m.npy") else { return }
        _ = matrix.scan()
        if matrix.rows > 0 && matrix.columns > 0 { _ = EmbeddingRows(matrix) }
    }

    static func labels(_ input: UnsafeRawBufferPointer) {
        _ = write(input, to: "labels.csv")
        var config = WinnowConfig()
        config.checkImages = false
        _ = try? DatasetReader(root: scratch, config: config).read()
    }

    static let onePixelPNG: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
        0xDE, 0x00, 0x00, 0x00, 0x0C, 0x49, 0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0xF8, 0xCF, 0xC0, 0x00,
        0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xDD, 0x8D, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E,
        0x44, 0xAE, 0x42, 0x60, 0x82
    ]
}
