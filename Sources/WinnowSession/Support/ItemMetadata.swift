import Foundation

/// An item's metadata (the extra columns of items.csv, stored at import as a JSON object).
package enum ItemMetadata {
    /// The values of `columns` from an item's metadata object (as stored at import).
    package static func values(_ json: String, columns: [String]) -> [String] {
        let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
        return columns.map { object[$0] as? String ?? "" }
    }
}
