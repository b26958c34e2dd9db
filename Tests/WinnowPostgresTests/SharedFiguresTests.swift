import Foundation
import Testing
import WinnowCore
import WinnowStore
import WinnowTestSupport
@testable import WinnowPostgres

/// The review figures, ratings, undo's target and broken-image marks: the same decisions
/// give the same answers from both stores.
@Suite("Both stores: figures, ratings, undo's target, problems")
struct SharedFiguresTests {
    /// Two reviewers' decisions on the simple dataset (img0 cat, img1 dog, img2 fox, img3 cat,
    /// img4 dog, img5 fox): relabels, an accept, an exclude, a skip, an undone accept.
    static func review(_ store: any ProjectStoring) throws {
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try store.decide(
            DecisionRequest(
                imagePath: "img0.png", reviewer: "alice", action: .relabel, labels: LabelSet(single: "fox"),
                queue: "label-issues", reason: "confident-learning", score: 0.9, flags: ["confident_learning"]),
            policy: TeamPolicy(), at: date)
        _ = try store.decide(
            [
                request("img1.png", .accept), request("img2.png", .exclude, by: "bob"), request("img3.png", .skip),
                request("img4.png", .accept, by: "bob"), request("img5.png", .relabel, "cat"),
                request("img1.png", .accept, by: "bob")
            ],
            policy: TeamPolicy(), at: date)
        _ = try store.decide(request("img4.png", .undo, by: "bob"), policy: TeamPolicy(), at: date)
    }

    @Test("figures, ratings and undo's target agree between the stores and say what was decided")
    func sameFigures() throws {
        let sqlite = try StoreFixture.imported(.sqlite)
        let postgres = try StoreFixture.imported(.postgres)
        defer { withExtendedLifetime((sqlite, postgres)) {} }
        try Self.review(sqlite.store)
        try Self.review(postgres.store)

        let figures = try postgres.store.reviewFigures()
        #expect(figures == (try sqlite.store.reviewFigures()))
        #expect(figures.decisionsByAction == ["relabel": 2, "accept": 3, "exclude": 1, "skip": 1, "undo": 1])
        #expect(figures.decisionsByReviewer["bob"] == ["exclude": 1, "accept": 2, "undo": 1])
        #expect(figures.status["relabelled"] == 2 && figures.status["excluded"] == 1 && figures.status["accepted"] == 1)
        #expect(figures.flows.map { "\($0.from)>\($0.to)" }.sorted() == ["cat>fox", "fox>cat"])
        #expect(figures.flags.first { $0.flag == "confident-learning" }?.relabelled == 1)

        let ratings = try postgres.store.ratings()
        #expect(ratings == (try sqlite.store.ratings()))
        #expect(ratings.map { "\($0.item):\($0.rater)" } == ["1:alice", "2:alice", "2:bob", "3:bob", "6:alice"])

        let bobs = try #require(try postgres.store.latestDecisionInEffect(by: "bob", searched: 500))
        #expect(bobs.path == "img1.png" && bobs.event.action == .accept && bobs.row == 1)
        let sqliteBobs = try #require(try sqlite.store.latestDecisionInEffect(by: "bob", searched: 500))
        #expect(sqliteBobs.event == bobs.event && sqliteBobs.row == bobs.row)
        // Undo events are never a target: bob's newest other event is found with searched: 1.
        #expect(try postgres.store.latestDecisionInEffect(by: "bob", searched: 1)?.path == "img1.png")
        let alices = try #require(try postgres.store.latestDecisionInEffect(by: "alice", searched: 500))
        #expect(alices.path == "img5.png" && alices.event.action == .relabel && alices.row == 5)
        #expect(try sqlite.store.latestDecisionInEffect(by: "alice", searched: 500)?.event == alices.event)
        #expect(try postgres.store.latestDecisionInEffect(by: "carol", searched: 500) == nil)

        // Across batch boundaries (one item at a time) the figures are the same.
        let pg = try #require(postgres.store as? PostgresProjectStore)
        #expect(try pg.reviewFigures(batch: 1) == figures && pg.reviewFigures(batch: 4) == figures)
    }

    @Test("a broken image found while reviewing is marked once; the first reason stays", arguments: StoreKind.allCases)
    func markProblem(kind: StoreKind) throws {
        let fixture = try StoreFixture.imported(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = fixture.store
        try store.markProblem(imagePath: "img3.png", problem: "PNG data is truncated")
        try store.markProblem(imagePath: "img3.png", problem: "another reason")
        try store.markProblem(imagePath: "nope.png", problem: "ignored")
        #expect(try store.itemStates(ids: [3, 4]).map(\.problem) == [nil, "PNG data is truncated"])
    }

    @Test("the figures of a store with no decisions count every item unreviewed", arguments: StoreKind.allCases)
    func emptyFigures(kind: StoreKind) throws {
        let fixture = try StoreFixture.imported(kind)
        defer { withExtendedLifetime(fixture) {} }
        let figures = try fixture.store.reviewFigures()
        #expect(figures.status["unreviewed"] == 6 && figures.decisionsByAction.isEmpty && figures.flows.isEmpty)
        #expect(try fixture.store.ratings().isEmpty && fixture.store.latestDecisionInEffect(by: "alice", searched: 10) == nil)
    }
}
