import Foundation
import GRDB
import WinnowCore

/// One item's current state, read on its own (without loading the whole project).
public struct ItemState: Sendable, Equatable {
    public var id: Int64
    /// Its row in items.csv and every matrix (the analysis' item index); nil when the
    /// image left the dataset.
    public var row: Int?
    public var path: String
    public var given: LabelSet?
    public var resolution: ItemResolution
    public var problem: String?
    /// Every decision on it, oldest first.
    public var events: [DecisionEvent]

    package init(id: Int64, row: Int?, path: String, given: LabelSet?, resolution: ItemResolution, problem: String?, events: [DecisionEvent]) {
        self.id = id
        self.row = row
        self.path = path
        self.given = given
        self.resolution = resolution
        self.problem = problem
        self.events = events
    }
}

extension ProjectStore {
    /// The newest decision in the log (nil before the first).
    public func lastEventID() throws(StoreError) -> Int64? {
        try read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM events") }
    }

    /// The items decided after `eventID` (all decided items when nil), with their current
    /// state, read in one snapshot with the newest event id it includes. The review screen
    /// uses it to bring a saved queue up to date without reading a million items.
    public func itemsChanged(after eventID: Int64?) throws(StoreError) -> (lastEventID: Int64?, items: [ItemState]) {
        try read { db in
            let ids = try Int64.fetchAll(db, sql: "SELECT DISTINCT item_id FROM events WHERE id > ?", arguments: [eventID ?? 0])
            return (try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM events"), try Self.itemStates(db, ids: ids))
        }
    }

    /// The items `reviewer` has ever decided on (by id).
    public func itemsReviewed(by reviewer: String) throws(StoreError) -> [Int64] {
        try read { db in try Int64.fetchAll(db, sql: "SELECT DISTINCT item_id FROM events WHERE reviewer = ?", arguments: [reviewer]) }
    }

    /// The current state of the given items (by id; unknown ids are left out).
    public func itemStates(ids: [Int64]) throws(StoreError) -> [ItemState] {
        try read { db in try Self.itemStates(db, ids: ids) }
    }

    static func itemStates(_ db: Database, ids: [Int64]) throws -> [ItemState] {
        var states: [ItemState] = []
        states.reserveCapacity(ids.count)
        let statement = try db.cachedStatement(sql: "SELECT id, row, path, given_labels, \(Self.itemProblemSQL) FROM items WHERE id = ?")
        for id in ids {
            guard let row = try Row.fetchOne(statement, arguments: [id]) else { continue }
            let given = (row[3] as String?).map(LabelSet.init(storageText:))
            let history = try events(db, itemID: id)
            states.append(
                ItemState(
                    id: row[0], row: row[1], path: row[2], given: given,
                    resolution: ItemHistory.resolve(given: given, events: history), problem: row[4], events: history))
        }
        return states
    }
}
