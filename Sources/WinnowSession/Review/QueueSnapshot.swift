import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowDataset
import WinnowUI

/// A queue as the last analysis ordered it, saved in the state folder so the review screen
/// can show its first item at once (well under a second on a million items) while the
/// full analysis loads behind it.
///
/// Written by `winnow analyze` and by `winnow review` once its analysis has loaded. It is
/// used only while its `key` matches the project (same import, models, embeddings and
/// analysis settings); decisions made after it was saved are applied on reading (decided
/// items leave, skipped ones go last), so it never shows an item as open that is not.
///
/// File: Winnow's cache container (`CacheContainer`: magic line, header length, JSON header), then
/// `count` Int32 item indices, `count` Int64 item ids, `count` UInt8 source codes (into
/// `header.sources`) and `count` Float64 scores.
package struct QueueSnapshot: Sendable {
    /// Details saved for the first entries, so the first screens need no analysis.
    package struct SavedDetails: Codable, Sendable {
        package var itemID: Int64
        package var details: ItemDetails
        /// Ids of the item's component members (parallel to `details.component.members`),
        /// to recount the component's labels when some were decided since.
        package var memberIDs: [Int64]
    }

    package struct Header: Codable, Sendable {
        package var key: String
        package var queue: String
        package var count: Int
        package var itemCount: Int
        /// The newest decision the queue reflects.
        package var lastEventID: Int64?
        package var createdAt: String
        package var sources: [String]
        package var details: [SavedDetails]
    }

    package var header: Header
    package var items: [Int32]
    package var itemIDs: [Int64]
    package var sourceCodes: [UInt8]
    package var scores: [Double]

    /// Entries whose details are saved with the queue.
    package static let savedDetails = 200
    package static let magic = Array("WINNOW-QUEUE-SNAPSHOT-1\n".utf8)

    package static func path(stateDirectory: String, queue: String) -> String {
        stateDirectory + "/queues/\(queue).bin"
    }

    package var slots: [QueueSlot] {
        (0..<header.count).map { QueueSlot(item: Int(items[$0]), source: header.sources[Int(sourceCodes[$0])], score: scores[$0]) }
    }

    package init(header: Header, items: [Int32], itemIDs: [Int64], sourceCodes: [UInt8], scores: [Double]) {
        self.header = header
        self.items = items
        self.itemIDs = itemIDs
        self.sourceCodes = sourceCodes
        self.scores = scores
    }

    /// Builds a snapshot from a queue's entries.
    package init(key: String, queue: String, itemCount: Int, lastEventID: Int64?, slots: [QueueSlot], itemIDs: [Int64], details: [SavedDetails]) {
        var sources: [String] = []
        var codes: [String: UInt8] = [:]
        var sourceCodes = [UInt8]()
        sourceCodes.reserveCapacity(slots.count)
        for slot in slots {
            if let code = codes[slot.source] { sourceCodes.append(code); continue }
            let code = UInt8(min(sources.count, 255))
            codes[slot.source] = code
            sources.append(slot.source)
            sourceCodes.append(code)
        }
        self.init(
            header: Header(
                key: key, queue: queue, count: slots.count, itemCount: itemCount, lastEventID: lastEventID,
                createdAt: Timestamp.string(from: Date()), sources: sources, details: details),
            items: slots.map { Int32($0.item) }, itemIDs: itemIDs, sourceCodes: sourceCodes, scores: slots.map(\.score))
    }

    package func write(to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let file = try OutputFile(path: path)
        try CacheContainer.write(magic: Self.magic, header: header, to: { try file.write(bytes: $0) }) { arrays in
            try arrays.append(items)
            try arrays.append(itemIDs)
            try arrays.append(sourceCodes)
            try arrays.append(scores)
        }
        try file.commit()
    }

    /// The snapshot at `path`, or nil when there is none or it is unreadable (it is a cache:
    /// the review then waits for the analysis instead).
    package static func read(from path: String) -> QueueSnapshot? {
        guard let file = try? MappedFile(path: path, displayName: path),
            var reader = CacheContainer.Reader(file.bytes, magic: magic),
            let header = reader.header(Header.self)
        else { return nil }
        let n = header.count
        // The four arrays fill the file exactly (the division keeps the product from overflowing).
        guard n >= 0, n <= reader.remaining / (4 + 8 + 1 + 8), reader.remaining == n * (4 + 8 + 1 + 8), header.details.count <= n,
            let items = reader.take(n, as: Int32.self), let itemIDs = reader.take(n, as: Int64.self),
            let sourceCodes = reader.take(n, as: UInt8.self), let scores = reader.take(n, as: Double.self)
        else { return nil }
        let snapshot = QueueSnapshot(header: header, items: items, itemIDs: itemIDs, sourceCodes: sourceCodes, scores: scores)
        guard snapshot.sourceCodes.allSatisfy({ Int($0) < header.sources.count }),
            snapshot.items.allSatisfy({ $0 >= 0 && Int($0) < header.itemCount })
        else { return nil }
        return snapshot
    }
}

extension QueueSnapshot {
    /// What a saved queue depends on besides decisions: the project's analysis inputs and
    /// every setting that changes the analysis or the queues' order. A snapshot is used only
    /// while its key is the current one.
    package static func key(project: Project, stratifyBy: String?) throws -> String {
        let config = project.config
        let settings = AnalysisSession.settings(config)
        var queues = AnalysisSession.queueSettings(config)
        let quotas = queues.quotas.map { "\($0.key.rawValue)=\($0.value)" }.sorted().joined(separator: ",")
        queues.quotas = [:]
        return [
            "snapshot 1",
            try project.store.analysisInputSignature(),
            "analysis \(settings)",
            "queues \(queues) quotas \(quotas)",
            "stratify \(stratifyBy ?? "-")",
            "neighbours k\(config.neighbourCount) \(config.search) m\(config.hnswM) efc\(config.hnswEfConstruction) ef\(config.hnswEf)",
            "exact duplicates \(config.exactDuplicates)",
            "quality \(AnalysisSession.qualitySettings(config))",
            "near-duplicates v\(NearDuplicates.version) features v\(ImageFeatureIndex.version) \(AnalysisSession.duplicateSettings(config))",
            // What "settled" means: how many reviews an item needs, and who settles disputes.
            "team \(config.team.reviewsPerItem) settlers \(config.team.settlers.map { $0.sorted().joined(separator: ",") } ?? "anyone")"
        ].joined(separator: "\n")
    }
}
