import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowDataset
import WinnowNeighbours
import WinnowStore

/// Loads what an analysis needs (models, embeddings, the current labels), caches the
/// expensive part (the neighbour graph, keyed by the embeddings' fingerprint and the search
/// settings) in the state folder, and runs the analysis and queues.
package struct AnalysisSession {
    package let project: Project
    package let context: AnalysisContext
    package let progress: any ProgressReporter

    package init(_ project: Project, progress: any ProgressReporter = TerminalProgress()) throws {
        self.project = project
        self.context = try project.store.analysisContext(policy: project.config.team)
        self.progress = progress
    }

    package var config: WinnowConfig { project.config }

    package var searchMethod: NeighbourSearch.Method { NeighbourSearch.Method(rawValue: config.search) ?? .auto }

    package var hnswSettings: NeighbourSearch.HNSWSettings {
        var s = NeighbourSearch.HNSWSettings()
        s.m = config.hnswM
        s.efConstruction = config.hnswEfConstruction
        s.ef = config.hnswEf
        return s
    }

    package func cachePath(_ embeddings: AnalysisContext.Embeddings) -> String {
        project.store.stateDirectory
            + "/neighbours/\(embeddings.fingerprint)-k\(config.neighbourCount)-\(config.search)-m\(config.hnswM)-efc\(config.hnswEfConstruction)-ef\(config.hnswEf).bin"
    }

    /// The neighbour graph: from the cache, or computed (and cached) when missing or when
    /// `rebuild` is set. Without embeddings, from Winnow's own image features (see
    /// `ImageFeatureIndex`); nil when fewer than two images could be described.
    package func neighbourGraph(rebuild: Bool = false) throws -> (graph: NeighbourGraph, method: String, cached: Bool)? {
        guard let embeddings = context.embeddings else { return try imageFeatureGraph(rebuild: rebuild) }
        let path = cachePath(embeddings)
        if !rebuild, let graph = try? Self.loadGraph(path) {
            return (graph, config.search, true)
        }
        let matrix = try loadEmbeddings(embeddings)
        progress.begin("finding \(config.neighbourCount) nearest neighbours of \(matrix.rows) items", total: nil)
        let result: (graph: NeighbourGraph, method: NeighbourSearch.Method)
        do {
            result = try NeighbourSearch.search(matrix, k: config.neighbourCount, method: searchMethod, settings: hnswSettings)
        } catch {
            progress.end()
            throw SessionError(.projectState, error.description)
        }
        progress.end()
        try FileManager.default.createDirectory(atPath: project.store.stateDirectory + "/neighbours", withIntermediateDirectories: true)
        try Self.saveGraph(result.graph, to: path)
        return (result.graph, result.method.rawValue, false)
    }

    /// The dataset's embeddings, checked against what was imported, normalised.
    package func loadEmbeddings(_ embeddings: AnalysisContext.Embeddings) throws -> EmbeddingMatrix {
        let matrix = try NPYMatrix(path: context.datasetRoot + "/" + embeddings.source, displayName: embeddings.source)
        progress.begin("checking \(embeddings.source)", total: nil)
        let fingerprint = String(matrix.scan().fingerprint, radix: 16)
        progress.end()
        guard fingerprint == embeddings.fingerprint, matrix.rows == context.items.count else {
            throw SessionError(
                .badData, "\(embeddings.source) changed since the last import", fix: "run winnow import \(TerminalText.sanitize(context.datasetRoot))"
            )
        }
        progress.begin("normalising embeddings", total: nil)
        let rows = EmbeddingRows(matrix)
        progress.end()
        for warning in Self.warnings(about: rows, source: embeddings.source, items: context.items) { printError(warning) }
        return EmbeddingMatrix(rows: rows.rows, dimension: rows.dimension, values: rows.values)
    }

    /// What is degenerate about the embeddings, in sentences (the neighbours still get computed).
    package static func warnings(about rows: EmbeddingRows, source: String, items: [AnalysisContext.Item]) -> [String] {
        func example(_ row: Int) -> String { "row \(row)" + (row < items.count ? " (\(TerminalText.sanitize(items[row].path)))" : "") }
        var warnings: [String] = []
        if let first = rows.zeroRows.first {
            warnings.append(
                "warning: \(source): \(rows.zeroRows.count) of \(rows.rows) rows are all zeros, e.g. \(example(first)); those items are similar to nothing and get no neighbours\n    fix: recompute their embeddings"
            )
        }
        if rows.allSameDirection {
            warnings.append(
                "warning: \(source): every row points the same way, so every item is equally similar to every other: the neighbours and near-duplicate groups mean nothing\n    fix: check how the embeddings were computed (a constant or broken model output)"
            )
        }
        if let first = rows.rescaledRows.first {
            warnings.append(
                "warning: \(source): \(rows.rescaledRows.count) of \(rows.rows) rows have values beyond 2^±40 in magnitude (huge or subnormal), e.g. \(example(first)); they were rescaled exactly (by a power of two) before normalising\n    fix: none needed for Winnow, but check the model that wrote them"
            )
        }
        return warnings
    }

    /// Every model's probabilities, from the state folder.
    package func models() throws -> [ModelProbabilities] {
        try context.models.map { model in
            let matrix = try NPYMatrix(path: model.matrixPath, displayName: "matrices/" + (model.matrixPath as NSString).lastPathComponent)
            var values = [Float](repeating: 0, count: matrix.rows * matrix.columns)
            matrix.dataBytes.withUnsafeBytes { raw in
                values.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: raw.baseAddress, count: $0.count)) }
            }
            return ModelProbabilities(name: model.name, values: values)
        }
    }

    /// The analysis input for the current labels. Multi-label items are not judged (the
    /// label-quality signals are defined for one label per item); they still get
    /// near-duplicate, outlier and problem checks. Without embeddings, `graph` comes from
    /// Winnow's image features, which recognise copies of a picture but not what a picture
    /// shows: it only joins near-duplicates and is no evidence about labels.
    /// `withHelper`: add the helper model's probabilities when it applies (`HelperEvidence`).
    package func input(graph: NeighbourGraph?, withHelper: Bool = true) throws -> AnalysisInput {
        let embeddingGraph = context.embeddings == nil ? nil : graph
        let duplicates = try nearDuplicates(embeddingGraph: embeddingGraph)
        let taxonomy = ClassTaxonomy(context.classes)
        let labels = context.items.map { item -> Int32 in
            guard !context.multiLabel, let label = item.resolution.labels?.first, let position = taxonomy.position(of: label) else { return -1 }
            return Int32(position)
        }
        var input = AnalysisInput(
            classes: context.classes, labels: labels, excluded: context.items.map { $0.resolution.isExcluded },
            models: try models(), neighbours: embeddingGraph,
            identical: try identicalGroups(), duplicatePairs: duplicates.pairs,
            splitOff: Set(context.items.indices.filter { context.items[$0].resolution.isSplitOff }.map { Int32($0) }))
        if withHelper { input.models += try helperModels(for: input) } // HelperEvidence.swift
        return input
    }

    /// Groups of byte-identical images ([analysis] exact_duplicates). Hashes are cached in
    /// the store with each file's size and time; only new or changed files are read.
    package func identicalGroups() throws -> [[Int32]] {
        guard config.exactDuplicates else { return [] }
        let cached = try project.store.contentHashes()
        var hashes = [UInt64?](repeating: nil, count: context.items.count)
        var stale: [Int] = []
        for (i, item) in context.items.enumerated() {
            // Items marked at import (missing, not a regular file, empty, not an image) are
            // not read: a FIFO or a link to /dev/zero must not hang or feed the analysis.
            guard item.problem == nil, let size = item.fileSize, let time = item.modificationTime else { continue }
            if let c = cached[item.id], c.size == size, c.modificationTime == time { hashes[i] = c.hash } else { stale.append(i) }
        }
        if !stale.isEmpty {
            progress.begin("hashing \(stale.count) images to find identical copies", total: stale.count)
            let computed = ContentHash.of(paths: stale.map { context.datasetRoot + "/images/" + context.items[$0].path }, progress: progress)
            progress.end()
            var fresh: [(itemID: Int64, size: Int64, modificationTime: Double, hash: UInt64)] = []
            for (position, i) in stale.enumerated() {
                guard let hash = computed[position], let size = context.items[i].fileSize, let time = context.items[i].modificationTime else {
                    continue
                }
                hashes[i] = hash
                fresh.append((context.items[i].id, size, time, hash))
            }
            try project.store.saveContentHashes(fresh)
        }
        var byContent: [String: [Int32]] = [:]
        for (i, hash) in hashes.enumerated() {
            guard let hash, let size = context.items[i].fileSize else { continue }
            byContent["\(size):\(hash)", default: []].append(Int32(i))
        }
        return byContent.values.filter { $0.count > 1 }.sorted { $0[0] < $1[0] }
    }

    package func settings() -> AnalysisSettings { Self.settings(config) }

    package static func settings(_ config: WinnowConfig) -> AnalysisSettings {
        var settings = AnalysisSettings()
        settings.duplicateRule = duplicateSettings(config).rule
        settings.filterBy = ConfidentLearning.FilterBy(rawValue: config.filterBy) ?? .pruneByNoiseRate
        return settings
    }

    package func queueSettings(seed: UInt64? = nil) -> QueueSettings { Self.queueSettings(config, seed: seed) }

    package static func queueSettings(_ config: WinnowConfig, seed: UInt64? = nil) -> QueueSettings {
        var q = QueueSettings()
        q.auditShare = config.auditShare
        q.lowConfidence = config.lowConfidence
        q.lowConsensus = config.lowConsensus
        q.outlierShare = config.outlierShare
        q.seed = seed ?? UInt64(config.seed)
        let names: [String: QueueName] = [
            "label_issues": .labelIssues, "bad_components": .badComponents, "disagreement": .disagreement, "outliers": .outliers,
            "problems": .problems,
            "quality": .quality
        ]
        q.quotas = Dictionary(uniqueKeysWithValues: config.triageQuotas.compactMap { key, value in names[key].map { ($0, value) } })
        return q
    }

    /// The queues over `analysis` with the review state: items settled for `reviewer` leave
    /// them (decided by enough reviewers, disputed, or reviewed by them already; without a
    /// reviewer, settled items), skipped items come back last. Reads the images first (see
    /// `imageChecks()`): images that do not decode join the problems queue, and the quality
    /// checks make the quality queue.
    package func queueBuilder(
        _ analysis: LabelAnalysis, input: AnalysisInput, stratifyBy column: String?, seed: UInt64? = nil,
        reviewer: String? = nil, checks: ImageChecks? = nil
    ) throws -> QueueBuilder {
        let items = context.items
        let checks = try checks ?? imageChecks()
        var builder = QueueBuilder(
            analysis: analysis, input: input, problems: checks.problems, strata: try strata(column: column),
            decided: items.map { Self.isSettled($0.consensus, for: reviewer) },
            skipped: items.map { $0.resolution.status == .skipped },
            settings: queueSettings(seed: seed))
        builder.disputed = items.indices.filter { items[$0].consensus.state == .disputed }
        builder.quality = checks.quality
        try addLabelSetAnalyses(to: &builder, analysis: analysis)
        return builder
    }

    // MARK: - Reading the images

    /// The measures one full read of each image gives (see `ImagePass`).
    package static let imageMeasurements: [any ImageMeasurement] = [DecodeCheck(), QualityMeasurement()]

    /// What reading every image found: each item's problem (the import's, else why its image
    /// does not decode) and the image-quality checks.
    package struct ImageChecks {
        package var problems: [String?]
        package var quality: ImageQualityReport
        package var pass: ImagePass.Results
    }

    /// Reads every image that is new or changed since the last analysis (the others come
    /// from the store) and runs the quality checks over the whole dataset.
    package func imageChecks() throws -> ImageChecks {
        let pass = try ImagePass.run(Self.imageMeasurements, context: context, store: project.store, progress: progress, describing: true)
        let failures = pass.values(.decode)
        let problems = context.items.indices.map { context.items[$0].problem ?? DecodeCheck.problem(from: failures[$0]) }
        let quality = ImageQualityReport(measures: pass.values(.quality).map(QualityMeasurement.measures(from:)), settings: qualitySettings())
        return ImageChecks(problems: problems, quality: quality, pass: pass)
    }

    package func qualitySettings() -> QualitySettings { Self.qualitySettings(config) }

    package static func qualitySettings(_ config: WinnowConfig) -> QualitySettings {
        var q = QualitySettings()
        let t = config.qualityThresholds
        q.dark = t["dark"] ?? q.dark
        q.light = t["light"] ?? q.light
        q.blurry = t["blurry"] ?? q.blurry
        q.lowInformation = t["low_information"] ?? q.lowInformation
        q.oddAspectRatio = t["odd_aspect_ratio"] ?? q.oddAspectRatio
        q.oddSizeIQRFactor = t["odd_size_iqr_factor"] ?? q.oddSizeIQRFactor
        q.grayscale = QualitySettings.GrayscaleRule(rawValue: config.qualityGrayscale) ?? .stored
        return q
    }

    package static func isSettled(_ consensus: ReviewConsensus, for reviewer: String?) -> Bool {
        guard let reviewer else { return consensus.state == .final || consensus.state == .disputed }
        return !consensus.isOpen(for: reviewer)
    }

    /// Metadata values of `column` per item, for stratification.
    package func strata(column: String?) throws -> [String]? {
        guard let column else { return nil }
        let columns = try project.store.metadataColumns()
        guard columns.contains(column) else {
            throw SessionError(
                .badRequest,
                "there is no metadata column \"\(TerminalText.sanitize(column))\" (items.csv has: \(columns.map { TerminalText.sanitize($0) }.joined(separator: ", ")))",
                fix: "name one of the items.csv columns")
        }
        return context.items.map { ItemMetadata.values($0.metadataJSON, columns: [column])[0] }
    }

    // MARK: - The graph cache (its format: WinnowNeighbours' NeighbourGraphFile)

    package static func saveGraph(_ graph: NeighbourGraph, to path: String) throws {
        let file = try OutputFile(path: path)
        try NeighbourGraphFile.write(graph) { bytes in try file.write(bytes: bytes) }
        try file.commit()
    }

    package static func loadGraph(_ path: String) throws -> NeighbourGraph {
        let file = try MappedFile(path: path, displayName: path)
        do {
            return try NeighbourGraphFile.read(file.bytes)
        } catch {
            throw SessionError(.projectState, error.description)
        }
    }
}
