import GRDB

extension ProjectStore {
    /// A text that changes whenever what the analysis reads from the project changes apart
    /// from decisions: a new import (items, labels), the classes, the models' matrices
    /// (content-addressed files) or the embeddings. Caches of analysis results keep it to
    /// know they still apply; it is cheap (no item is read).
    public func analysisInputSignature() throws(StoreError) -> String {
        try read { db in
            let imports = try Row.fetchOne(db, sql: "SELECT id, finished_at FROM imports ORDER BY id DESC LIMIT 1")
            let classes = try Self.classNames(db)
            let models = try Row.fetchAll(db, sql: "SELECT name, matrix_file FROM models ORDER BY name").map {
                "\($0["name"] as String)=\($0["matrix_file"] as String)"
            }
            let embeddings = try String.fetchOne(db, sql: "SELECT fingerprint FROM embeddings") ?? "none"
            let multiLabel = try Self.setting(.multiLabel, db) ?? "false"
            let importID: Int64? = imports?[0]
            let importTime: String? = imports?[1]
            return [
                "import \(importID ?? 0) \(importTime ?? "")",
                "multi-label \(multiLabel)",
                "classes \(classes.count) " + classes.joined(separator: "\u{1F}"),
                "models " + models.joined(separator: ","),
                "embeddings \(embeddings)"
            ].joined(separator: "\n")
        }
    }
}
