/// The ordered list of classes: the column order of every probability matrix.
public struct ClassTaxonomy: Sendable, Equatable {
    public let names: [String]
    private let positions: [String: Int]

    public init(_ names: [String]) {
        self.names = names
        var positions: [String: Int] = [:]
        for (i, name) in names.enumerated() where positions[name] == nil { positions[name] = i }
        self.positions = positions
    }

    public var count: Int { names.count }
    public func position(of name: String) -> Int? { positions[name] }
    public func contains(_ name: String) -> Bool { positions[name] != nil }

    /// Why `name` cannot be a class name, or nil when it can.
    ///
    /// Names are free text, but never empty, never padded with spaces (almost always an
    /// accident that makes "cat " and "cat" two classes) and never control characters.
    public static func problem(withName name: String) -> String? {
        if name.isEmpty { return "a class name is empty" }
        if name != name.trimmingASCIIWhitespace() { return "the class name \"\(TerminalText.sanitize(name))\" starts or ends with spaces" }
        if !TerminalText.isSafe(name) { return "the class name \"\(TerminalText.sanitize(name))\" contains control characters" }
        return nil
    }
}
