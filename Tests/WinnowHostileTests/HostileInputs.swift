import Foundation
import WinnowCore
import WinnowTestSupport

/// The hostile inputs of the campaign, generated: strings that a terminal would act on,
/// special files, overflowing headers, names that are not UTF-8, mutated images.
enum Hostile {
    /// Text a terminal acts on instead of showing: each would rewrite the clipboard, the
    /// title or the screen, or disguise a name, if it reached a terminal raw.
    static let payloads: [(name: String, text: String)] = [
        ("OSC 52 clipboard write", "\u{1B}]52;c;cHduZWQ=\u{07}"),
        ("OSC 0 title change", "\u{1B}]0;pwned\u{1B}\\"),
        ("CSI clear screen", "\u{1B}[2J\u{1B}[H"),
        ("8-bit CSI (C1 U+009B)", "\u{9B}31mred"),
        ("right-to-left override", "\u{202E}gnp.exe"),
        ("LRM, RLM and ALM marks", "a\u{200E}b\u{200F}c\u{061C}d"),
        ("BEL and DEL", "x\u{07}y\u{7F}z"),
        ("carriage return overwrite", "ok\rEVIL")
    ]

    /// The payload number `i`, cycling.
    static func payload(_ i: Int) -> String { payloads[i % payloads.count].text }

    /// Every payload joined into one string.
    static var allPayloads: String { payloads.map(\.text).joined(separator: " ") }

    /// A TOML basic string holding `text` (control characters as \u escapes).
    static func tomlString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\u%04X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A CSV field holding `text`, quoted.
    static func csvField(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    // MARK: - Images

    static func fixture(_ name: String) -> [UInt8] {
        Array(FileManager.default.contents(atPath: Repository.root + "/Tests/WinnowImagingTests/Fixtures/" + name) ?? Data())
    }

    static let png = TemporaryDataset.onePixelPNG

    /// Distinct small valid images (PNG, JPEG, WebP), to be the dataset's good items.
    static let goodImages = ["rgb.png", "baseline.jpg", "lossy.webp", "grey.png", "progressive.jpg", "lossless.webp", "palette.png", "subsampled.jpg"]

    /// Headers whose sizes overflow or exceed every limit (the pixels are not there).
    static var overflowingImages: [(name: String, bytes: [UInt8])] {
        var list: [(String, [UInt8])] = []
        // PNG: IHDR claiming 0xFFFFFFFF × 0xFFFFFFFF, and 0 × 0xFFFFFFFF (CRCs correct).
        for (w, h) in [(UInt32.max, UInt32.max), (0, UInt32.max), (0x7FFF_FFFF, 2)] {
            var ihdr = Array("IHDR".utf8) + bigEndian(w) + bigEndian(h) + [8, 2, 0, 0, 0]
            ihdr = bigEndian(13) + ihdr + bigEndian(crc32(Array(ihdr)))
            let iend = bigEndian(0) + Array("IEND".utf8) + bigEndian(crc32(Array("IEND".utf8)))
            list.append(("png-\(w)x\(h).png", Array(png.prefix(8)) + ihdr + iend))
        }
        // JPEG: SOF0 claiming 65535 × 65535 with 255 components.
        let sof: [UInt8] = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x01, 0x11, 0x00, 0xFF, 0xD9]
        list.append(("jpeg-65535.jpg", sof))
        var many = sof
        many[11] = 0xFF
        list.append(("jpeg-255-components.jpg", many))
        // WebP: VP8X canvas 2^24 × 2^24 (its widest), and a RIFF size past the end of the file.
        let vp8x: [UInt8] = Array("VP8X".utf8) + [10, 0, 0, 0] + [0, 0, 0, 0] + [0xFF, 0xFF, 0xFF] + [0xFF, 0xFF, 0xFF]
        list.append(("webp-vp8x-huge.webp", Array("RIFF".utf8) + littleEndian(UInt32(4 + vp8x.count)) + Array("WEBP".utf8) + vp8x))
        list.append(("webp-riff-size.webp", Array("RIFF".utf8) + [0xFF, 0xFF, 0xFF, 0xFF] + Array("WEBP".utf8) + vp8x))
        // EXIF with an IFD offset and entry count pointing far outside (JPEG APP1).
        let exif: [UInt8] = Array("Exif".utf8) + [0, 0] + Array("MM".utf8) + [0, 42, 0xFF, 0xFF, 0xFF, 0xF0]
        let jpeg = fixture("baseline.jpg")
        list.append(("jpeg-exif-offset.jpg", [0xFF, 0xD8, 0xFF, 0xE1] + bigEndian16(UInt16(exif.count + 2)) + exif + jpeg.dropFirst(2)))
        return list
    }

    /// `count` byte-mutated copies of the fixtures (flips, runs, truncations, insertions),
    /// and PNGs whose chunk data is mutated with the CRC made right again, so the damage
    /// reaches libpng's decompression instead of stopping at the checksum.
    static func mutants(count: Int, seed: UInt64) -> [(name: String, bytes: [UInt8])] {
        var random = SplitMix64(seed: seed)
        let sources = goodImages.map(fixture) + [fixture("rgba.png"), fixture("cmyk.jpg"), fixture("alpha-lossy.webp"), fixture("orientation-6.jpg")]
        var list: [(String, [UInt8])] = []
        for i in 0..<count {
            var bytes = sources[i % sources.count]
            guard !bytes.isEmpty else { continue }
            let ext =
                i % sources.count < goodImages.count
                ? (goodImages[i % sources.count] as NSString).pathExtension : ["png", "jpg", "webp", "jpg"][(i % sources.count) - goodImages.count]
            if ext == "png", i % 3 == 0 {
                bytes = mutateChunkKeepingCRC(bytes, &random)
            } else {
                for _ in 0..<(1 + Int(random.next() % 8)) {
                    let at = Int(random.next() % UInt64(bytes.count))
                    switch random.next() % 5 {
                    case 0: bytes[at] ^= UInt8(1 << (random.next() % 8))
                    case 1: bytes[at] = [0x00, 0xFF, 0x7F, 0x80][Int(random.next() % 4)]
                    case 2: bytes = Array(bytes.prefix(max(8, at)))
                    case 3:
                        bytes.insert(
                            contentsOf: [UInt8](repeating: UInt8(truncatingIfNeeded: random.next()), count: 1 + Int(random.next() % 64)), at: at)
                    default:
                        let length = min(bytes.count - at, 1 + Int(random.next() % 16))
                        bytes.replaceSubrange(at..<(at + length), with: (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) })
                    }
                    if bytes.count < 8 { break }
                }
            }
            list.append(("mutant-\(i).\(ext)", bytes))
        }
        return list
    }

    /// A PNG with one chunk's data changed and its CRC recomputed.
    static func mutateChunkKeepingCRC(_ png: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var chunks: [Range<Int>] = [] // data ranges
        var offset = 8
        while offset + 12 <= png.count {
            let length = Int(UInt32(png[offset]) << 24 | UInt32(png[offset + 1]) << 16 | UInt32(png[offset + 2]) << 8 | UInt32(png[offset + 3]))
            guard offset + 12 + length <= png.count else { break }
            if length > 0 { chunks.append((offset + 8)..<(offset + 8 + length)) }
            offset += 12 + length
        }
        guard let chunk = chunks.randomElement(using: &random) else { return png }
        var bytes = png
        for _ in 0..<(1 + Int(random.next() % 4)) {
            bytes[chunk.lowerBound + Int(random.next() % UInt64(chunk.count))] = UInt8(truncatingIfNeeded: random.next())
        }
        let crc = crc32(Array(bytes[(chunk.lowerBound - 4)..<chunk.upperBound]))
        bytes.replaceSubrange(chunk.upperBound..<(chunk.upperBound + 4), with: bigEndian(crc))
        return bytes
    }

    // MARK: - NPY

    /// A `.npy` file with `dictionary` as its header and `data` bytes after it.
    static func npy(header dictionary: String, data: [UInt8] = [], version: UInt8 = 1) -> [UInt8] {
        var text = dictionary
        let prefix = version == 1 ? 10 : 12
        text += String(repeating: " ", count: (64 - (prefix + text.utf8.count + 1) % 64) % 64) + "\n"
        let length = text.utf8.count
        let lengthBytes: [UInt8] = version == 1 ? [UInt8(length & 0xFF), UInt8(length >> 8)] : littleEndian(UInt32(length))
        return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0] + lengthBytes + Array(text.utf8) + data
    }

    /// Headers whose shapes overflow 64 bits, or lie about the data, or are malformed.
    static let hostileNPYHeaders: [(name: String, dictionary: String)] = [
        ("shape (1, 4194304000000000000)", "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 4194304000000000000), }"),
        ("shape (2**62, 2**62)", "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4611686018427387904), }"),
        ("a dimension past Int64", "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999999, 2), }"),
        ("shape (2**63 - 1, 1) of float64", "{'descr': '<f8', 'fortran_order': False, 'shape': (9223372036854775807, 1), }"),
        ("a negative dimension", "{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 3), }"),
        ("more rows than data", "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 64), }"),
        ("an escape sequence as its dtype", "{'descr': '\u{1B}]52;c;cHduZWQ=\u{07}', 'fortran_order': False, 'shape': (3, 2), }"),
        ("an unterminated tuple", "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2")
    ]

    // MARK: - Bytes

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
    static func bigEndian16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
    static func littleEndian(_ value: UInt32) -> [UInt8] { bigEndian(value).reversed() }

    static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}

/// What a folder holds, to prove that a command changed nothing in it (or nothing outside
/// the places it may write): every entry's type, mode, size, time and, for regular files,
/// a hash of the contents. Links are not followed and special files never opened.
struct TreeSnapshot: Equatable {
    var entries: [String: String]

    init(_ root: String, excluding excluded: Set<String> = []) {
        entries = [:]
        var pending = [""]
        while let relative = pending.popLast() {
            let path = relative.isEmpty ? root : root + "/" + relative
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { continue }
            for name in names {
                let child = relative.isEmpty ? name : relative + "/" + name
                if excluded.contains(child) { continue }
                var info = stat()
                guard lstat(root + "/" + child, &info) == 0 else { continue }
                let type = info.st_mode & S_IFMT
                var description = "mode \(String(info.st_mode, radix: 8)) size \(info.st_size) mtime \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
                if type == S_IFDIR { pending.append(child) }
                if type == S_IFREG, let data = FileManager.default.contents(atPath: root + "/" + child) {
                    description += " hash \(data.reduce(UInt64(1469598103934665603)) { ($0 ^ UInt64($1)) &* 1099511628211 })"
                }
                if type == S_IFLNK, let target = try? FileManager.default.destinationOfSymbolicLink(atPath: root + "/" + child) {
                    description += " -> \(target)"
                }
                entries[child] = description
            }
        }
    }

    /// The entries that differ from `other` (added, removed or changed), sorted.
    func differences(from other: TreeSnapshot) -> [String] {
        Set(entries.keys).union(other.entries.keys).filter { entries[$0] != other.entries[$0] }.sorted()
    }
}
