import WinnowAnalysis
import WinnowCore

extension StatsReport {
    /// The machine form. Keys are stable and always present (an undefined coefficient is
    /// null, a count 0); lists are in the order the table shows them. The keys are listed
    /// in `winnow stats --help`; change both together.
    package func json() -> JSONValue {
        func actions(_ counts: [String: Int]) -> JSONValue {
            .object(DecisionAction.allCases.map { ($0.rawValue, .int(counts[$0.rawValue] ?? 0)) })
        }
        let a = agreement
        let fleiss: JSONValue =
            a.fleiss.map { f in
                .object([("kappa", .number(f.kappa)), ("raters_per_item", .int(f.ratersPerItem)), ("items", .int(f.items))])
            } ?? .null
        let agreementJSON: JSONValue = .object([
            ("rated_items", .int(a.ratedItems)),
            ("overlapped_items", .int(a.overlappedItems)),
            ("reviewers", .int(a.overlappingRaters)),
            ("observed_agreement", .number(a.observedAgreement)),
            ("cohens_kappa", .number(a.cohensKappa)),
            ("fleiss", fleiss),
            ("krippendorff_alpha", .number(a.krippendorffAlpha)),
            (
                "per_reviewer",
                .array(
                    a.raters.map { r in
                        .object([
                            ("reviewer", .string(r.name)), ("ratings", .int(r.ratings)), ("overlapped", .int(r.overlapped)),
                            ("compared", .int(r.compared)), ("agreed", .int(r.agreed)), ("ties", .int(r.ties)),
                            ("agreement", .number(r.agreement)), ("kappa", .number(r.kappa))
                        ])
                    })
            ),
            (
                "per_class",
                .array(
                    a.categories.map { c in
                        .object([
                            ("class", .string(Rating.displayName(c.name))), ("ratings", .int(c.ratings)),
                            ("specific_agreement", .number(c.specificAgreement)), ("alpha", .number(c.alpha)),
                            ("fleiss_kappa", .number(c.fleissKappa))
                        ])
                    })
            ),
            (
                "pairs",
                .array(
                    a.pairs.map { p in
                        .object([
                            ("a", .string(p.raterA)), ("b", .string(p.raterB)), ("items", .int(p.items)), ("agreed", .int(p.agreed)),
                            ("observed_agreement", .number(p.observed)), ("kappa", .number(p.kappa))
                        ])
                    })
            )
        ])
        return .object([
            ("project", .string(project)),
            ("items", .int(items)),
            ("status", .object(Self.statusOrder.map { ($0.rawValue, .int(figures.status[$0.rawValue] ?? 0)) })),
            (
                "queues",
                .array(
                    queues.map { q in
                        .object([
                            ("queue", .string(q.queue)), ("decided", .int(q.decided)), ("open", q.open.map { .int($0) } ?? .null),
                            ("progress", .number(q.share))
                        ])
                    })
            ),
            (
                "decisions",
                .object([
                    ("total", .int(decisions)),
                    ("by_action", actions(figures.decisionsByAction)),
                    (
                        "by_reviewer",
                        .array(
                            reviewers.map { r in
                                .object([("reviewer", .string(r.name)), ("total", .int(r.total)), ("by_action", actions(r.actions))])
                            })
                    )
                ])
            ),
            (
                "relabel_flows",
                .array(
                    figures.flows.map { f in
                        .object([("from", .string(f.from)), ("to", .string(f.to)), ("count", .int(f.count))])
                    })
            ),
            (
                "flags",
                .array(
                    figures.flags.map { f in
                        .object([
                            ("flag", .string(f.flag)), ("decided", .int(f.decided)), ("accepted", .int(f.accepted)),
                            ("relabelled", .int(f.relabelled)), ("excluded", .int(f.excluded)),
                            ("relabelled_share", .number(f.relabelledShare)), ("precision", .number(f.precision))
                        ])
                    })
            ),
            ("agreement", agreementJSON),
            ("annotators", annotatorsJSON)
        ])
    }
}
