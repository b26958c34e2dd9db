/// What a reviewer may do, from `winnow.toml [team]`.
///
/// Without a `[team.reviewers]` list everybody may do everything (one person, or a team that
/// trusts itself). With one, only listed reviewers may change anything, each by role. This
/// is a guard against mistakes, not a security boundary: anyone who can write the project's
/// files can change them. The operating system's file permissions on the project are the
/// boundary (see the README's "Team work").
public struct TeamPolicy: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable, Comparable {
        /// Accept, relabel, skip, split off.
        case annotator
        /// Also exclude images.
        case moderator
        /// Also settle disputes, override others' decisions, break leases, export.
        case lead

        public static func < (a: Role, b: Role) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
    }

    /// Things a role is needed for.
    public enum Act: Sendable, Equatable {
        case decide(DecisionAction)
        /// Undo or replace a decision another reviewer made, or review a settled item.
        case overrideOthers
        case settleDisputes
        case breakLeases
        case export

        var needs: Role {
            switch self {
            case .decide(.exclude): return .moderator
            case .decide: return .annotator
            case .overrideOthers, .settleDisputes, .breakLeases, .export: return .lead
            }
        }

        var words: String {
            switch self {
            case .decide(let action): return action == .exclude ? "exclude images" : "\(action.rawValue) decisions"
            case .overrideOthers: return "change another reviewer's decision"
            case .settleDisputes: return "settle disputed items"
            case .breakLeases: return "break other reviewers' leases"
            case .export: return "export label sets"
            }
        }
    }

    /// Reviewers by name; empty: everybody is a lead.
    public var reviewers: [String: Role]
    /// Each item goes to this many different reviewers before it is final.
    public var reviewsPerItem: Int
    /// How long a lease lasts without being renewed (a crashed session's items come back after it).
    public var leaseSeconds: Double
    /// Reviewers are who they log in as: --reviewer and WINNOW_REVIEWER are refused.
    public var enforceLogin: Bool
    /// `[team] blind`: reviewers see the given label, never another reviewer's decision
    /// (nil: not set, which means blind when items go to several reviewers).
    public var blind: Bool?

    /// Whether review is blind: as set, else whenever items go to several reviewers (an
    /// agreement figure means little when the second reviewer saw the first one's answer).
    public var isBlind: Bool { blind ?? (reviewsPerItem > 1) }

    public init(reviewers: [String: Role] = [:], reviewsPerItem: Int = 1, leaseSeconds: Double = 300, enforceLogin: Bool = false) {
        self.reviewers = reviewers
        self.reviewsPerItem = reviewsPerItem
        self.leaseSeconds = leaseSeconds
        self.enforceLogin = enforceLogin
    }

    /// `reviewer`'s role; nil when a list exists and does not name them.
    public func role(of reviewer: String) -> Role? { reviewers.isEmpty ? .lead : reviewers[reviewer] }

    /// The reviewers whose review settles a disputed item or changes a final one: the leads;
    /// nil (everybody) without a reviewer list.
    public var settlers: Set<String>? {
        reviewers.isEmpty ? nil : Set(reviewers.filter { $0.value == .lead }.keys)
    }

    /// The consensus of an item's events under this policy.
    public func consensus(_ events: [DecisionEvent]) -> ReviewConsensus {
        ReviewConsensus(events: events, reviewsPerItem: reviewsPerItem, settlers: settlers)
    }

    public func may(_ reviewer: String, _ act: Act) -> Bool { role(of: reviewer).map { $0 >= act.needs } ?? false }

    /// Throws a refusal that says who may do it.
    public func authorize(_ reviewer: String, _ act: Act) throws(TeamRefusal) {
        guard let role = role(of: reviewer) else {
            throw TeamRefusal(
                message: "\(TerminalText.sanitize(reviewer)) is not listed in [team.reviewers] of winnow.toml, so may not change this project",
                hint: "ask a lead to add you, e.g. \(TerminalText.sanitize(reviewer)) = \"annotator\"")
        }
        guard role >= act.needs else {
            let who = reviewers.filter { $0.value >= act.needs }.keys.sorted().map(TerminalText.sanitize)
            let roles = Role.allCases.filter { $0 >= act.needs }.map { $0.rawValue + "s" }.joined(separator: " and ")
            throw TeamRefusal(
                message: "only \(roles) may \(act.words); \(TerminalText.sanitize(reviewer)) is \(role == .annotator ? "an" : "a") \(role.rawValue)",
                hint: who.isEmpty ? "name a lead in [team.reviewers] of winnow.toml" : "ask \(who.prefix(3).joined(separator: ", "))")
        }
    }
}

/// A refused action, with who may do it.
public struct TeamRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var hint: String
    public var description: String { "\(message)\n    fix: \(hint)" }
}
