#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import WinnowCore
import WinnowSession

/// Writes a synthetic dataset of any size in the dataset contract's layout, for benchmarks
/// and scale tests. Deterministic for a given seed. Images are hard links to one tiny PNG,
/// so a million of them cost directory entries, not disk space.
struct SyntheticDataset {
    var items: Int
    var classes: Int
    var dimension: Int
    var models: Int
    var seed: UInt64 = 42
    var embeddings: EmbeddingKind = .noisy

    /// How the embeddings are made. `noisy`: each class a centre one unit along some axes,
    /// items spread 0.6–1.6 around it in every dimension (nearly isotropic noise: neighbours
    /// are hard to find). `clustered`: like real embeddings, up to 1,000 tight sub-clusters
    /// (several per class), items closer to their centre the easier they are, and a
    /// near-duplicate (1e-3 noise) of the previous item every 50.
    enum EmbeddingKind: String, CaseIterable, Sendable {
        case noisy
        case clustered
    }

    static let onePixelPNG: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
        0xDE, 0x00, 0x00, 0x00, 0x0C, 0x49, 0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0xF8, 0xCF, 0xC0, 0x00,
        0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xDD, 0x8D, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E,
        0x44, 0xAE, 0x42, 0x60, 0x82
    ]

    static let linksPerSeed = 16_000

    func imagePath(_ i: Int) -> String { String(format: "shard-%04d/img-%08d.png", i / 1000, i) }

    func write(to root: String, progress: any ProgressReporter) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/images", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/predictions", withIntermediateDirectories: true)
        var rng = SplitMix64(seed: seed)
        let classNames = (0..<classes).map { String(format: "class_%02d", $0) }
        try (classNames.joined(separator: "\n") + "\n").write(toFile: root + "/classes.txt", atomically: true, encoding: .utf8)
        // Every image is a hard link to one of a few identical PNGs, so content hashing
        // would make them all one group of "duplicates": switch it off for this dataset.
        try "[analysis]\nexact_duplicates = false\n".write(toFile: root + "/winnow.toml", atomically: true, encoding: .utf8)

        // Images: real PNGs, hard-linked; a new seed file every 16,000 links because ext4
        // allows 65,000 links per file, and an imagefolder export (with hard links) of the
        // dataset links each image again, up to twice while --force replaces an earlier
        // one. (Hidden seed files are not scanned as items.)
        var seedPNG = ""
        progress.begin("linking \(items) images", total: items)
        for i in 0..<items {
            if i % Self.linksPerSeed == 0 {
                seedPNG = root + "/images/.seed-\(i / Self.linksPerSeed).png"
                try Data(Self.onePixelPNG).write(to: URL(fileURLWithPath: seedPNG))
            }
            let path = root + "/images/" + imagePath(i)
            if i % 1000 == 0 { try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true) }
            if link(seedPNG, path) != 0 && errno != EEXIST {
                throw CLIFailure(message: "cannot link \(path): \(String(cString: strerror(errno)))", exit: .projectError)
            }
            if i & 0xFFF == 0 { progress.update(i) }
        }
        progress.end()

        let truth = (0..<items).map { _ in Int(rng.next() % UInt64(classes)) }
        progress.begin("writing items.csv and labels.csv", total: nil)
        var itemsCSV = "image,source,captured_at\n", labelsCSV = "image,label\n"
        // Ground truth (not part of the dataset contract; Winnow ignores the file) for
        // measuring how well label errors are ranked: `winnow-bench label-issues`.
        var truthCSV = "image,true_label,given_label,is_label_error\n"
        itemsCSV.reserveCapacity(items * 48); labelsCSV.reserveCapacity(items * 36)
        let sources = ["camera-a", "camera-b", "phone"]
        for i in 0..<items {
            let path = imagePath(i)
            itemsCSV += path + "," + sources[i % 3] + ",2026-0\(1 + i % 9)-1\(i % 10)\n"
            // 10% label noise.
            let given = rng.next() % 10 == 0 ? Int(rng.next() % UInt64(classes)) : truth[i]
            labelsCSV += path + "," + classNames[given] + "\n"
            truthCSV += path + "," + classNames[truth[i]] + "," + classNames[given] + (given == truth[i] ? ",0\n" : ",1\n")
        }
        try itemsCSV.write(toFile: root + "/items.csv", atomically: false, encoding: .utf8)
        try labelsCSV.write(toFile: root + "/labels.csv", atomically: false, encoding: .utf8)
        try truthCSV.write(toFile: root + "/ground_truth.csv", atomically: false, encoding: .utf8)
        progress.end()

        // Each item has a difficulty; each model sees the true class through its own noise,
        // with extra pull towards a confusable neighbour class, like real classifiers
        // trained out-of-fold (the errors are then found only by combining evidence).
        let difficulty = (0..<items).map { _ in Double(rng.next() % 1000) / 1000 }
        for m in 0..<models {
            progress.begin("writing predictions/model_\(m).csv", total: items)
            var csv = "image," + classNames.joined(separator: ",") + "\n"
            csv.reserveCapacity(items * (30 + classes * 9))
            var row = [Double](repeating: 0, count: classes)
            let skill = 3.8 + 0.6 * Double(m) // later models are a little better
            for i in 0..<items {
                for c in 0..<classes { row[c] = rng.gaussian() }
                row[truth[i]] += skill * (1.2 - difficulty[i])
                row[(truth[i] + 1) % classes] += 1.5 * difficulty[i]
                let top = row.max()!
                var sum = 0.0
                for c in 0..<classes { row[c] = exp(row[c] - top); sum += row[c] }
                // Fixed 6 decimals; the last column takes the rounding remainder so the row sums to 1.
                var micros = row.map { Int(($0 / sum * 1_000_000).rounded()) }
                micros[classes - 1] += 1_000_000 - micros.reduce(0, +)
                if micros[classes - 1] < 0 { micros[micros.indices.max { micros[$0] < micros[$1] }!] += micros[classes - 1]; micros[classes - 1] = 0 }
                csv += imagePath(i)
                for value in micros {
                    csv +=
                        value >= 1_000_000
                        ? ",1.000000" : ",0." + String(repeating: "0", count: 6 - String(max(value, 0)).count) + String(max(value, 0))
                }
                csv += "\n"
                if i & 0xFFFF == 0 { progress.update(i) }
            }
            try csv.write(toFile: root + "/predictions/model_\(m).csv", atomically: false, encoding: .utf8)
            progress.end()
        }

        progress.begin("writing embeddings.npy", total: nil)
        var data = Data(NPYWriter.float32Header(rows: items, columns: dimension))
        var block = [Float](repeating: 0, count: dimension * 4096)
        var written = 0
        // Clustered: its own generator, so the noisy kind's numbers stay as they were.
        var clusterRNG = SplitMix64(seed: seed &+ 0x5EED)
        let perClass = max(1, min(1000, items / 100) / max(classes, 1))
        let centres = embeddings == .clustered ? (0..<(perClass * classes * dimension)).map { _ in Float(clusterRNG.gaussian()) } : []
        let spreads =
            embeddings == .clustered ? (0..<(perClass * classes)).map { _ in 0.3 + 0.3 * Double(clusterRNG.next() >> 11) / Double(1 << 53) } : []
        while written < items {
            let rows = min(4096, items - written)
            for r in 0..<rows {
                let label = truth[written + r]
                if embeddings == .clustered {
                    let item = written + r
                    if item % 50 == 49 && r > 0 {
                        for d in 0..<dimension { block[r * dimension + d] = block[(r - 1) * dimension + d] + Float(1e-3 * clusterRNG.gaussian()) }
                        continue
                    }
                    let cluster = label * perClass + Int(clusterRNG.next() % UInt64(perClass))
                    let spread = Float(spreads[cluster] * (0.6 + difficulty[item]))
                    for d in 0..<dimension {
                        block[r * dimension + d] = centres[cluster * dimension + d] + spread * Float(clusterRNG.gaussian())
                    }
                    continue
                }
                // Harder items sit further from their class centre.
                let spread = Float(0.6 + 1.0 * difficulty[written + r])
                for d in 0..<dimension {
                    let centre: Float = (d % classes) == label ? 1 : 0
                    block[r * dimension + d] = centre + spread * Float(rng.gaussian())
                }
            }
            block.withUnsafeBytes { data.append(contentsOf: $0.prefix(rows * dimension * 4)) }
            written += rows
        }
        try data.write(to: URL(fileURLWithPath: root + "/embeddings.npy"))
        progress.end()
    }
}

extension SplitMix64 {
    /// A standard normal sample (Box–Muller).
    mutating func gaussian() -> Double {
        let u1 = max(Double(next() >> 11) / Double(1 << 53), 1e-12)
        let u2 = Double(next() >> 11) / Double(1 << 53)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}
