import Foundation

/// A dataset folder in a fresh temporary directory, removed when the value is released.
/// Tests build exactly the files they need with `write` and `image`.
public final class TemporaryDataset: @unchecked Sendable {
    public let root: String

    public init(function: String = #function) {
        let name = function.filter { $0.isLetter || $0.isNumber }.prefix(40)
        root = NSTemporaryDirectory() + "winnow-test-\(name)-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: root + "/images", withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    public var statePath: String { root + "/.winnow" }

    /// Writes a text file (relative to the dataset root), creating folders.
    @discardableResult
    public func write(_ relative: String, _ text: String) -> Self {
        write(relative, bytes: Array(text.utf8))
    }

    @discardableResult
    public func write(_ relative: String, bytes: [UInt8]) -> Self {
        let path = root + "/" + relative
        try! FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! Data(bytes).write(to: URL(fileURLWithPath: path))
        return self
    }

    /// Writes a tiny valid PNG at `images/<path>`.
    @discardableResult
    public func image(_ path: String) -> Self { write("images/" + path, bytes: Self.onePixelPNG) }

    public func remove(_ relative: String) { try? FileManager.default.removeItem(atPath: root + "/" + relative) }

    public func read(_ relative: String) -> String? { try? String(contentsOfFile: root + "/" + relative, encoding: .utf8) }

    /// A minimal valid dataset: `count` images, labels from `classes` in turn, classes.txt.
    public static func simple(count: Int = 6, classes: [String] = ["cat", "dog", "fox"], function: String = #function) -> TemporaryDataset {
        let dataset = TemporaryDataset(function: function)
        var labels = "image,label\n"
        for i in 0..<count {
            dataset.image("img\(i).png")
            labels += "img\(i).png,\(classes[i % classes.count])\n"
        }
        dataset.write("classes.txt", classes.joined(separator: "\n") + "\n").write("labels.csv", labels)
        return dataset
    }

    public static let onePixelPNG: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
        0xDE, 0x00, 0x00, 0x00, 0x0C, 0x49, 0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0xF8, 0xCF, 0xC0, 0x00,
        0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xDD, 0x8D, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E,
        0x44, 0xAE, 0x42, 0x60, 0x82
    ]
}

/// Paths inside the repository.
public enum Repository {
    /// The package root, found from this source file's location.
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    public static var sampleShapes: String { root + "/SampleProjects/shapes" }
    public static var sampleImageFolder: String { root + "/SampleProjects/tiny-imagefolder" }

    /// Copies a sample project to a temporary folder (tests never write into the repository).
    public static func copyOfSample(_ path: String, function: String = #function) -> TemporaryDataset {
        let dataset = TemporaryDataset(function: function)
        try? FileManager.default.removeItem(atPath: dataset.root)
        try! FileManager.default.copyItem(atPath: path, toPath: dataset.root)
        try? FileManager.default.removeItem(atPath: dataset.root + "/.winnow")
        return dataset
    }
}

import WinnowCore

extension TemporaryDataset {
    /// Writes a float32 `.npy` matrix (row-major `values`).
    @discardableResult
    public func npy(_ relative: String, rows: Int, columns: Int, _ values: [Float]) -> Self {
        var bytes = NPYWriter.float32Header(rows: rows, columns: columns)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        return write(relative, bytes: bytes)
    }
}
