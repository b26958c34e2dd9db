import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowStore

/// The near-duplicate groups an export's policies need, built as the analysis builds them
/// (`AnalysisSession`: the near-duplicate pairs, byte-identical files),
/// but with the reviewers' split-offs and the current labels read from the export's own
/// snapshot, so the groups and the rows written agree. Built only when a policy needs them.
package struct ExportGroups {
    package let session: AnalysisSession
    package let input: AnalysisInput

    /// Loads or computes what does not depend on decisions (the graph, identical files,
    /// the models); outside the export's snapshot, since it may take a while.
    package init(_ project: Project) throws {
        session = try AnalysisSession(project)
        input = try session.input(graph: try session.neighbourGraph()?.graph, withHelper: false) // groups need no label evidence
    }

    /// The policies' verdicts for `snapshot`, in two passes over its items: the split-offs
    /// (which shape the groups), then the state of every group member.
    package func selection(in snapshot: any ExportSnapshot, policies: ExportPolicies, finalOnly: Bool) throws -> ExportSelection {
        let items = session.context.items
        var splitOff = Set<Int32>()
        try snapshot.forEachItem(metadata: false) { record in
            // The graph's rows are the analysis context's items: they must be the snapshot's.
            guard record.index < items.count, items[record.index].path == record.path else { throw Self.reimported() }
            if record.resolution.isSplitOff { splitOff.insert(Int32(record.index)) }
        }
        guard snapshot.head.items == items.count else { throw Self.reimported() }
        let team = session.config.team
        let components = Components(count: items.count, pairs: input.duplicatePairs, identical: input.identical, splitOff: splitOff)

        let multiLabel = snapshot.head.multiLabel
        let classes = ClassTaxonomy(input.classes)
        var members: [Int32: ExportSelection.Member] = [:]
        try snapshot.forEachItem(metadata: false) { record in
            guard components.componentOf[record.index] >= 0 else { return }
            let resolution = record.resolution
            let labelled = resolution.labels.map { multiLabel || !$0.isEmpty } ?? false
            let isFinal = ReviewFinality.isFinal(record.events, policy: team)
            members[Int32(record.index)] = ExportSelection.Member(
                labels: labelled ? resolution.labels : nil, excluded: resolution.isExcluded, isFinal: isFinal,
                writable: !resolution.isExcluded && labelled && (isFinal || !finalOnly),
                selfConfidence: multiLabel
                    ? .nan : selfConfidence(item: record.index, label: resolution.labels?.first.flatMap(classes.position(of:))),
                path: record.path)
        }
        return ExportSelection(components: components, members: members, policies: policies)
    }

    /// The models' mean probability of `label` for an item (NaN without models or label).
    package func selfConfidence(item: Int, label: Int?) -> Float {
        guard let label, !input.models.isEmpty else { return .nan }
        let k = input.classes.count
        return input.models.reduce(Float(0)) { $0 + $1.values[item * k + label] } / Float(input.models.count)
    }

    package static func reimported() -> SessionError {
        SessionError(.projectState, "the dataset was re-imported while the export was starting", fix: "run the export again")
    }
}
