import Foundation
import Testing
@testable import WinnowCore

@Suite("Export policies")
struct ExportPolicyTests {
    @Test func defaultsDropExcludedAndKeepGroups() throws {
        let policies = try ExportPolicies.parse([])
        #expect(policies == ExportPolicies())
        #expect(policies.canonical == ["drop-excluded"])
        #expect(!policies.needsComponents && !policies.changesLabels)
    }

    @Test func repeatedAndCommaSeparatedComposeInACanonicalOrder() throws {
        let policies = try ExportPolicies.parse(["one-per-group, bad-components=hold", "keep-excluded", "drop-rare-labels=0.25,label-intersection,"])
        #expect(policies.keepExcluded && policies.onePerGroup && policies.labelIntersection)
        #expect(policies.badComponents == .hold && policies.dropRareLabels == 0.25)
        #expect(policies.canonical == ["keep-excluded", "bad-components=hold", "one-per-group", "label-intersection", "drop-rare-labels=0.25"])
        #expect(policies.needsComponents && policies.changesLabels)
        #expect(try ExportPolicies.parse(["bad-components=drop", "bad-components=drop"]).badComponents == .drop, "a repeat is fine")
    }

    @Test(arguments: [
        ("drop-excluded,keep-excluded", "contradict"),
        ("bad-components=drop,bad-components=hold", "given twice"),
        ("drop-rare-labels=0.5,drop-rare-labels=0.25", "drop-rare-labels is given twice (0.5 and 0.25)"),
        ("bad-components=maybe", "unknown action"),
        ("bad-components", "needs a value"),
        ("drop-rare-labels=0", "above 0 and at most 1"),
        ("drop-rare-labels=1.5", "above 0 and at most 1"),
        ("drop-rare-labels=many", "above 0 and at most 1"),
        ("one-per-group=3", "takes no value"),
        ("dedupe", "unknown export policy \"dedupe\""),
        ("evil\u{1B}[2J", "unknown export policy \"evil␛[2J\"")
    ])
    func badPoliciesSayWhatIsWrongAndWhatToWrite(specification: String, message: String) {
        #expect {
            try ExportPolicies.parse([specification])
        } throws: { error in
            guard let error = error as? ExportPolicyError else { return false }
            return error.message.contains(message) && !error.hint.isEmpty && !error.description.contains("\u{1B}")
        }
    }

    @Test func winnowTomlTakesAListAndReportsTheLineOfABadOne() throws {
        let config = try WinnowConfig.parse("[export]\npolicies = [\"bad-components=hold\", \"one-per-group\"]\n")
        #expect(config.exportPolicies == ["bad-components=hold", "one-per-group"])
        #expect(try WinnowConfig.parse("").exportPolicies == nil)
        #expect {
            try WinnowConfig.parse("[export]\nformula_guard = true\npolicies = [\"one-per-grup\"]\n")
        } throws: { error in
            guard let p = (error as? DatasetInvalid)?.problems.first else { return false }
            return p.line == 3 && p.message.contains("export.policies: unknown export policy") && p.hint.contains("one-per-group")
        }
        #expect {
            try WinnowConfig.parse("[export]\npolicies = \"one-per-group\"\n")
        } throws: { error in
            (error as? DatasetInvalid)?.problems.first?.message.contains("a list of strings") ?? false
        }
    }

    @Test func finalMeansADecisionThatSettlesTheItem() {
        func events(_ actions: DecisionAction...) -> [DecisionEvent] {
            actions.enumerated().map {
                DecisionEvent(
                    id: Int64($0.offset + 1), itemID: 1, reviewer: "r", action: $0.element, oldLabels: nil,
                    newLabels: nil, undoes: $0.element == .undo ? Int64($0.offset) : nil, createdAt: Date())
            }
        }
        let one = TeamPolicy()
        #expect(!ReviewFinality.isFinal([], policy: one))
        #expect(!ReviewFinality.isFinal(events(.skip), policy: one) && !ReviewFinality.isFinal(events(.split), policy: one))
        #expect(ReviewFinality.isFinal(events(.accept), policy: one) && ReviewFinality.isFinal(events(.exclude), policy: one))
        #expect(!ReviewFinality.isFinal(events(.accept, .undo), policy: one))
        // Two reviews per item: one review is not final yet.
        #expect(!ReviewFinality.isFinal(events(.accept), policy: TeamPolicy(reviewsPerItem: 2)))
    }
}

@Suite("Safe file names")
struct SafeFileNameTests {
    @Test(arguments: [
        ("cat", "cat", false),
        ("hot dog", "hot dog", false),
        ("Ünïcödé.png", "Ünïcödé.png", false),
        ("../x", "_._x", true),
        ("..", "_.", true),
        (".", "_", true),
        (".hidden", "_hidden", true),
        ("a/b\\c", "a_b_c", true),
        ("line\nbreak.png", "line_break.png", true),
        ("esc\u{1B}[2J.png", "esc_[2J.png", true),
        ("nul\u{0}x", "nul_x", true),
        ("c1\u{85}x", "c1_x", true),
        ("gpj\u{202E}exe.png", "gpj_exe.png", true),
        ("", "_", true)
    ])
    func unsafeCharactersBecomeUnderscores(name: String, expected: String, altered: Bool) {
        let safe = SafeFileName.make(name)
        #expect(safe.name == expected && safe.altered == altered)
        #expect(!safe.name.contains("/") && safe.name != "." && safe.name != ".." && !safe.name.hasPrefix("."))
    }

    @Test func longNamesAreCutAtACharacterBoundaryKeepingTheExtension() {
        let long = String(repeating: "é", count: 300) + ".jpeg"
        let safe = SafeFileName.make(long)
        #expect(safe.altered && safe.name.utf8.count <= SafeFileName.maxBytes && safe.name.hasSuffix("é.jpeg"))
    }

    @Test func shortHashesAreStableAndTellNamesApart() {
        #expect(SafeFileName.shortHash("a/x.png") == SafeFileName.shortHash("a/x.png"))
        #expect(SafeFileName.shortHash("a/x.png") != SafeFileName.shortHash("b/x.png"))
        #expect(SafeFileName.shortHash("").count == 8 && SafeFileName.shortHash("a/x.png").allSatisfy(\.isHexDigit))
    }
}
