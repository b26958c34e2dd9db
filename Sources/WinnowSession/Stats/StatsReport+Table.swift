import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowUI

extension StatsReport {
    package static let labelWidth = 18
    package static let barWidth = 16

    /// The human-readable report, for 80 columns: a label, a bar, the figures (the JSON
    /// form has every count). Every name from the data (reviewers, classes) is sanitised.
    package func table() -> String {
        var out = ""
        let s = TerminalText.sanitize
        func line(_ text: String = "") { out += text + "\n" }
        func row(_ label: String, _ fraction: Double?, _ text: String) {
            line(
                "  " + DisplayWidth.fit(s(label), to: Self.labelWidth) + " "
                    + DisplayWidth.fit(BarChart.bar(fraction ?? .nan, width: Self.barWidth), to: Self.barWidth) + " " + text)
        }
        func heading(_ title: String) { line(); line(title) }

        line("\(s(project)) · \(items) items · \(decisions) decisions")
        line(
            "  "
                + Self.statusOrder.map { "\($0 == .unreviewed ? "pending" : $0.rawValue) \(figures.status[$0.rawValue] ?? 0)" }.joined(
                    separator: " · "))

        heading("Progress per queue (decided / decided + open)")
        if queues.isEmpty { line("  nothing decided yet") }
        for q in queues {
            let text =
                q.open.map { "\(Self.percent(q.share, padded: true)) · \(q.decided) decided · \($0) open" }
                ?? (QueueName(rawValue: q.queue) == nil ? "\(q.decided) decided outside a queue" : "\(q.decided) decided")
            row(q.queue, q.share, text)
        }

        heading("Decisions by reviewer")
        let actions = Self.actions(figures.decisionsByAction)
        line("  " + (actions.isEmpty ? "none yet" : actions.map { "\($0.action) \($0.count)" }.joined(separator: " · ")))
        let most = Double(reviewers.first?.total ?? 1)
        for r in reviewers {
            row(r.name, Double(r.total) / most, "\(r.total): " + Self.actions(r.actions).map { "\($0.action) \($0.count)" }.joined(separator: " · "))
        }

        heading("Relabel flows (given → now)")
        if figures.flows.isEmpty { line("  none yet") }
        let flowMax = Double(figures.flows.first?.count ?? 1)
        for flow in figures.flows.prefix(15) {
            // Class names are often longer than the label column: the flow goes last.
            let count = String(flow.count)
            line(
                "  " + DisplayWidth.fit(BarChart.bar(Double(flow.count) / flowMax, width: Self.barWidth), to: Self.barWidth) + " "
                    + String(repeating: " ", count: max(0, 7 - count.count)) + count + "  "
                    + DisplayWidth.truncate(s(flow.from) + " → " + s(flow.to), to: 80 - 28))
        }
        if figures.flows.count > 15 { line("  … \(figures.flows.count - 15) more (--format json lists them all)") }

        heading("Flag precision (share of decided items relabelled or excluded)")
        if figures.flags.isEmpty { line("  none yet") }
        for f in figures.flags {
            row(
                f.flag, f.precision,
                "\(Self.percent(f.precision, padded: true)) of \(f.decided)" + (f.excluded > 0 ? " · \(f.excluded) excluded" : ""))
        }

        heading("Agreement (items rated by two or more reviewers)")
        line(agreementTable())
        if let annotators = annotatorTable() { line(annotators) }
        return out
    }

    /// The agreement part of the table (no trailing newline).
    package func agreementTable() -> String {
        let a = agreement
        let s = TerminalText.sanitize
        var lines: [String] = []
        func row(_ label: String, _ fraction: Double?, _ text: String) {
            lines.append(
                "  " + DisplayWidth.fit(s(label), to: Self.labelWidth) + " "
                    + DisplayWidth.fit(BarChart.bar(fraction ?? .nan, width: Self.barWidth), to: Self.barWidth) + " " + text)
        }
        // Reviewers who rated shared items; a lone reviewer is one reviewer, not none.
        let reviewers = a.overlappingRaters > 0 ? a.overlappingRaters : a.raters.count
        lines.append("  \(a.overlappedItems) of \(a.ratedItems) rated items, \(reviewers) reviewer\(reviewers == 1 ? "" : "s")")
        guard a.overlappedItems > 0 else {
            lines.append("  no item has been decided by two reviewers yet: agreement needs overlap")
            return lines.joined(separator: "\n")
        }
        row("observed", a.observedAgreement, Self.decimal(a.observedAgreement, padded: true) + "  share of agreeing pairs of ratings")
        if a.overlappingRaters == 2 { row("Cohen's κ", a.cohensKappa, Self.decimal(a.cohensKappa, padded: true)) }
        if let fleiss = a.fleiss {
            row("Fleiss' κ", fleiss.kappa, Self.decimal(fleiss.kappa, padded: true) + "  \(fleiss.items) items × \(fleiss.ratersPerItem) ratings")
        }
        row("Krippendorff's α", a.krippendorffAlpha, Self.decimal(a.krippendorffAlpha, padded: true))

        lines.append("")
        lines.append("  Each reviewer against the majority of the others")
        for r in a.raters where r.overlapped > 0 {
            var text = "\(Self.percent(r.agreement, padded: true)) of \(r.compared) · κ \(Self.decimal(r.kappa))"
            if r.ties > 0 { text += " · \(r.ties) tied" }
            row(r.name, r.agreement, text)
        }

        lines.append("")
        lines.append("  Per class: specific agreement, α of the class against the rest")
        let classes = a.categories.sorted { $0.ratings != $1.ratings ? $0.ratings > $1.ratings : $0.name < $1.name }
        for c in classes.prefix(20) {
            row(
                Rating.displayName(c.name), c.specificAgreement,
                "\(Self.percent(c.specificAgreement, padded: true)) · α \(Self.decimal(c.alpha)) · \(c.ratings) rating\(c.ratings == 1 ? "" : "s")")
        }
        if classes.count > 20 { lines.append("  … \(classes.count - 20) more (--format json lists them all)") }

        if a.overlappingRaters > 2 {
            lines.append("")
            lines.append("  Cohen's κ of each pair of reviewers")
            for p in a.pairs.prefix(30) {
                row(
                    "\(p.raterA) · \(p.raterB)", p.kappa,
                    "\(Self.decimal(p.kappa, padded: true)) over \(p.items) items · \(Self.percent(p.observed)) agree")
            }
            if a.pairs.count > 30 { lines.append("  … \(a.pairs.count - 30) more pairs (--format json lists them all)") }
        }
        return lines.joined(separator: "\n")
    }

    /// "0.71" (" 0.71" padded, so "-0.14" lines up), or "–" for an undefined coefficient.
    package static func decimal(_ x: Double?, padded: Bool = false) -> String {
        guard let x, x.isFinite else { return padded ? "    –" : "–" }
        // No "-0.00" for a coefficient a hair below zero.
        return String(format: padded ? "%5.2f" : "%.2f", abs(x) < 0.005 ? 0 : x)
    }

    /// "42%" (" 42%" padded to line up in a column), or "–".
    package static func percent(_ x: Double?, padded: Bool = false) -> String {
        guard let x, x.isFinite else { return padded ? "   –" : "–" }
        return String(format: padded ? "%3.0f%%" : "%.0f%%", x * 100)
    }
}
