import WinnowCore

/// A JSON document built in code, for reports whose keys must keep their order and whose
/// missing numbers must print as `null` (JSONEncoder drops nil optionals and reorders).
package indirect enum JSONValue {
    case null
    case bool(Bool)
    case int(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// A number, or null when there is none (or it is not finite).
    package static func number(_ x: Double?) -> JSONValue {
        guard let x, x.isFinite else { return .null }
        return .number(x)
    }

    /// Pretty-printed with two-space indentation, keys in the order given.
    package func rendered(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let n): return String(n)
        // Swift's shortest round-trip form: 0.4, 1.0, -0.0057142380807495, 1e-05 are all JSON.
        case .number(let x): return "\(x)"
        case .string(let s): return JSONText.quoted(s)
        case .array(let values):
            if values.isEmpty { return "[]" }
            return "[\n" + values.map { inner + $0.rendered(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let members):
            if members.isEmpty { return "{}" }
            return "{\n" + members.map { inner + JSONText.quoted($0.0) + ": " + $0.1.rendered(indent: inner) }.joined(separator: ",\n") + "\n"
                + indent + "}"
        }
    }
}
