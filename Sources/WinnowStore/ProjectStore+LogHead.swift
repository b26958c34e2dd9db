import Foundation
import GRDB
import WinnowCore

/// The newest entry of the decision log and a hash that commits to the whole log up to it,
/// so an export's manifest can cite exactly which decisions its labels come from.
public struct DecisionLogHead: Sendable, Equatable, Codable {
    public var eventID: Int64
    public var hash: String
    public var events: Int
}

extension ProjectStore {
    /// The head of the decision log; nil while the log is empty.
    // Replaced by the audit branch's hash chain.
    public func decisionLogHead() throws -> DecisionLogHead? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT MAX(id), COUNT(*) FROM events"), let last = row[0] as Int64? else { return nil }
            return DecisionLogHead(eventID: last, hash: "", events: row[1])
        }
    }
}
