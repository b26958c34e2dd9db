import WinnowCore

extension QueueName {
    /// The queue called `text`: every command that takes a queue name checks it here, so they
    /// refuse the same names with the same message.
    public static func named(_ text: String) throws(UnknownQueue) -> QueueName {
        guard let queue = QueueName(rawValue: text) else { throw UnknownQueue(name: text) }
        return queue
    }
}

/// A queue name that is not one of `QueueName`'s. The name comes from the command line (or
/// a script): it is sanitised before it reaches a terminal.
public struct UnknownQueue: Error, Sendable, Equatable, CustomStringConvertible {
    public var name: String

    public init(name: String) { self.name = name }

    public var description: String {
        "unknown queue \"\(TerminalText.sanitize(name))\"; queues: \(QueueName.allCases.map(\.rawValue).joined(separator: ", "))"
    }
}
