/// The kind of evidence behind a reason an item was flagged. The analysis tags each
/// reason with one; the review screen colours it by kind (themes name a colour per kind).
public enum FlagKind: String, Sendable, Hashable, CaseIterable, Codable {
    case labelIssue = "label_issue"
    case confidentLearning = "confident_learning"
    case lowConfidence = "low_confidence"
    case disagreement
    case badComponent = "bad_component"
    case duplicate
    case outlier
    case problem
    case audit
    /// A model's probabilities for the item.
    case model
    /// The labels of the item's nearest neighbours.
    case neighbours
    /// Reviewers disagree about the item.
    case dispute
    /// Several annotators' CROWDLAB consensus is doubtful.
    case lowConsensus = "low_consensus"

    /// The kind whose colour a theme uses when it names none for this one.
    public var colourFallback: FlagKind? {
        switch self {
        case .model: return .labelIssue
        case .neighbours: return .duplicate
        case .dispute, .lowConsensus: return .disagreement
        default: return nil
        }
    }
}
