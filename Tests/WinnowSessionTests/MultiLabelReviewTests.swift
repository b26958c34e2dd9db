import Foundation
import Testing
import WinnowCore
import WinnowTestSupport
import WinnowUI
@testable import WinnowSession

/// The review screen on multi-label data: the flagged class is named, the suggested set is
/// shown beside the current one, and toggling that one class is the decision.
@Suite("Review data source on multi-label data")
struct MultiLabelReviewTests {
    @Test func theSuggestedSetStandsBesideTheCurrentOneAndOneClassIsToggled() throws {
        let d = TemporaryDataset()
        d.write("classes.txt", "hat\numbrella\ncoat\n")
        var labels = "image,labels\n", model = "image,hat,umbrella,coat\n"
        for i in 0..<60 {
            let name = String(format: "img%04d.png", i)
            d.image(name)
            let hat = i % 2 == 0, umbrella = i % 3 == 0
            labels += name + "," + [hat ? "hat" : nil, umbrella && i != 1 ? "umbrella" : nil, "coat"].compactMap { $0 }.joined(separator: "|") + "\n"
            model += name + ",\(hat ? 0.9 : 0.1),\(i == 1 ? 0.99 : umbrella ? 0.85 : 0.12),0.8\n"
        }
        d.write("labels.csv", labels).write("predictions/m.csv", model)
        let project = try Project.open(dataset: d.root, importIfNeeded: true)
        let source = try StoreReviewSource.open(project, reviewer: "tester", stratifyBy: nil, progress: SilentProgress())
        let queue = try source.queue(named: "confident-learning")
        #expect(queue.slots.contains { $0.item == 1 })
        let details = try #require(try source.details(of: [1]).first)
        #expect(details.currentLabels == ["coat"])
        #expect(details.suggested == "umbrella, coat")
        #expect(details.reasons.contains { $0.text == "'umbrella' is probably missing (the models give it 0.99)" })
        _ = try source.decide(DecisionCommand(items: [1], kind: .relabel(["umbrella", "coat"]), queue: "confident-learning"))
        #expect(try source.details(of: [1]).first?.currentLabels == ["umbrella", "coat"])
        #expect(try !source.queue(named: "confident-learning").slots.contains { $0.item == 1 }, "a decided item leaves the queue")
    }
}
