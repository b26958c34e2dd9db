/// How an export cleans the label set: `winnow export --policy P[,P…]` (repeatable) or
/// `[export] policies = [...]` in winnow.toml. Policies compose; each is applied in a fixed
/// order whatever order they are given in (see `ExportSelection` for the order).
public struct ExportPolicies: Sendable, Equatable {
    /// What happens to the members of a near-duplicate group whose labels disagree while a
    /// member's review is not final (an unresolved bad group).
    public enum GroupAction: String, Sendable, CaseIterable {
        /// Written like any other item.
        case keep
        /// Left out.
        case drop
        /// Written to a separate held-back output, to be reviewed later.
        case hold
    }

    /// Excluded items are written with status `excluded` (`keep-excluded`) instead of being
    /// left out (`drop-excluded`, the default).
    public var keepExcluded = false
    /// `bad-components=drop|hold|keep` (default keep).
    public var badComponents: GroupAction = .keep
    /// `one-per-group`: one representative per near-duplicate group.
    public var onePerGroup = false
    /// `label-intersection` (multi-label data): a group member keeps only the labels every
    /// member of its group has.
    public var labelIntersection = false
    /// `drop-rare-labels=F` (multi-label data): a group member loses the labels that fewer
    /// than the fraction F of its group's members have.
    public var dropRareLabels: Double?

    public init() {}

    /// Every policy, as written, for help texts and error messages.
    public static let synopsis =
        "drop-excluded (default), keep-excluded, bad-components=drop|hold|keep, one-per-group, label-intersection, drop-rare-labels=FRACTION"

    /// Near-duplicate groups are needed (and built) only for these.
    public var needsComponents: Bool { badComponents != .keep || onePerGroup || changesLabels }
    /// The label policies, which are defined for multi-label data only.
    public var changesLabels: Bool { labelIntersection || dropRareLabels != nil }

    /// The policies in force, in canonical form and application order (for the manifest).
    public var canonical: [String] {
        var list = [keepExcluded ? "keep-excluded" : "drop-excluded"]
        if badComponents != .keep { list.append("bad-components=" + badComponents.rawValue) }
        if onePerGroup { list.append("one-per-group") }
        if labelIntersection { list.append("label-intersection") }
        if let dropRareLabels { list.append("drop-rare-labels=\(dropRareLabels)") }
        return list
    }

    /// Parses policy specifications; each may list several, separated by commas. Empty
    /// entries are ignored; contradictions (`drop-excluded,keep-excluded`,
    /// `bad-components=drop,bad-components=hold`) are errors, repeats are not.
    public static func parse(_ specifications: [String]) throws(ExportPolicyError) -> ExportPolicies {
        var policies = ExportPolicies()
        var excludedChoice: String?
        var given: [String: String] = [:] // a policy with a value → the value it was given
        func once(_ name: String, _ value: String) throws(ExportPolicyError) {
            if let earlier = given[name], earlier != value {
                throw ExportPolicyError(message: "\(name) is given twice (\(earlier) and \(value))", hint: "give it once")
            }
            given[name] = value
        }
        for specification in specifications {
            for raw in specification.split(separator: ",") {
                let entry = String(raw).trimmingASCIIWhitespace()
                if entry.isEmpty { continue }
                let parts = entry.split(separator: "=", maxSplits: 1).map { String($0).trimmingASCIIWhitespace() }
                let name = parts[0], value = parts.count == 2 ? parts[1] : nil
                switch (name, value) {
                case ("drop-excluded", nil), ("keep-excluded", nil):
                    if let excludedChoice, excludedChoice != name {
                        throw ExportPolicyError(
                            message: "the export policies drop-excluded and keep-excluded contradict each other",
                            hint: "give one of them (drop-excluded is the default)")
                    }
                    excludedChoice = name
                    policies.keepExcluded = name == "keep-excluded"
                case ("bad-components", let value?):
                    guard let action = GroupAction(rawValue: value) else {
                        throw ExportPolicyError(
                            message: "bad-components=\(TerminalText.sanitize(value)): unknown action",
                            hint: "write bad-components=drop, bad-components=hold or bad-components=keep")
                    }
                    try once(name, value)
                    policies.badComponents = action
                case ("one-per-group", nil):
                    policies.onePerGroup = true
                case ("label-intersection", nil):
                    policies.labelIntersection = true
                case ("drop-rare-labels", let value?):
                    guard let fraction = Double(value), fraction > 0, fraction <= 1 else {
                        throw ExportPolicyError(
                            message: "drop-rare-labels=\(TerminalText.sanitize(value)): the fraction must be a number above 0 and at most 1",
                            hint: "for example drop-rare-labels=0.5 drops the labels fewer than half of a group's members have")
                    }
                    try once(name, "\(fraction)")
                    policies.dropRareLabels = fraction
                case ("bad-components", nil), ("drop-rare-labels", nil):
                    throw ExportPolicyError(
                        message: "the export policy \(name) needs a value",
                        hint: name == "bad-components"
                            ? "write bad-components=drop, hold or keep" : "write drop-rare-labels=FRACTION, e.g. drop-rare-labels=0.5")
                default:
                    if value != nil, ["drop-excluded", "keep-excluded", "one-per-group", "label-intersection"].contains(name) {
                        throw ExportPolicyError(message: "the export policy \(name) takes no value", hint: "write just \(name)")
                    }
                    throw ExportPolicyError(message: "unknown export policy \"\(TerminalText.sanitize(entry))\"", hint: "use one of: " + synopsis)
                }
            }
        }
        return policies
    }
}

/// A policy list that cannot be used, with what to write instead.
public struct ExportPolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var hint: String

    public init(message: String, hint: String) {
        self.message = message
        self.hint = hint
    }

    public var description: String { message + "\n    fix: " + hint }
}
