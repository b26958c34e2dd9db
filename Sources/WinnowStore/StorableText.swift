import WinnowCore

/// What both stores refuse in a decision's texts before anything is written: a NUL
/// character. PostgreSQL's text cannot hold one (the server refuses the whole statement),
/// and SQLite would keep it; refusing it in both, with the field named, keeps the two stores
/// alike and the message clear. Other control characters are kept as given (both stores can
/// hold them) and are sanitised wherever they reach a terminal.
extension DecisionRequest {
    package func checkStorableText() throws(StoreError) {
        let fields: [(String, String?)] = [
            ("note", note), ("reviewer name", reviewer), ("image path", imagePath), ("queue name", queue), ("reason", reason),
            ("label", labels?.names.first(where: Self.hasNUL)), ("flag", flags.first(where: Self.hasNUL))
        ]
        for (what, text) in fields where text.map(Self.hasNUL) == true { throw .invalidText(what: what) }
    }

    static func hasNUL(_ text: String) -> Bool { text.utf8.contains(0) }
}
