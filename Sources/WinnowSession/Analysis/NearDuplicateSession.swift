import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowNeighbours

/// The near-duplicate pairs of a project and how they were decided, cached in the state
/// folder under everything they depend on (the embeddings' graph, every image file's size
/// and time, the rule's settings), so reading a queue does not confirm them again.
package struct NearDuplicates: Codable, Sendable {
    /// Bump when the decision would change for the same inputs and settings.
    package static let version = 5
    package var pairs: [DuplicatePair]
    package var report: NearDuplicateFinder.Report
}

extension AnalysisSession {
    package var duplicateSettings: NearDuplicateFinder.Settings { Self.duplicateSettings(config) }

    package static func duplicateSettings(_ config: WinnowConfig) -> NearDuplicateFinder.Settings {
        NearDuplicateFinder.Settings(rule: NearDuplicateRule(fixedThreshold: config.duplicateThreshold.map(Float.init)))
    }

    package func nearDuplicatesCachePath() -> String {
        var hash = ImageFeatureIndex.Fingerprint()
        let embeddings = context.embeddings.map { (cachePath($0) as NSString).lastPathComponent } ?? "no embeddings"
        for byte in "v\(NearDuplicates.version) \(duplicateSettings) \(embeddings) \(imageFeatureCachePath())".utf8 { hash.add(UInt64(byte)) }
        return project.store.stateDirectory + "/neighbours/duplicates-\(String(hash.value, radix: 16)).json"
    }

    /// The near-duplicate pairs: from the cache, or decided now (`NearDuplicateFinder`):
    /// candidates from `embeddingGraph` (nil without embeddings) and from the image
    /// features' graph, confirmed by each picture's duplicate descriptor.
    package func nearDuplicates(embeddingGraph: NeighbourGraph?, rebuild: Bool = false) throws -> NearDuplicates {
        let path = nearDuplicatesCachePath()
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        if !rebuild, let data = FileManager.default.contents(atPath: path), let cached = try? decoder.decode(NearDuplicates.self, from: data),
            cached.pairs.allSatisfy({ Int($0.second) < context.items.count })
        {
            return cached
        }
        let vectors = try imageVectors()
        let pixels = try imageFeatureGraph(rebuild: rebuild, vectors: vectors)?.graph
        progress.begin("confirming near-duplicate candidates with their pixels", total: nil)
        let shifted = try spectrumGraph(vectors.descriptors)
        let dimension = ImageFeatureIndex.dimension
        let colours = vectors.present.indices.map { i in
            vectors.present[i] ? ImageFeatures.colourContent(of: vectors.values[(i * dimension)..<((i + 1) * dimension)]) : nil
        }
        let (pairs, report) = NearDuplicateFinder.find(
            count: context.items.count, embeddings: embeddingGraph, pixels: pixels, shifted: shifted,
            descriptors: vectors.descriptors, colours: colours, settings: duplicateSettings)
        progress.end()
        let found = NearDuplicates(pairs: pairs, report: report)
        try FileManager.default.createDirectory(atPath: project.store.stateDirectory + "/neighbours", withIntermediateDirectories: true)
        let file = try OutputFile(path: path)
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let data = try encoder.encode(found)
        try data.withUnsafeBytes { try file.write(bytes: $0) }
        try file.commit()
        return found
    }

    /// The nearest neighbours of each picture by its spectrum (`DuplicateDescriptor.Prepared.spectrum`,
    /// blind to shifts): what proposes the copies that a shift moves far away in the pixel
    /// features and in pixel-like embeddings. Pictures without detail take no part.
    package func spectrumGraph(_ descriptors: [DuplicateDescriptor?]) throws -> NeighbourGraph? {
        let dimension = DuplicateDescriptor.spectrumDimension
        let spectra = NearDuplicateFinder.parallelMap(descriptors.count, threads: NeighbourSearch.activeProcessors) { i -> [Float]? in
            guard let descriptor = descriptors[i] else { return nil }
            let prepared = DuplicateDescriptor.Prepared(descriptor)
            return prepared.isFlat ? nil : prepared.spectrum
        }
        let rows = spectra.indices.filter { spectra[$0] != nil }
        guard rows.count >= 2 else { return nil }
        var values = [Float]()
        values.reserveCapacity(rows.count * dimension)
        for i in rows { values += spectra[i]! }
        let found: (graph: NeighbourGraph, method: NeighbourSearch.Method)
        do {
            found = try NeighbourSearch.search(
                EmbeddingMatrix(rows: rows.count, dimension: dimension, values: values), k: config.neighbourCount,
                method: searchMethod, settings: hnswSettings)
        } catch {
            throw SessionError(.projectState, error.description)
        }
        // Back from rows of the search to item positions.
        return found.graph.spread(to: rows, count: descriptors.count)
    }

    /// What `winnow analyze` says about the rule it used and the numbers behind it.
    package static func describe(_ duplicates: NearDuplicates, groups: Int, members: Int, bad: Int) -> [String] {
        let r = duplicates.report, s = r.settings
        var lines = [
            String(
                format:
                    "  near-duplicates %d groups of %d images (%d with conflicting labels), no chaining: every member is a near-duplicate of its group's core",
                groups, members, bad)
        ]
        func scale(_ name: String, _ statistics: NearDuplicateRule.Statistics?) -> String? {
            guard let statistics else { return nil }
            return String(
                format: "%@: median neighbour distance %.4f (nearest %.4f), %d candidates", name,
                statistics.medianNeighbourDistance, statistics.medianNearestDistance, statistics.candidates)
        }
        if let fixed = s.rule.fixedThreshold {
            lines.append(
                String(format: "    rule: embeddings propose pairs with cosine ≥ %.3f (duplicate_threshold in winnow.toml); pixels confirm", fixed))
        } else {
            lines.append(
                String(
                    format: "    rule: a pair is a candidate when its distance is ≤ %.2f × the item's median neighbour distance; pixels confirm",
                    s.rule.candidateRatio))
        }
        let ordinary =
            s.gap == 1
            ? String(format: "better than either picture aligns with its rank-%d pixel neighbour", s.referenceRank)
            : String(format: "with a residual ≤ %.2f × that of either picture's rank-%d pixel neighbour", s.gap, s.referenceRank)
        lines.append(
            String(
                format:
                    "    pixels confirm: aligned (crop/shift ≤ 1/8) band-passed grey levels agree ≥ %.2f, %@, hue histograms agree ≥ %.3f where both have hues (≥ %.0f%% of pixels); pictures without detail never match",
                s.pixelFloor, ordinary, s.hueFloor, s.hueShare * 100))
        let scales = [scale("embeddings", r.embeddings), scale("image features", r.pixels), scale("spectra", r.shifted)].compactMap { $0 }
        if !scales.isEmpty { lines.append("    " + scales.joined(separator: "; ")) }
        var counts = String(
            format:
                "    %d candidates: %d confirmed by pixels, %d rejected (%d of them aligned but differ in hue), %d with a picture too flat to compare; %d more confirmed as copies of a common third (%d alignments, %d refined at full resolution)",
            r.candidates, r.confirmedByPixels, r.rejectedByPixels + r.rejectedByColour, r.rejectedByColour, r.flat, r.confirmedByClosing, r.aligned,
            r.refined)
        if r.decidedByEmbeddings > 0 || r.notDecided > 0 {
            counts += String(
                format: "; unreadable: %d decided by embeddings alone (≤ %.2f × the median neighbour distance), %d left out", r.decidedByEmbeddings,
                s.rule.decisionRatio, r.notDecided)
        }
        lines.append(counts)
        return lines
    }
}
