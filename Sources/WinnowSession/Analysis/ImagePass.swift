#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import WinnowCore
import WinnowDataset
import WinnowImaging
import WinnowStore

/// What one read of an image file gave: its header and its full decode, or why not.
package struct ImageRead {
    package var info: ImageInfo?
    /// The whole image, full resolution, upright.
    package var decoded: DecodedImage?
    package var failure: ImageDecodeError?
}

/// A per-image measure computed from one `ImageRead` and cached in the project store under
/// its `kind` (name and version). Adding one (a content hash, pixel features) adds it to
/// `AnalysisSession.imageMeasurements`: the same read of each image then computes it too.
package protocol ImageMeasurement: Sendable {
    var kind: ImageMeasureKind { get }
    /// The bytes to store; nil when the image gives none.
    func value(of read: ImageRead) -> Data?
}

/// Whether the image decodes in full: the decoder's reason when it does not.
package struct DecodeCheck: ImageMeasurement {
    package var kind: ImageMeasureKind { .decode }

    package func value(of read: ImageRead) -> Data? { read.failure.map { Data($0.description.utf8) } }

    package static func problem(from value: Data?) -> String? { value.map { String(decoding: $0, as: UTF8.self) } }

    /// A file that could not be read at all (gone, no permission, an I/O error) says nothing
    /// about its content: such a result is kept, so that info lists it, but read again by
    /// the next analysis instead of trusted.
    package static func isTransient(_ value: Data?) -> Bool { problem(from: value)?.hasPrefix(ImageDecodeError.unreadableFilePrefix) ?? false }
}

/// CleanVision's per-image properties (`ImageQualityMeasures`), as little-endian doubles.
package struct QualityMeasurement: ImageMeasurement {
    package var kind: ImageMeasureKind { .quality }

    package func value(of read: ImageRead) -> Data? {
        guard let decoded = read.decoded, !decoded.image.isEmpty else { return nil }
        let measures = ImageQualityMeasures(of: decoded.image, storedSize: decoded.info.storedSize, storedGreyscale: decoded.info.storedGreyscale)
        return Self.bytes(of: measures.encoded)
    }

    package static func measures(from value: Data?) -> ImageQualityMeasures? {
        guard let value, value.count % 8 == 0 else { return nil }
        let doubles = value.withUnsafeBytes { raw in
            (0..<(value.count / 8)).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) }
        }
        return ImageQualityMeasures(encoded: doubles)
    }

    package static func bytes(of values: [Double]) -> Data {
        var data = Data(count: values.count * 8)
        data.withUnsafeMutableBytes { raw in
            for (i, value) in values.enumerated() { raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: i * 8, as: UInt64.self) }
        }
        return data
    }
}

/// One full read of every image: each file read once (`DatasetFileContents`, the dataset's
/// one safe way: non-blocking, regular files only, so a FIFO or a link to /dev/zero is a
/// problem at once and never a hang; refused above the size limit before reading, read up to
/// the size it had when opened), decoded once in full
/// (`DecodeLimits` checked on the header before any pixel is allocated; `DecodeMemoryBudget`
/// bounds what is decoded at once), and every `ImageMeasurement` computed from that decode,
/// on every core behind a progress bar.
///
/// Results are cached in the project with each file's size and time, as the content hashes
/// and image features are: a later run reads only the images that are new or changed, or
/// that lack a measure (a new one, or a new version of one). Items whose file the import
/// found missing or unusable are not read (their problem is already known). Several items
/// that are one file (hard links) are read once.
package enum ImagePass {
    /// Stale images read between two saves to the store: an interrupted run keeps what it
    /// finished.
    package static let saveBatch = 1024

    package struct Results {
        /// Each measurement's values, in items order (nil: none, or the item was not read).
        package var values: [ImageMeasureKind: [Data?]]
        /// Files read this time, and items answered from the cache.
        package var read = 0
        package var cached = 0
        /// Items answered by another item's read of the same file (hard links).
        package var sharedFiles = 0

        package func values(_ kind: ImageMeasureKind) -> [Data?] { values[kind] ?? [] }
    }

    /// With `describing`, the same decode also gives each image read whose cached image
    /// features (`ImageFeatureIndex`) are stale its features and duplicate descriptor, saved
    /// with the others: the near-duplicate pass then decodes nothing again.
    package static func run(
        _ measurements: [any ImageMeasurement], context: AnalysisContext, store: any ProjectStoring,
        progress: any ProgressReporter, limits: DecodeLimits = .standard,
        budget: DecodeMemoryBudget = DecodeMemoryBudget(), describing: Bool = false
    ) throws -> Results {
        let items = context.items
        var results = Results(values: [:])
        let described =
            describing ? Set(try store.freshImageFeatures(version: ImageFeatureIndex.version, dimension: ImageFeatureIndex.dimension).keys) : []
        var fresh: [[Int64: Data?]] = []
        for measurement in measurements {
            var values = try store.freshImageMeasures(measurement.kind)
            if measurement.kind == .decode { values = values.filter { !DecodeCheck.isTransient($0.value) } }
            fresh.append(values)
        }
        // Each measurement's values in items order (filled here, stored in `results` at the end).
        var values = [[Data?]](repeating: [Data?](repeating: nil, count: items.count), count: measurements.count)
        func finished() -> Results {
            for (m, measurement) in measurements.enumerated() { results.values[measurement.kind] = values[m] }
            return results
        }
        var stale: [Int] = []
        for i in items.indices {
            // Missing, empty or not an image at import: nothing to read.
            guard items[i].fileSize != nil, items[i].modificationTime != nil,
                items[i].problem == nil || isDecodeProblem(items[i], store: fresh, measurements)
            else { continue }
            let id = items[i].id
            var cached = true
            for m in fresh.indices {
                guard let value = fresh[m][id] else { cached = false; break }
                values[m][i] = value
            }
            if cached { results.cached += 1 } else { stale.append(i) }
        }
        guard !stale.isEmpty else { return finished() }

        let root = context.datasetRoot + "/images/"
        let groups = sameFileGroups(stale.map { root + items[$0].path }).map { $0.map { stale[$0] } }
        results.sharedFiles = stale.count - groups.count
        let names = measurements.map(\.kind.name).joined(separator: ", ")
        progress.begin("reading \(groups.count) image\(groups.count == 1 ? "" : "s") in full (\(names))", total: groups.count)
        defer { progress.end() }
        for start in stride(from: 0, to: groups.count, by: saveBatch) {
            let batch = Array(groups[start..<min(groups.count, start + saveBatch)])
            let paths = batch.map { root + items[$0[0]].path }
            let describe = batch.map { group in describing && group.contains { !described.contains(items[$0].id) } }
            let outcomes = ImageFeatureIndex.parallelMap(
                count: batch.count, initial: ([Data?](), ImageFeatureIndex.Outcome?.none), progress: progress,
                offset: start
            ) { b in
                let read = Self.read(path: paths[b], limits: limits, budget: budget)
                return (measurements.map { $0.value(of: read) }, describe[b] ? ImageFeatureIndex.outcome(of: read) : nil)
            }
            var features: [ImageFeatureRecord] = []
            for (group, (_, outcome)) in zip(batch, outcomes) {
                guard let outcome else { continue }
                for i in group {
                    features.append(
                        ImageFeatureRecord(
                            itemID: items[i].id, size: items[i].fileSize!, modificationTime: items[i].modificationTime!,
                            vector: outcome.vector, descriptor: outcome.descriptor?.grey))
                }
            }
            try store.saveImageFeatures(features, version: ImageFeatureIndex.version, dimension: ImageFeatureIndex.dimension)
            var records: [ImageMeasureRecord] = []
            for (group, (groupValues, _)) in zip(batch, outcomes) {
                for i in group {
                    let item = items[i]
                    for (m, measurement) in measurements.enumerated() {
                        values[m][i] = groupValues[m]
                        records.append(
                            ImageMeasureRecord(
                                itemID: item.id, kind: measurement.kind, size: item.fileSize!,
                                modificationTime: item.modificationTime!, value: groupValues[m]))
                    }
                }
                // A file with thousands of hard links makes thousands of rows: saved in slices.
                if records.count >= 65_536 {
                    try store.saveImageMeasures(records)
                    records.removeAll(keepingCapacity: true)
                }
            }
            results.read += batch.count
            try store.saveImageMeasures(records)
        }
        return finished()
    }

    /// True when the item's problem is the decode failure the pass itself recorded (the
    /// analysis context merges it in): the item is then measured like any other.
    private static func isDecodeProblem(
        _ item: AnalysisContext.Item, store fresh: [[Int64: Data?]],
        _ measurements: [any ImageMeasurement]
    ) -> Bool {
        guard let decodeIndex = measurements.firstIndex(where: { $0.kind == .decode }),
            let value = fresh[decodeIndex][item.id]
        else { return false }
        return DecodeCheck.problem(from: value) == item.problem
    }

    /// Reads and decodes one file in full.
    package static func read(path: String, limits: DecodeLimits, budget: DecodeMemoryBudget) -> ImageRead {
        var read = ImageRead()
        do throws(ImageDecodeError) {
            let bytes = try fileBytes(path: path, limit: limits.maxFileBytes)
            let info = try ImageDecoder.info(data: bytes)
            read.info = info
            // Refused here, before the budget is asked for memory the decode would never use.
            try limits.check(info.storedSize, format: info.format)
            let outcome = budget.withReservation(DecodeMemoryBudget.decodeCost(pixels: info.storedSize.area)) {
                () -> Result<DecodedImage, ImageDecodeError> in
                do throws(ImageDecodeError) { return .success(try ImageDecoder.decode(data: bytes, limits: limits)) } catch { return .failure(error) }
            }
            read.decoded = try outcome.get()
        } catch {
            read.failure = error
        }
        return read
    }

    /// The whole file, or why not in the decoder's terms (a file that could not be read is
    /// `unreadableFile`: read again by the next analysis).
    package static func fileBytes(path: String, limit: Int) throws(ImageDecodeError) -> [UInt8] {
        do throws(DatasetFileContents.Failure) {
            return try DatasetFileContents.bytes(atPath: path, limit: limit)
        } catch {
            switch error {
            case .unreadable(let reason): throw .unreadableFile(path: path, reason: reason)
            case .tooLarge(let byteCount): throw .fileTooLarge(byteCount: byteCount, limit: limit)
            }
        }
    }

    /// `paths` grouped by the file they name (device and inode; hard links are one file),
    /// each group's positions ascending, groups in order of their first position. A path
    /// that cannot be examined is a group of its own (reading it will say why).
    package static func sameFileGroups(_ paths: [String]) -> [[Int]] {
        let identities = ImageFeatureIndex.parallelMap(count: paths.count, initial: FileIdentity?.none, progress: SilentProgress()) { i in
            var status = stat()
            guard stat(paths[i], &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
            return FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
        }
        var groups: [[Int]] = []
        var groupOf: [FileIdentity: Int] = [:]
        for (i, identity) in identities.enumerated() {
            if let identity, let g = groupOf[identity] {
                groups[g].append(i)
            } else {
                if let identity { groupOf[identity] = groups.count }
                groups.append([i])
            }
        }
        return groups
    }

    package struct FileIdentity: Hashable, Sendable {
        package var device: UInt64
        package var inode: UInt64
    }
}
