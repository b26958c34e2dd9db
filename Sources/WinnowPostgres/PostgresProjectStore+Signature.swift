import Foundation
import PostgresNIO
import WinnowCore
import WinnowStore

extension PostgresProjectStore {
    /// A digest of what the analysis reads, in the SQLite store's form (the last import,
    /// multi-label, classes, models by matrix, embeddings): equal texts, equal analysis input.
    public func analysisInputSignature() throws(StoreError) -> String {
        try read { db in
            let lastImport = try db.row("SELECT id, finished_at FROM imports ORDER BY id DESC LIMIT 1", as: (Int64, String).self)
            let classes = try db.rows("SELECT name FROM classes WHERE position IS NOT NULL ORDER BY position", as: String.self)
            let models = try db.rows(#"SELECT name, matrix_file FROM models ORDER BY name COLLATE "C""#, as: (String, String).self).map {
                "\($0.0)=\($0.1)"
            }
            let embeddings = try db.row("SELECT fingerprint FROM embeddings", as: String.self) ?? "none"
            return [
                "import \(lastImport?.0 ?? 0) \(lastImport?.1 ?? "")",
                "multi-label \(try Self.setting(.multiLabel, db) ?? "false")",
                "classes \(classes.count) " + classes.joined(separator: "\u{1F}"),
                "models " + models.joined(separator: ","),
                "embeddings \(embeddings)"
            ].joined(separator: "\n")
        }
    }
}
