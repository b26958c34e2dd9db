import Testing
import WinnowCore
import WinnowAnalysis

/// `winnow queue`, `decide` and `review` check a queue name through `QueueName.named`: one
/// list of names, one message, the name sanitised.
@Suite("Queue names")
struct QueueNameTests {
    @Test func everyQueueIsFoundByItsName() throws {
        for queue in QueueName.allCases { #expect(try QueueName.named(queue.rawValue) == queue) }
    }

    @Test func anUnknownNameListsTheQueuesAndIsSanitised() {
        #expect(throws: UnknownQueue(name: "Triage")) { try QueueName.named("Triage") }
        #expect(throws: UnknownQueue(name: "")) { try QueueName.named("") }
        let hostile = UnknownQueue(name: "triage\u{1B}]52;c;aGk=\u{07}")
        #expect(TerminalText.isSafe(hostile.description))
        #expect(hostile.description.hasPrefix("unknown queue \"triage"))
        #expect(hostile.description.hasSuffix("; queues: " + QueueName.allCases.map(\.rawValue).joined(separator: ", ")))
    }
}
