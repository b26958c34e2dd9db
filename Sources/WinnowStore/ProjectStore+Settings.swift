import Foundation
import GRDB
import WinnowCore

/// A key of the `project` table (settings recorded at import), so a misspelt key is a
/// compile error rather than a setting silently read as missing.
public enum ProjectSetting: String, Sendable, CaseIterable {
    /// The dataset folder the project was imported from.
    case datasetRoot = "dataset_root"
    /// The dataset's layout (`DatasetLayout` raw value).
    case layout
    /// `"true"` when items may carry several labels.
    case multiLabel = "multi_label"
    /// The metadata column names from items.csv, as a JSON array.
    case metadataColumns = "metadata_columns"
    /// `"true"` when the classes come from classes.txt (not only from labels seen).
    case classesFromFile = "classes_from_file"
}

extension ProjectStore {
    /// A setting's stored text (nil before the first import).
    public func setting(_ key: ProjectSetting) throws(StoreError) -> String? {
        try read { db in try Self.setting(key, db) }
    }

    /// True when the project's items may carry several labels: every command, the review
    /// screen and the store's own checks ask here, so they cannot disagree on how the
    /// setting is spelt.
    public func isMultiLabel() throws(StoreError) -> Bool {
        try read { db in try Self.isMultiLabel(db) }
    }

    static func setting(_ key: ProjectSetting, _ db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM project WHERE key = ?", arguments: [key.rawValue])
    }

    static func set(_ key: ProjectSetting, _ value: String, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO project(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            arguments: [key.rawValue, value])
    }

    /// A yes/no setting: stored as `"true"` or `"false"`; anything else (or nothing) is no.
    static func flag(_ key: ProjectSetting, _ db: Database) throws -> Bool {
        try setting(key, db) == "true"
    }

    static func setFlag(_ key: ProjectSetting, _ value: Bool, _ db: Database) throws {
        try set(key, value ? "true" : "false", db)
    }

    static func isMultiLabel(_ db: Database) throws -> Bool { try flag(.multiLabel, db) }

    /// The names of the classes in force, in column order (classes from earlier imports
    /// keep their row with no position).
    static func classNames(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT name FROM classes WHERE position IS NOT NULL ORDER BY position")
    }
}
