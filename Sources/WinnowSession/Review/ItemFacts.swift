import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowStore
import WinnowUI

/// What the review screen shows about an item: its state, labels, reasons, models, group
/// and metadata, read from the live review state (and blind-masked for this reviewer).
struct ItemFacts {
    let policy: TeamPolicy
    let metadataColumns: [String]

    /// Whether this reviewer reviews blind: never in the disputed queue, where a lead settles
    /// what the others decided and must see it.
    func isBlind(for queue: QueueName) -> Bool { policy.isBlind && queue != .disputed }

    /// `asShown`: as this reviewer may see them (blind review hides others' decisions);
    /// false for what is saved for every reviewer's next start (the saved queue).
    func details(of i: Int, in model: ReviewModel, annotations: [Int64: [(annotator: String, labels: LabelSet)]], asShown: Bool) -> ItemDetails {
        let item = model.context.items[i]
        let input = model.input
        let builder = model.builder
        let k = input.classes.count
        let queue = model.surfacedBy[i] ?? QueueName.labelIssues
        let reasons = builder.explainedReasons(for: i, in: queue).map { ReasonLine(kind: $0.kind, text: $0.text) }
        let models = input.models.map { m -> ModelTop in
            let row = m.values[(i * k)..<((i + 1) * k)]
            let top = row.indices.sorted { row[$0] != row[$1] ? row[$0] > row[$1] : $0 < $1 }.prefix(3)
            return ModelTop(model: m.name, top: top.map { ModelTop.Entry(label: input.classes[$0 - i * k], probability: Double(row[$0])) })
        }
        let annotators =
            (annotations[item.id] ?? []).count > 1
            ? (annotations[item.id] ?? []).map { ItemDetails.Field(name: $0.annotator, value: $0.labels.names.joined(separator: ", ")) } : []
        let suggested = model.analysis.suggested[i]
        var details = ItemDetails(
            item: i, path: item.path, status: Self.statusText(item.resolution), currentLabels: item.resolution.labels?.names ?? [],
            givenLabels: item.given?.names ?? [], annotators: annotators,
            suggested: builder.multiLabel.map { $0.suggested(i, currentNames: item.resolution.labels?.names ?? [])?.joined(separator: ", ") }
                ?? (suggested >= 0 && Int(suggested) < input.classes.count ? input.classes[Int(suggested)] : nil),
            reasons: reasons, models: models, component: Self.component(of: i, in: model), metadata: metadata(item.metadataJSON),
            problem: item.problem)
        details.reviews = Self.reviewFields(item.consensus)
        details.labelIssueScore = QueueMeasure.labelIssueScore(item: i, analysis: model.analysis)
        details.flagMeasure = model.surfacedBy[i].flatMap { QueueMeasure.describe($0, item: i, builder: builder) }
        if asShown, isBlind(for: queue) {
            details = BlindView.mask(details, consensus: item.consensus, reviewer: model.reviewer, component: Self.blindComponent(of: i, in: model))
        }
        return details
    }

    /// The labels this reviewer is shown for item `i` under blind review.
    static func shownLabels(of i: Int, in model: ReviewModel) -> BlindView.Shown {
        let item = model.context.items[i]
        return BlindView.shown(consensus: item.consensus, given: item.given?.names ?? [], reviewer: model.reviewer)
    }

    /// The item's near-duplicate group, counted with the current labels.
    static func component(of i: Int, in model: ReviewModel) -> ComponentInfo? {
        let input = model.input
        guard let components = model.analysis.components, components.componentOf[i] >= 0 else { return nil }
        let c = Int(components.componentOf[i])
        let members = components.members[c]
        let summary = ComponentSummary(
            index: c, members: members,
            labels: members.reduce(into: input.labels) { labels, m in
                if input.excluded[Int(m)] { labels[Int(m)] = -1 }
            })
        let counts = summary.labelCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { ComponentInfo.LabelCount(label: input.classes[$0.key], count: $0.value) }
        return ComponentInfo(
            id: c, members: members.map(Int.init), labelCounts: counts, purity: summary.purity,
            isBad: summary.isBad, majority: summary.majority.map { input.classes[$0] })
    }

    /// The item's group counted with the labels this reviewer is shown (blind review).
    static func blindComponent(of i: Int, in model: ReviewModel) -> ComponentInfo? {
        guard let info = component(of: i, in: model) else { return nil }
        // Counted over the members alone (positions 0…n−1), not a dataset-sized label array.
        var labels = [Int32](repeating: -1, count: info.members.count)
        for (position, m) in info.members.enumerated() {
            let shown = shownLabels(of: m, in: model)
            if !shown.excluded, let first = shown.labels.first, let c = model.taxonomy.position(of: first) { labels[position] = Int32(c) }
        }
        let classes = model.input.classes
        let summary = ComponentSummary(index: info.id, members: info.members.indices.map(Int32.init), labels: labels)
        let counts = summary.labelCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { ComponentInfo.LabelCount(label: classes[$0.key], count: $0.value) }
        return ComponentInfo(
            id: info.id, members: info.members, labelCounts: counts, purity: summary.purity,
            isBad: summary.isBad, majority: summary.majority.map { classes[$0] })
    }

    private func metadata(_ json: String) -> [ItemDetails.Field] {
        guard json != "{}", !metadataColumns.isEmpty else { return [] }
        let values = ItemMetadata.values(json, columns: metadataColumns)
        return zip(metadataColumns, values).filter { !$0.1.isEmpty }.map { ItemDetails.Field(name: $0.0, value: $0.1) }
    }

    /// Each reviewer's decision, once more than one person reviewed the item.
    static func reviewFields(_ consensus: ReviewConsensus) -> [ItemDetails.Field] {
        guard consensus.reviews.count > 1 else { return [] }
        return consensus.reviews.map { ItemDetails.Field(name: $0.reviewer, value: $0.outcome) }
    }

    static func statusText(_ resolution: ItemResolution) -> String {
        switch resolution.status {
        case .unreviewed: return "pending"
        default: return resolution.status.rawValue
        }
    }
}
