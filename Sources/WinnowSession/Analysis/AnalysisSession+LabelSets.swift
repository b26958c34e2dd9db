import WinnowAnalysis
import WinnowCore
import WinnowStore

/// The analyses beyond one label per item: multi-label confident learning and CROWDLAB's
/// consensus of several annotators, handed to the queues.
extension AnalysisSession {
    /// Adds to `builder` what the data has: a multi-label analysis (multi-label data with a
    /// model) and CROWDLAB's consensus (single-label data, several annotators, a model,
    /// `[import] annotator_consensus = "crowdlab"`).
    package func addLabelSetAnalyses(to builder: inout QueueBuilder, analysis: LabelAnalysis) throws {
        guard let filterBy = MultiLabelConfidentLearning.FilterBy(rawValue: config.filterBy) else {
            throw SessionError(.badRequest, "unknown filter_by \"\(TerminalText.sanitize(config.filterBy))\"")
        }
        if context.multiLabel {
            builder.multiLabel = multiLabelAnalysis(ensemble: analysis.ensemble, filterBy: filterBy)
        } else {
            if WinnowConfig.multiLabelFilterByMethods.contains(config.filterBy) {
                throw SessionError(
                    .badRequest,
                    "filter_by \(config.filterBy) is implemented for multi-label data only; \(TerminalText.sanitize(context.datasetRoot)) has one label per image",
                    fix: "use one of \(WinnowConfig.filterByMethods.joined(separator: ", "))")
            }
            builder.crowd = try crowdConsensus(ensemble: analysis.ensemble)
        }
    }

    /// Multi-label confident learning on the current label sets and the models' mean
    /// probabilities (the analysis' ensemble).
    package func multiLabelAnalysis(ensemble: [Float], filterBy: MultiLabelConfidentLearning.FilterBy) -> MultiLabelAnalysis {
        let taxonomy = ClassTaxonomy(context.classes)
        let labels = context.items.map { item -> [Int32]? in
            item.resolution.labels.map { set in set.names.compactMap { taxonomy.position(of: $0).map(Int32.init) } }
        }
        return MultiLabelAnalysis(
            classes: context.classes, labels: labels, excluded: context.items.map(\.resolution.isExcluded),
            probabilities: ensemble, filterBy: filterBy)
    }

    /// CROWDLAB on the dataset's annotations (as at import), or nil when it does not apply.
    package func crowdConsensus(ensemble: [Float]) throws -> CrowdConsensus? {
        guard config.annotatorConsensus == AnnotatorConsensusMethod.crowdlab.rawValue, !ensemble.isEmpty,
            try project.store.annotatorCount() > 1
        else { return nil }
        let taxonomy = ClassTaxonomy(context.classes)
        var row: [Int64: Int] = [:]
        for (i, item) in context.items.enumerated() { row[item.id] = i }
        let annotations = try project.store.allAnnotations().compactMap { a -> (item: Int, annotator: String, label: Int32)? in
            guard let i = row[a.itemID], let name = a.labels.first, let c = taxonomy.position(of: name) else { return nil }
            return (i, a.annotator, Int32(c))
        }
        return CrowdConsensus(annotations: annotations, items: context.items.count, probabilities: ensemble, classes: context.classes)
    }

    /// Item i's current classes as indices (multi-label data).
    package func currentClasses(_ i: Int, taxonomy: ClassTaxonomy) -> [Int32] {
        (context.items[i].resolution.labels?.names ?? []).compactMap { taxonomy.position(of: $0).map(Int32.init) }
    }
}
