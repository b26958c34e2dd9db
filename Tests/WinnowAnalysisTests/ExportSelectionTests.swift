import Testing
import WinnowCore
@testable import WinnowAnalysis

/// Groups from byte-identical files: {0, 1, 2} labels disagree, {3, 4} agree, 5 alone.
@Suite("Export selection")
struct ExportSelectionTests {
    let components = Components(count: 6, pairs: [], identical: [[0, 1, 2], [3, 4]])

    func member(
        _ label: String?, final: Bool = false, excluded: Bool = false, writable: Bool? = nil,
        confidence: Float = .nan, path: String
    ) -> ExportSelection.Member {
        let labels = label.map { LabelSet(normalized: $0.split(separator: "|").map(String.init)) }
        return .init(
            labels: labels, excluded: excluded, isFinal: final || excluded, writable: writable ?? (!excluded && labels != nil),
            selfConfidence: confidence, path: path)
    }

    func members(_ list: [ExportSelection.Member]) -> [Int32: ExportSelection.Member] {
        Dictionary(uniqueKeysWithValues: list.enumerated().filter { components.componentOf[$0.offset] >= 0 }.map { (Int32($0.offset), $0.element) })
    }

    func policies(_ text: String) -> ExportPolicies { try! ExportPolicies.parse([text]) }

    var disagreeing: [ExportSelection.Member] {
        [
            member("cat", final: true, path: "c.png"), member("dog", path: "b.png"), member("cat", path: "a.png"),
            member("fox", path: "d.png"), member("fox", path: "e.png"), member("owl", path: "f.png")
        ]
    }

    @Test func unresolvedBadGroupsAreDroppedOrHeldWhole() {
        let drop = ExportSelection(components: components, members: members(disagreeing), policies: policies("bad-components=drop"))
        #expect((0..<6).map(drop.verdict(of:)) == [.dropBadComponent, .dropBadComponent, .dropBadComponent, .keep, .keep, .keep])
        #expect(drop.groups == 2 && drop.badGroups == 1 && drop.unresolvedGroups == 1)
        let hold = ExportSelection(components: components, members: members(disagreeing), policies: policies("bad-components=hold"))
        #expect((0..<3).map(hold.verdict(of:)) == [.holdBadComponent, .holdBadComponent, .holdBadComponent])
        let keep = ExportSelection(components: components, members: members(disagreeing), policies: ExportPolicies())
        #expect(keep.verdicts.isEmpty && keep.unresolvedGroups == 1)
    }

    @Test func aBadGroupWhoseMembersAreAllFinalIsResolved() {
        var list = disagreeing
        list[1].isFinal = true
        list[2].isFinal = true
        let selection = ExportSelection(components: components, members: members(list), policies: policies("bad-components=drop"))
        #expect(selection.badGroups == 1 && selection.unresolvedGroups == 0 && selection.verdicts.isEmpty)
    }

    @Test func excludedMembersNeitherMakeAGroupBadNorGetAVerdict() {
        var list = disagreeing
        list[1] = member("dog", excluded: true, path: "b.png") // the only disagreeing member
        let selection = ExportSelection(components: components, members: members(list), policies: policies("bad-components=drop,one-per-group"))
        #expect(selection.badGroups == 0)
        #expect(selection.verdict(of: 1) == .keep, "excluded items are left out before the group policies")
        #expect(selection.verdict(of: 0) == .keep && selection.verdict(of: 2) == .dropDuplicate)
    }

    @Test func theRepresentativeIsFinalThenSurerThenFirstByPath() {
        // Group {3, 4}: neither final; 4 is surer.
        var list = disagreeing
        list[3].selfConfidence = 0.2
        list[4].selfConfidence = 0.9
        var selection = ExportSelection(components: components, members: members(list), policies: policies("one-per-group"))
        #expect(selection.verdict(of: 4) == .keep && selection.verdict(of: 3) == .dropDuplicate)
        // Group {0, 1, 2}: 0 is final, whatever its confidence and path.
        #expect((0..<3).map(selection.verdict(of:)) == [.keep, .dropDuplicate, .dropDuplicate])
        // Equal confidence: the smallest path ("d.png" < "e.png").
        list[4].selfConfidence = 0.2
        selection = ExportSelection(components: components, members: members(list), policies: policies("one-per-group"))
        #expect(selection.verdict(of: 3) == .keep && selection.verdict(of: 4) == .dropDuplicate)
        // A member that is not written anyway (final-only, unlabelled) is never the representative.
        list[3].writable = false
        selection = ExportSelection(components: components, members: members(list), policies: policies("one-per-group"))
        #expect(selection.verdict(of: 4) == .keep && selection.verdict(of: 3) == .keep, "3 is left out by the exporter, not by this policy")
    }

    @Test func heldGroupsKeepAllTheirMembersAndOnePerGroupActsOnTheRest() {
        let selection = ExportSelection(
            components: components, members: members(disagreeing), policies: policies("bad-components=hold,one-per-group"))
        #expect((0..<6).map(selection.verdict(of:)) == [.holdBadComponent, .holdBadComponent, .holdBadComponent, .keep, .dropDuplicate, .keep])
    }

    @Test func labelIntersectionAndRareLabelsNarrowMultiLabelMembers() {
        let list = [
            member("cat|dog", path: "a"), member("cat|dog|fox", path: "b"), member("cat", path: "c"),
            member("dog|fox", path: "d"), member("dog", path: "e"), member("owl|fox", path: "f")
        ]
        let intersection = ExportSelection(components: components, members: members(list), policies: policies("label-intersection"))
        #expect(intersection.labels[0]?.names == ["cat"] && intersection.labels[1]?.names == ["cat"] && intersection.labels[2] == nil)
        #expect(intersection.labels[3]?.names == ["dog"] && intersection.labels[4] == nil && intersection.labels[5] == nil, "5 is in no group")
        // cat 3/3, dog 2/3, fox 1/3 in the first group.
        let rare = ExportSelection(components: components, members: members(list), policies: policies("drop-rare-labels=0.5"))
        #expect(rare.labels[0] == nil && rare.labels[1]?.names == ["cat", "dog"])
        #expect(rare.labels[3] == nil, "dog and fox are each on half of {3, 4}")
    }

    @Test func heldBackMembersKeepTheirLabels() {
        let list = [
            member("cat|dog", path: "a"), member("cat", path: "b"), member("cat", path: "c"),
            member("dog", path: "d"), member("dog", path: "e"), member(nil, path: "f")
        ]
        let selection = ExportSelection(components: components, members: members(list), policies: policies("bad-components=hold,label-intersection"))
        #expect(selection.verdict(of: 0) == .holdBadComponent && selection.labels.isEmpty)
    }
}
