import Foundation
import Testing
@testable import WinnowCore

/// How reviews combine and who may do what: the rules every team feature rests on.
@Suite("Team policy and review consensus")
struct TeamPolicyTests {
    /// Builds an item's log: each call appends one event.
    struct Log {
        var events: [DecisionEvent] = []
        mutating func add(_ reviewer: String, _ action: DecisionAction, _ label: String? = nil, undoes: Int64? = nil) {
            let id = Int64(events.count + 1)
            let before = ItemHistory.resolve(given: LabelSet(single: "cat"), events: events).labels
            let after = action == .relabel ? label.map(LabelSet.init(single:)) : before
            events.append(
                DecisionEvent(
                    id: id, itemID: 1, reviewer: reviewer, action: action, oldLabels: before, newLabels: after,
                    undoes: undoes, createdAt: Date(timeIntervalSince1970: Double(id))))
        }
    }

    let pair = TeamPolicy(reviewers: ["ann": .annotator, "bob": .annotator, "mo": .moderator, "lee": .lead], reviewsPerItem: 2)

    @Test("one review per item: the first review is final, as for a single reviewer")
    func singleReview() {
        var log = Log()
        #expect(TeamPolicy().consensus(log.events).state == .open)
        log.add("ann", .skip)
        #expect(TeamPolicy().consensus(log.events).state == .open)
        log.add("ann", .relabel, "dog")
        let c = TeamPolicy().consensus(log.events)
        #expect(c.state == .final && c.finalReview?.outcome == "dog" && !c.isOpen(for: "bob"))
        log.add("ann", .undo, undoes: 2)
        #expect(TeamPolicy().consensus(log.events).state == .open)
    }

    @Test("two reviews per item: one review needs another reviewer; agreement is final")
    func agreement() {
        var log = Log()
        log.add("ann", .accept)
        let first = pair.consensus(log.events)
        #expect(first.state == .needsMore && !first.isOpen(for: "ann") && first.isOpen(for: "bob"))
        log.add("bob", .accept)
        #expect(pair.consensus(log.events).state == .final)
    }

    @Test("disagreement is a dispute for leads only; a lead's review settles it their way")
    func dispute() {
        var log = Log()
        log.add("ann", .accept)
        log.add("bob", .relabel, "dog")
        let disputed = pair.consensus(log.events)
        #expect(disputed.state == .disputed && !disputed.isOpen(for: "mo") && !disputed.isOpen(for: "lee"))
        #expect(disputed.reviews.map(\.outcome) == ["cat", "dog"])
        // A non-lead's third opinion does not settle it.
        log.add("mo", .accept)
        #expect(pair.consensus(log.events).state == .disputed)
        log.add("lee", .relabel, "fox")
        let settled = pair.consensus(log.events)
        #expect(settled.state == .final && settled.finalReview?.reviewer == "lee")
    }

    @Test("a reviewer who changes their mind to agree ends the dispute; excluding disagrees with a label")
    func changingMind() {
        var log = Log()
        log.add("ann", .accept)
        log.add("bob", .exclude)
        #expect(pair.consensus(log.events).state == .disputed)
        log.add("bob", .accept)
        #expect(pair.consensus(log.events).state == .final)
    }

    @Test("without a reviewer list anybody settles; with one, disputes need a named lead")
    func settlers() {
        var log = Log()
        log.add("ann", .accept)
        log.add("bob", .relabel, "dog")
        log.add("cy", .relabel, "dog")
        #expect(TeamPolicy(reviewsPerItem: 2).consensus(log.events).state == .final)
        #expect(
            TeamPolicy(reviewers: ["ann": .annotator, "bob": .annotator, "cy": .moderator], reviewsPerItem: 2).consensus(log.events).state
                == .disputed)
    }

    @Test("roles: what each may do, and a refusal names who may")
    func roles() throws {
        #expect(pair.may("ann", .decide(.relabel)) && !pair.may("ann", .decide(.exclude)))
        #expect(pair.may("mo", .decide(.exclude)) && !pair.may("mo", .overrideOthers))
        #expect(pair.may("lee", .export) && pair.may("lee", .breakLeases) && pair.may("lee", .settleDisputes))
        #expect(!pair.may("stranger", .decide(.skip)))
        #expect(TeamPolicy().may("anyone", .export))
        do {
            try pair.authorize("ann", .decide(.exclude))
            Issue.record("an annotator may not exclude")
        } catch {
            #expect(error.message.contains("only moderators and leads may exclude images; ann is an annotator"))
            #expect(error.hint.contains("lee") && error.hint.contains("mo"))
        }
        #expect(throws: TeamRefusal.self) { try pair.authorize("stranger", .decide(.accept)) }
    }

    @Test("[team] in winnow.toml, with errors that name the line")
    func config() throws {
        let config = try WinnowConfig.parse(
            """
            [team]
            reviews_per_item = 3
            lease_minutes = 2.5
            enforce_login = true

            [team.reviewers]
            alice = "annotator"
            carol = "lead"
            """)
        #expect(config.team == TeamPolicy(reviewers: ["alice": .annotator, "carol": .lead], reviewsPerItem: 3, leaseSeconds: 150, enforceLogin: true))
        do {
            _ = try WinnowConfig.parse("[team]\nreviews_per_item = 2\n\n[team.reviewers]\nalice = \"boss\"\n")
            Issue.record("an unknown role must be refused")
        } catch {
            #expect(error.problems.first?.line == 5)
            #expect(error.problems.first?.message.contains("must be one of \"annotator\", \"moderator\", \"lead\"") == true)
        }
        #expect(throws: DatasetInvalid.self) { try WinnowConfig.parse("[team]\nreviews_per_item = 0\n") }
    }
}
