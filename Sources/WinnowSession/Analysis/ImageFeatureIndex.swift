#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation
import WinnowCore
import WinnowImaging
import WinnowNeighbours
import WinnowStore

/// Winnow's own image features (`ImageFeatures`: a DCT structure block plus colour layout and
/// colour content, 128 floats of unit length), which stand in for embeddings when a dataset
/// has no `embeddings.npy` and propose near-duplicate candidates beside them when it has,
/// and each picture's `DuplicateDescriptor` (32×32 grey levels), which confirms candidates:
/// both from one decode of each file.
///
/// Each image is decoded small (its shorter side brought to `workingSide`; JPEG decodes at a
/// reduced scale inside libjpeg), described, and the vector cached in the project with the
/// file's size and time (`ProjectStore.freshImageFeatures`), so a later run decodes only new
/// or changed files. Files that cannot be decoded, or are smaller than `minimumSide`, get no
/// features: they are left out of the search and have no neighbours (that is cached too).
package enum ImageFeatureIndex {
    /// Bump whenever the vectors would change (`ImageFeatures`, `workingSide`, `minimumSide`,
    /// the decoding): every cached vector and graph is then recomputed.
    package static let version = 2
    package static let dimension = ImageFeatures.dimension
    /// The decoded image's shorter side: twice the 32×32 that `ImageFeatures` area-averages
    /// down to, so the reduction loses nothing a full-size decode would have kept.
    package static let workingSide = 64
    /// The decoded image's longer side at most (very elongated images).
    package static let maxWorkingSide = 1024
    /// Images narrower or shorter than this have too little to compare (a 1×1 placeholder
    /// would "match" every other image of its colour) and get no features.
    package static let minimumSide = 8
    /// Stale images decoded between two saves to the store: an interrupted run keeps
    /// what it finished.
    package static let saveBatch = 2048

    /// What one file gave.
    package enum Outcome: Sendable {
        case features([Float], DuplicateDescriptor)
        case tooSmall(PixelSize)
        case undecodable(String)

        package var vector: [Float]? {
            if case .features(let vector, _) = self { return vector }
            return nil
        }

        package var descriptor: DuplicateDescriptor? {
            if case .features(_, let descriptor) = self { return descriptor }
            return nil
        }
    }

    /// The features of the image file at `path`.
    package static func features(ofFileAt path: String, limits: DecodeLimits = .standard) -> Outcome {
        do {
            let bytes = try ImageFileReading.bytes(atPath: path, limit: limits.maxFileBytes)
            let info = try ImageDecoder.info(data: bytes)
            let size = info.size
            if size.width > 0, size.height > 0, min(size.width, size.height) < minimumSide { return .tooSmall(size) }
            let decoded = try ImageDecoder.decode(data: bytes, limits: limits, fitting: decodingBox(for: size))
            guard !decoded.image.isEmpty else { return .tooSmall(decoded.image.size) }
            return describe(decoded.image)
        } catch {
            return .undecodable(String(describing: error))
        }
    }

    /// What a full read by the image pass (`ImagePass`) gives: the same as `features(ofFileAt:)`
    /// from the decode the pass made anyway, brought down to the working size here (a JPEG
    /// is then reduced from its full decode rather than inside libjpeg: the same picture
    /// within rounding). A file the pass could not decode gives `undecodable`.
    static func outcome(of read: ImageRead) -> Outcome {
        guard let decoded = read.decoded else { return .undecodable(read.failure.map { String(describing: $0) } ?? "not decoded") }
        let image = decoded.image
        if image.isEmpty || min(image.width, image.height) < minimumSide { return .tooSmall(image.size) }
        return describe(decodingBox(for: image.size).map { image.resized(toFit: $0) } ?? image)
    }

    /// What a decoded picture gives: its features and its duplicate descriptor. A function of
    /// the pixels alone, so any pass that decodes the image can compute it.
    package static func describe(_ image: RGBImage) -> Outcome {
        // Both area-average the picture to 32×32 first (a 32×32 image is used as it is):
        // resized once here.
        let side = DuplicateDescriptor.side
        let small = image.isEmpty ? image : image.resized(width: side, height: side)
        return .features(ImageFeatures(of: small).embedding, DuplicateDescriptor(of: small))
    }

    /// The box to decode an image of (upright) `size` into: its shorter side brought down to
    /// `workingSide`, aspect ratio kept, the longer side at most `maxWorkingSide`. Nil when
    /// the image is small enough to decode as it is.
    package static func decodingBox(for size: PixelSize) -> PixelSize? {
        let shorter = min(size.width, size.height)
        guard shorter > workingSide else { return nil }
        // Rounded up, so that fitting the box cannot round the shorter side below workingSide.
        func scaled(_ side: Int) -> Int { min((side * workingSide + shorter - 1) / shorter, maxWorkingSide) }
        return PixelSize(width: scaled(size.width), height: scaled(size.height))
    }

    /// `body(i)` for every i in 0..<count on every core (workers take small runs of indices,
    /// since one image can take much longer than another), results in order; reports the
    /// running total, starting from `offset`, to `progress`.
    package static func parallelMap<T>(
        count: Int, initial: T, progress: any ProgressReporter, offset: Int = 0,
        threads: Int = NeighbourSearch.activeProcessors, _ body: @Sendable (Int) -> T
    ) -> [T] {
        var results = [T](repeating: initial, count: count)
        guard count > 0 else { return results }
        let run = 8
        let runs = (count + run - 1) / run
        let next = SharedCounter(), done = SharedCounter()
        results.withUnsafeMutableBufferPointer { buffer in
            let output = UnsafeSendable(buffer)
            DispatchQueue.concurrentPerform(iterations: min(max(1, threads), runs)) { _ in
                while let r = next.take(below: runs) {
                    let range = (r * run)..<min(count, (r + 1) * run)
                    for i in range { output.value[i] = body(i) }
                    progress.update(offset + done.add(range.count))
                }
            }
        }
        return results
    }

    // MARK: - Vectors of a dataset

    /// Every item's features, in items order.
    package struct Vectors {
        /// items × `dimension` floats, row-major; zero rows where `present` is false.
        package var values: [Float]
        package var present: [Bool]
        /// Each item's duplicate descriptor (nil where the file gave none).
        package var descriptors: [DuplicateDescriptor?]
        /// Decoded this time (the rest came from the cache, or are missing files).
        package var computed = 0
        package var cached = 0
        package var undecodable = 0
        package var tooSmall = 0

        package var presentCount: Int { present.reduce(0) { $0 + ($1 ? 1 : 0) } }
    }

    /// The items' features: cached ones from the store, the others (new or changed files)
    /// decoded on every core and saved back. Missing files get none.
    package static func vectors(of context: AnalysisContext, store: any ProjectStoring, progress: any ProgressReporter) throws -> Vectors {
        let items = context.items
        var vectors = Vectors(
            values: [Float](repeating: 0, count: items.count * dimension), present: [Bool](repeating: false, count: items.count),
            descriptors: [DuplicateDescriptor?](repeating: nil, count: items.count))
        func place(_ vector: [Float], _ descriptor: DuplicateDescriptor?, at i: Int) {
            vectors.values.replaceSubrange((i * dimension)..<((i + 1) * dimension), with: vector)
            vectors.present[i] = true
            vectors.descriptors[i] = descriptor
        }
        let cached = try store.freshImageFeatures(version: version, dimension: dimension)
        var stale: [Int] = []
        for (i, item) in items.enumerated() {
            guard item.fileSize != nil, item.modificationTime != nil else { continue } // missing file
            if let record = cached[item.id] {
                vectors.cached += 1
                if let vector = record.vector {
                    let grey = record.descriptor.flatMap { $0.count == DuplicateDescriptor.side * DuplicateDescriptor.side ? $0 : nil }
                    place(vector, grey.map(DuplicateDescriptor.init(grey:)), at: i)
                }
            } else {
                stale.append(i)
            }
        }
        guard !stale.isEmpty else { return vectors }
        let root = context.datasetRoot + "/images/"
        progress.begin("describing \(stale.count) image\(stale.count == 1 ? "" : "s") for near-duplicates", total: stale.count)
        defer { progress.end() }
        for start in stride(from: 0, to: stale.count, by: saveBatch) {
            let batch = Array(stale[start..<min(stale.count, start + saveBatch)])
            let paths = batch.map { root + items[$0].path }
            let outcomes = parallelMap(count: batch.count, initial: Outcome.undecodable(""), progress: progress, offset: start) {
                features(ofFileAt: paths[$0])
            }
            var records: [ImageFeatureRecord] = []
            records.reserveCapacity(batch.count)
            for (outcome, i) in zip(outcomes, batch) {
                switch outcome {
                case .features(let vector, let descriptor): place(vector, descriptor, at: i)
                case .tooSmall: vectors.tooSmall += 1
                case .undecodable: vectors.undecodable += 1
                }
                records.append(
                    ImageFeatureRecord(
                        itemID: items[i].id, size: items[i].fileSize!, modificationTime: items[i].modificationTime!,
                        vector: outcome.vector, descriptor: outcome.descriptor?.grey))
            }
            vectors.computed += batch.count
            try store.saveImageFeatures(records, version: version, dimension: dimension)
        }
        return vectors
    }

    /// A one-line account of features just computed, for stderr (nil when all were cached).
    package static func note(_ vectors: Vectors) -> String? {
        guard vectors.computed > 0 else { return nil }
        var text = "winnow: described \(vectors.computed) image\(vectors.computed == 1 ? "" : "s") for near-duplicates"
        if vectors.cached > 0 { text += " (\(vectors.cached) cached)" }
        var without: [String] = []
        if vectors.undecodable > 0 { without.append("\(vectors.undecodable) cannot be decoded") }
        if vectors.tooSmall > 0 { without.append("\(vectors.tooSmall) smaller than \(minimumSide)×\(minimumSide) pixels") }
        if !without.isEmpty { text += "; not described (no pixel neighbours, no pixel check): " + without.joined(separator: ", ") }
        return text
    }

    // MARK: - The graph

    /// What the features of `context`'s items are computed from: each item's id, file size
    /// and time, in items order, and the features' version. The neighbour graph is cached
    /// under it; it changes whenever an image (or the set of items) does, and is known
    /// without reading a single vector.
    package static func inputFingerprint(of context: AnalysisContext) -> String {
        var hash = Fingerprint()
        hash.add(UInt64(version))
        hash.add(UInt64(dimension))
        hash.add(UInt64(context.items.count))
        for item in context.items {
            hash.add(UInt64(bitPattern: item.id))
            hash.add(item.fileSize.map { UInt64(bitPattern: $0) } ?? .max)
            hash.add(item.modificationTime.map(\.bitPattern) ?? .max)
        }
        return String(hash.value, radix: 16)
    }

    /// 64-bit mixing of a sequence of words (not cryptographic: it names cache files).
    package struct Fingerprint {
        package private(set) var value: UInt64 = 0x6A09_E667_F3BC_C908

        package mutating func add(_ word: UInt64) {
            var x = (value ^ word) &+ 0x9E37_79B9_7F4A_7C15
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            value = x ^ (x >> 31)
        }
    }

    /// The k nearest neighbours among the items that have features; the others have none
    /// and are nobody's neighbour. Nil when fewer than two items have features.
    package static func neighbourGraph(
        _ vectors: Vectors, k: Int, method: NeighbourSearch.Method, settings: NeighbourSearch.HNSWSettings,
        threads: Int = NeighbourSearch.activeProcessors
    ) throws(NeighbourSearch.Failure) -> (graph: NeighbourGraph, method: NeighbourSearch.Method)? {
        let rows = vectors.present.indices.filter { vectors.present[$0] }
        guard rows.count >= 2 else { return nil }
        var values = [Float]()
        values.reserveCapacity(rows.count * dimension)
        for i in rows { values.append(contentsOf: vectors.values[(i * dimension)..<((i + 1) * dimension)]) }
        let matrix = EmbeddingMatrix(rows: rows.count, dimension: dimension, values: values)
        let found = try NeighbourSearch.search(matrix, k: k, method: method, settings: settings, threads: threads)
        // Back from rows of the search to item positions.
        return (found.graph.spread(to: rows, count: vectors.present.count), found.method)
    }
}

extension AnalysisSession {
    /// Every item's image features and duplicate descriptor (decoding new or changed files),
    /// with a note on stderr for command-line runs (the review screen owns its terminal).
    package func imageVectors() throws -> ImageFeatureIndex.Vectors {
        let vectors = try ImageFeatureIndex.vectors(of: context, store: project.store, progress: progress)
        if progress is TerminalProgress, let note = ImageFeatureIndex.note(vectors) { printError(note) }
        return vectors
    }

    /// How `method` names neighbours found with Winnow's own features.
    package static let imageFeaturesMethodPrefix = "image features (no embeddings.npy; used for near-duplicates only), "

    package func imageFeatureCachePath() -> String {
        project.store.stateDirectory
            + "/neighbours/features-v\(ImageFeatureIndex.version)-\(ImageFeatureIndex.inputFingerprint(of: context))-k\(config.neighbourCount)-\(config.search)-m\(config.hnswM)-efc\(config.hnswEfConstruction)-ef\(config.hnswEf).bin"
    }

    /// The neighbour graph of Winnow's image features (the neighbours of a dataset without
    /// embeddings; near-duplicate candidates of every dataset): from the cache, or computed
    /// (features decoded only for new or changed files, unless `vectors` are given) and
    /// cached. Nil when fewer than two images could be described.
    package func imageFeatureGraph(rebuild: Bool, vectors given: ImageFeatureIndex.Vectors? = nil) throws -> (
        graph: NeighbourGraph, method: String, cached: Bool
    )? {
        let path = imageFeatureCachePath()
        if !rebuild, let graph = try? Self.loadGraph(path), graph.count == context.items.count {
            return (graph, Self.imageFeaturesMethodPrefix + config.search, true)
        }
        let vectors = try given ?? imageVectors()
        guard vectors.presentCount >= 2 else { return nil }
        progress.begin("finding \(config.neighbourCount) nearest neighbours of \(vectors.presentCount) images by their features", total: nil)
        let result: (graph: NeighbourGraph, method: NeighbourSearch.Method)?
        do {
            result = try ImageFeatureIndex.neighbourGraph(vectors, k: config.neighbourCount, method: searchMethod, settings: hnswSettings)
        } catch {
            progress.end()
            throw SessionError(.projectState, error.description)
        }
        progress.end()
        guard let result else { return nil }
        try FileManager.default.createDirectory(atPath: project.store.stateDirectory + "/neighbours", withIntermediateDirectories: true)
        try Self.saveGraph(result.graph, to: path)
        return (result.graph, Self.imageFeaturesMethodPrefix + result.method.rawValue, false)
    }
}
