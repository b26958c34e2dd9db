import Foundation
import Testing
@testable import WinnowCore

@Suite("Labels and consensus")
struct LabelTests {
    let taxonomy = ClassTaxonomy(["cat", "dog", "fox"])

    @Test func labelSetsAreNormalisedToTaxonomyOrder() {
        #expect(LabelSet(["fox", "cat", "fox"], in: taxonomy).names == ["cat", "fox"])
        #expect(LabelSet(["fox", "cat"], in: taxonomy) == LabelSet(["cat", "fox"], in: taxonomy))
    }

    @Test func storageTextRoundTripsNamesWithPipesAndCommas() {
        let set = LabelSet(normalized: ["a|b", "c,d", ""])
        #expect(LabelSet(storageText: set.storageText) == set)
        #expect(LabelSet(storageText: "").isEmpty)
    }

    @Test func singleLabelConsensusIsThePlurality() {
        let votes = [LabelSet(single: "dog"), LabelSet(single: "cat"), LabelSet(single: "cat")]
        #expect(AnnotatorConsensus.consensus(of: votes, multiLabel: false, taxonomy: taxonomy) == LabelSet(single: "cat"))
    }

    @Test func aTieGoesToTheFirstListedAnnotation() {
        let votes = [LabelSet(single: "fox"), LabelSet(single: "cat")]
        #expect(AnnotatorConsensus.consensus(of: votes, multiLabel: false, taxonomy: taxonomy) == LabelSet(single: "fox"))
    }

    @Test func multiLabelConsensusKeepsClassesChosenByMoreThanHalf() {
        let votes = [LabelSet(["cat", "dog"], in: taxonomy), LabelSet(["cat"], in: taxonomy), LabelSet(["cat", "fox"], in: taxonomy)]
        #expect(AnnotatorConsensus.consensus(of: votes, multiLabel: true, taxonomy: taxonomy)?.names == ["cat"])
        #expect(AnnotatorConsensus.consensus(of: [], multiLabel: true, taxonomy: taxonomy) == nil)
    }

    @Test(arguments: ["", " cat", "dog ", "a\u{1B}[31m", "tab\there"])
    func badClassNamesAreRejected(name: String) {
        #expect(ClassTaxonomy.problem(withName: name) != nil)
    }

    @Test(arguments: ["cat", "hot dog", "a|b", "Ünïcödé", "=x"])
    func ordinaryClassNamesAreAccepted(name: String) {
        #expect(ClassTaxonomy.problem(withName: name) == nil)
    }
}

@Suite("Decision history")
struct ItemHistoryTests {
    let given = LabelSet(single: "cat")
    var clock = 0

    mutating func event(_ id: Int64, _ action: DecisionAction, _ label: String? = nil, undoes: Int64? = nil) -> DecisionEvent {
        clock += 1
        return DecisionEvent(
            id: id, itemID: 1, reviewer: "r", action: action, oldLabels: nil,
            newLabels: label.map(LabelSet.init(single:)), undoes: undoes, createdAt: Date(timeIntervalSince1970: Double(clock)))
    }

    @Test mutating func noEventsMeansUnreviewedWithTheGivenLabel() {
        let r = ItemHistory.resolve(given: given, events: [])
        #expect(r.status == .unreviewed && r.labels == given && r.decidedBy == nil)
    }

    @Test mutating func relabelThenAcceptKeepsTheNewLabel() {
        let events = [event(1, .relabel, "dog"), event(2, .accept)]
        let r = ItemHistory.resolve(given: given, events: events)
        #expect(r.labels == LabelSet(single: "dog"))
        #expect(r.status == .relabelled)
        #expect(r.decidedBy?.id == 2)
    }

    @Test mutating func relabellingBackToTheGivenLabelCountsAsAccepted() {
        let r = ItemHistory.resolve(given: given, events: [event(1, .relabel, "dog"), event(2, .relabel, "cat")])
        #expect(r.status == .accepted)
    }

    @Test mutating func excludeThenAcceptBringsTheItemBack() {
        #expect(ItemHistory.resolve(given: given, events: [event(1, .exclude)]).status == .excluded)
        #expect(ItemHistory.resolve(given: given, events: [event(1, .exclude), event(2, .accept)]).status == .accepted)
    }

    @Test mutating func skipDoesNotOverrideADecision() {
        #expect(ItemHistory.resolve(given: given, events: [event(1, .skip)]).status == .skipped)
        #expect(ItemHistory.resolve(given: given, events: [event(1, .accept), event(2, .skip)]).status == .accepted)
    }

    @Test mutating func repeatedUndoWalksBackThroughTheDecisions() {
        var events = [event(1, .relabel, "dog"), event(2, .relabel, "fox")]
        #expect(ItemHistory.undoTarget(events)?.id == 2)
        events.append(event(3, .undo, undoes: 2))
        #expect(ItemHistory.resolve(given: given, events: events).labels == LabelSet(single: "dog"))
        #expect(ItemHistory.undoTarget(events)?.id == 1)
        events.append(event(4, .undo, undoes: 1))
        let r = ItemHistory.resolve(given: given, events: events)
        #expect(r.labels == given && r.status == .unreviewed)
        #expect(ItemHistory.undoTarget(events) == nil)
    }

    @Test mutating func decisionsAfterAnUndoApply() {
        let events = [event(1, .relabel, "dog"), event(2, .undo, undoes: 1), event(3, .relabel, "fox")]
        #expect(ItemHistory.resolve(given: given, events: events).labels == LabelSet(single: "fox"))
        #expect(ItemHistory.undoTarget(events)?.id == 3)
    }
}

@Suite("Untrusted text")
struct TextSafetyTests {
    @Test func controlAndEscapeCharactersBecomeVisible() {
        let hostile = "evil\u{1B}]52;c;ZXZpbA==\u{07}name\u{9B}2J\u{202E}gpj.exe"
        let safe = TerminalText.sanitize(hostile)
        #expect(!safe.unicodeScalars.contains { $0.value < 0x20 || (0x80...0x9F).contains($0.value) || $0.value == 0x202E })
        #expect(safe.contains("name"))
        #expect(TerminalText.sanitize("café 猫 ok") == "café 猫 ok")
    }

    @Test(arguments: ["../x.png", "a/../../b.png", "/etc/passwd", "C:/x.png", "a\\b.png", "a//b.png", "./a.png", "", "a/\u{1B}b.png"])
    func pathsThatEscapeOrAreMalformedAreRejected(path: String) {
        #expect(DatasetPath.problem(with: path) != nil)
    }

    @Test(arguments: ["a.png", "cats/001.jpg", "deep/er/x y.webp", "café_0042.jpg", "..hidden.png", "a..b.png", "a:b.png", "x/C:/y.png"])
    func ordinaryPathsAreAccepted(path: String) {
        #expect(DatasetPath.problem(with: path) == nil)
    }

    @Test func jsonEscaping() throws {
        let value = "q\"b\\n\nt\u{01}\u{2028}é"
        let json = JSONText.object(keys: ["k"], values: [value])
        let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]
        #expect(decoded?["k"] == value)
    }
}

@Suite("winnow.toml")
struct ConfigTests {
    @Test func defaultsWhenEmpty() throws {
        let config = try WinnowConfig.parse("")
        #expect(config.probabilityTolerance == 0.01 && config.checkImages && config.formulaGuard)
    }

    @Test func readsKnownKeys() throws {
        let config = try WinnowConfig.parse(
            """
            [project]
            name = "shapes"
            [import]
            probability_tolerance = 0.001
            check_images = false
            [export]
            formula_guard = false
            """)
        #expect(config.projectName == "shapes")
        #expect(config.probabilityTolerance == 0.001)
        #expect(!config.checkImages && !config.formulaGuard)
    }

    @Test func unknownKeyIsAnErrorNamingKeyAndLine() {
        #expect {
            try WinnowConfig.parse("[project]\nname = \"x\"\n\n[import]\ncheck_imgs = true\n")
        } throws: { error in
            guard let invalid = error as? DatasetInvalid, let p = invalid.problems.first else { return false }
            return p.line == 5 && p.message.contains("import.check_imgs") && p.hint.contains("check_images")
        }
    }

    @Test func unknownTableIsAnError() {
        #expect {
            try WinnowConfig.parse("[projekt]\nname = \"x\"\n")
        } throws: { error in
            (error as? DatasetInvalid)?.problems.first?.line == 1
        }
    }

    @Test func wrongTypeIsAnError() {
        #expect {
            try WinnowConfig.parse("[import]\nprobability_tolerance = \"tight\"\n")
        } throws: { error in
            guard let p = (error as? DatasetInvalid)?.problems.first else { return false }
            return p.line == 2 && p.message.contains("number")
        }
    }

    @Test func syntaxErrorsCarryTheirLine() {
        #expect {
            try WinnowConfig.parse("[import]\ncheck_images = \n")
        } throws: { error in
            (error as? DatasetInvalid)?.problems.first?.line == 2
        }
    }
}

@Suite("winnow.toml analysis settings")
struct AnalysisConfigTests {
    @Test func readsAnalysisQueueAndTriageSettings() throws {
        let config = try WinnowConfig.parse(
            """
            [analysis]
            neighbours = 15
            duplicate_threshold = 0.9
            search = "exact"
            filter_by = "both"
            [hnsw]
            m = 24
            [queues]
            audit_share = 0.2
            stratify_by = "source"
            seed = 3
            [triage]
            label_issues = 0.6
            """)
        #expect(config.neighbourCount == 15 && config.duplicateThreshold == 0.9 && config.search == "exact" && config.filterBy == "both")
        #expect(config.hnswM == 24 && config.auditShare == 0.2 && config.stratifyBy == "source" && config.seed == 3)
        #expect(config.triageQuotas["label_issues"] == 0.6 && config.triageQuotas["outliers"] == 0.05)
    }

    @Test func readsTheQualitySettings() throws {
        let defaults = WinnowConfig()
        #expect(defaults.triageQuotas["quality"] == 0.05 && defaults.qualityGrayscale == "stored")
        #expect(
            defaults.qualityThresholds == [
                "dark": 0.32, "light": 0.05, "blurry": 0.29, "low_information": 0.3, "odd_aspect_ratio": 0.35, "odd_size_iqr_factor": 3.0
            ])
        let config = try WinnowConfig.parse("[triage]\nquality = 0.2\n[quality]\ndark = 0.25\nodd_size_iqr_factor = 5\ngrayscale = \"pixels\"\n")
        #expect(config.triageQuotas["quality"] == 0.2 && config.triageQuotas["outliers"] == 0.05)
        #expect(
            config.qualityThresholds["dark"] == 0.25 && config.qualityThresholds["odd_size_iqr_factor"] == 5
                && config.qualityThresholds["light"] == 0.05)
        #expect(config.qualityGrayscale == "pixels")
        #expect(try WinnowConfig.parse("[quality]\ngrayscale = false\n").qualityGrayscale == "off")
    }

    @Test func rejectsOutOfRangeAndUnknownValues() {
        for text in [
            "[analysis]\nsearch = \"fast\"\n", "[analysis]\nneighbours = 0\n", "[queues]\naudit_share = 1.5\n", "[triage]\nspam = 0.1\n",
            "[quality]\nblurry = 1.5\n", "[quality]\ngrayscale = \"some\"\n", "[quality]\nsharpness = 0.2\n", "[quality]\nodd_size_iqr_factor = -1\n"
        ] {
            #expect(throws: DatasetInvalid.self, "\(text)") { try WinnowConfig.parse(text) }
        }
    }
}

@Suite("Timestamps: the stored form read by hand")
struct StoredTimestampTests {
    @Test("the stored form is parsed by hand to exactly the formatter's Date, and round-trips")
    func storedFormMatchesTheFormatter() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        var rng = SplitMix64(seed: 11)
        for _ in 0..<3000 {
            // 1970 to 2100, to the millisecond, leap days included.
            let date = Date(timeIntervalSince1970: Double(rng.next() % 4_102_444_800_000) / 1000)
            let text = Timestamp.string(from: date)
            let parsed = try #require(Timestamp.storedForm(text))
            #expect(parsed == formatter.date(from: text), "\(text)")
            #expect(Timestamp.string(from: parsed) == text)
            let whole = String(text.prefix(19)) + "Z"
            #expect(Timestamp.storedForm(whole) == plain.date(from: whole), "\(whole)")
        }
        #expect(Timestamp.storedForm("2028-02-29T23:59:59.999Z") == formatter.date(from: "2028-02-29T23:59:59.999Z"))
        for other in ["2026-02-30T10:00:00Z", "2026-11-01T10:00:00+02:00", "2026-11-01 10:00:00Z", "2026-11-01T10:00:00.5Z", ""] {
            #expect(Timestamp.storedForm(other) == nil, "\(other)")
        }
        #expect(Timestamp.date(from: "2026-11-01T10:00:00+02:00") == plain.date(from: "2026-11-01T10:00:00+02:00"))
    }

    /// `storedDate` accepts only text that `string(from:)` gives back exactly: the decision
    /// log shows its typed time for those, and the stored text for anything else.
    @Test("only the exact stored form is a stored date")
    func storedDateRoundTripsExactly() throws {
        var rng = SplitMix64(seed: 12)
        for _ in 0..<3000 {
            let text = Timestamp.string(from: Date(timeIntervalSince1970: Double(rng.next() % 253_402_300_800_000) / 1000))
            #expect(Timestamp.string(from: try #require(Timestamp.storedDate(from: text))) == text)
        }
        for other in ["2026-11-01T10:00:00Z", "2026-11-01T10:00:00.000+00:00", "2026-02-30T10:00:00.000Z", "yesterday", ""] {
            #expect(Timestamp.storedDate(from: other) == nil, "\(other)")
        }
    }
}
