import Foundation
import Testing
import WinnowCore
import WinnowStore
import WinnowTestSupport

/// Texts both stores must treat alike: PostgreSQL's text cannot hold a NUL character (the
/// server refuses the statement), so both refuse one before anything is written.
@Suite("Both stores: texts they cannot keep")
struct SharedTextTests {
    @Test("a NUL character in a note, reason or reviewer name is refused alike, naming the field; nothing is stored", arguments: StoreKind.allCases)
    func nulRefused(kind: StoreKind) throws {
        let fixture = try StoreFixture.imported(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = fixture.store
        var note = request("img0.png", .accept)
        note.note = "looks\u{0}fine"
        var reason = request("img1.png", .accept)
        reason.reason = "label\u{0}issue"
        let reviewer = request("img2.png", .accept, by: "ann\u{0}")
        for (bad, field) in [(note, "note"), (reason, "reason"), (reviewer, "reviewer name")] {
            #expect { try store.decide(bad) } throws: { error in
                (error as? StoreError) == .invalidText(what: field) && "\(error)".contains("the \(field) contains a NUL character")
                    && "\(error)".contains("fix:")
            }
        }
        // In a group, one bad text refuses the whole group.
        #expect(throws: StoreError.invalidText(what: "note")) { try store.decide([request("img3.png", .accept), note], policy: TeamPolicy()) }
        #expect(try store.decisionCount() == 0)
        // Other control characters are kept as given by both (terminals get them sanitised).
        var kept = request("img0.png", .accept)
        kept.note = "tab\there\nnew line \u{1B}[31m"
        _ = try store.decide(kept)
        #expect(try store.history(ofImage: "img0.png").last?.note == kept.note)
        #expect(try store.verify().isIntact)
    }
}
