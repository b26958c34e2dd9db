import WinnowAnalysis
import WinnowCore
import WinnowUI

extension StatsReport {
    /// The review screen's stats view: the same figures as `winnow stats`, as titled bar
    /// charts. Long lists are cut (the command prints them all).
    package func sections() -> [ReviewStats.Section] {
        typealias Bar = ReviewStats.Bar
        let total = Double(max(1, items))
        var sections: [ReviewStats.Section] = []

        // Progress per queue: decided while working through it, against what is still open.
        sections.append(
            .init(
                title: "Progress per queue (decided / decided + open)",
                bars: queues.map { q in
                    Bar(
                        label: q.queue, value: q.share ?? .nan,
                        text: q.open.map { "\(q.decided) decided · \($0) open" }
                            ?? (QueueName(rawValue: q.queue) == nil ? "\(q.decided) decided outside a queue" : "\(q.decided) decided"))
                }))
        sections.append(
            .init(
                title: "Items by status",
                bars: Self.statusOrder.map { status in
                    let n = figures.status[status.rawValue] ?? 0
                    return Bar(label: status == .unreviewed ? "pending" : status.rawValue, value: Double(n) / total, text: "\(n)")
                }))
        let actions = Self.actions(figures.decisionsByAction).sorted { $0.count != $1.count ? $0.count > $1.count : $0.action < $1.action }
        let mostActions = Double(actions.first?.count ?? 1)
        sections.append(
            .init(
                title: "Decisions by action",
                bars: actions.map {
                    Bar(label: $0.action, value: Double($0.count) / mostActions, text: "\($0.count)")
                }))
        let mostByReviewer = Double(reviewers.first?.total ?? 1)
        sections.append(
            .init(
                title: "Decisions by reviewer",
                bars: reviewers.prefix(12).map { r in
                    Bar(
                        label: r.name, value: Double(r.total) / mostByReviewer,
                        text: "\(r.total): " + Self.actions(r.actions).map { "\($0.action) \($0.count)" }.joined(separator: " · "))
                }))
        let flowMax = Double(figures.flows.first?.count ?? 1)
        sections.append(
            .init(
                title: "Relabel flows (given → now)",
                bars: figures.flows.prefix(10).map {
                    Bar(label: "\($0.from) → \($0.to)", value: Double($0.count) / flowMax, text: "\($0.count)")
                }))
        sections.append(
            .init(
                title: "Flag precision (share of decided items that were wrong)",
                bars: figures.flags.map {
                    Bar(
                        label: $0.flag, value: $0.precision,
                        text: "\(Self.percent($0.precision)) of \($0.decided) · \($0.relabelled) relabelled"
                            + ($0.excluded > 0 ? " · \($0.excluded) excluded" : ""))
                }))
        sections += agreementSections()
        return sections
    }

    package func agreementSections() -> [ReviewStats.Section] {
        typealias Bar = ReviewStats.Bar
        let a = agreement
        let title = "Agreement (\(a.overlappedItems) items rated by two or more reviewers)"
        guard a.overlappedItems > 0 else {
            return [.init(title: title, notes: ["none yet: agreement is measured on items two reviewers decided"], bars: [])]
        }
        func coefficient(_ x: Double?) -> Double { x.map { max(0, $0) } ?? .nan }
        var overall = [Bar(label: "observed", value: a.observedAgreement ?? .nan, text: "\(Self.decimal(a.observedAgreement)) agreeing pairs")]
        if a.overlappingRaters == 2 { overall.append(Bar(label: "Cohen's κ", value: coefficient(a.cohensKappa), text: Self.decimal(a.cohensKappa))) }
        if let f = a.fleiss {
            overall.append(
                Bar(label: "Fleiss' κ", value: coefficient(f.kappa), text: "\(Self.decimal(f.kappa)) · \(f.items) items × \(f.ratersPerItem)"))
        }
        overall.append(Bar(label: "Krippendorff's α", value: coefficient(a.krippendorffAlpha), text: Self.decimal(a.krippendorffAlpha)))

        let reviewers = a.raters.filter { $0.overlapped > 0 }.map { r in
            Bar(
                label: r.name, value: r.agreement ?? .nan,
                text: "\(Self.percent(r.agreement)) of \(r.compared) · κ \(Self.decimal(r.kappa))" + (r.ties > 0 ? " · \(r.ties) tied" : ""))
        }
        let classes = a.categories.sorted { $0.ratings != $1.ratings ? $0.ratings > $1.ratings : $0.name < $1.name }.prefix(10).map { c in
            Bar(
                label: Rating.displayName(c.name), value: c.specificAgreement ?? .nan,
                text: "\(Self.percent(c.specificAgreement)) · α \(Self.decimal(c.alpha)) · \(c.ratings) ratings")
        }
        return [
            .init(title: title, notes: ["\(a.overlappingRaters) reviewers · κ and α below 0 draw no bar"], bars: overall),
            .init(title: "Each reviewer against the majority of the others", bars: reviewers),
            .init(title: "Per class: specific agreement · α of the class against the rest", bars: Array(classes))
        ]
    }
}
