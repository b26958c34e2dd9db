import Testing
@testable import WinnowUI

@Suite("The stats view")
struct StatsScreenTests {
    /// Figures as the application gives them once two reviewers overlap.
    static let stats = ReviewStats(sections: [
        .init(
            title: "Progress per queue (decided / decided + open)",
            bars: [
                .init(label: "triage", value: 0.25, text: "10 decided · 30 open"),
                .init(label: "manual", value: .nan, text: "4 decided outside a queue")
            ]),
        .init(
            title: "Flag precision (share of decided items that were wrong)",
            bars: [
                .init(label: "label-issues", value: 0.75, text: "75% of 8 · 6 relabelled"),
                .init(label: "random", value: 0.1, text: "10% of 10 · 1 relabelled")
            ]),
        .init(
            title: "Agreement (12 items rated by two or more reviewers)", notes: ["2 reviewers · κ and α below 0 draw no bar"],
            bars: [
                .init(label: "Cohen's κ", value: 0.62, text: "0.62"),
                .init(label: "Krippendorff's α", value: .nan, text: "–")
            ]),
        .init(
            title: "Each reviewer against the majority of the others",
            bars: [
                .init(label: "alice", value: 0.9, text: "90% of 10 · κ 0.80"),
                .init(label: "bob", value: 0.5, text: "50% of 10 · κ 0.30 · 2 tied")
            ]),
        .init(title: "Per class: specific agreement · α of the class against the rest", bars: [])
    ])

    func render(rows: Int, scroll: Int = 0) -> CellBuffer {
        var state = Sample.state(size: TerminalSize(columns: 100, rows: rows))
        state.screen = .stats
        state.stats = Self.stats
        state.statsScroll = scroll
        return View.render(state).buffer
    }

    func row(_ buffer: CellBuffer, containing text: String) -> String? {
        (0..<buffer.size.rows).map { buffer.text(row: $0) }.first { $0.contains(text) }
    }

    @Test("agreement figures and flag precision are drawn as bars; notes under their title")
    func agreementAndFlags() throws {
        let buffer = render(rows: 60)
        let text = buffer.text
        for expected in [
            "Agreement (12 items rated by two or more reviewers)", "2 reviewers · κ and α below 0 draw no bar",
            "Cohen's κ", "0.62", "Each reviewer against the majority of the others", "90% of 10 · κ 0.80",
            "Flag precision", "label-issues", "75% of 8"
        ] {
            #expect(text.contains(expected), "missing \(expected)")
        }
        #expect(try #require(row(buffer, containing: "label-issues")).contains("█"))
        #expect(try #require(row(buffer, containing: "90% of 10")).contains("█"))
        // An undefined coefficient, and a count that is not a share, draw no bar.
        #expect(try #require(row(buffer, containing: "Krippendorff's α")).contains("█") == false)
        #expect(try #require(row(buffer, containing: "outside a queue")).contains("█") == false)
        // A section with nothing in it says so.
        #expect(text.contains("none yet"))
        #expect(!text.contains("more below"), "everything fits: no scroll hint")
    }

    @Test("a view taller than the screen scrolls with j/k and says there is more")
    func scrolls() throws {
        var state = Sample.state(size: TerminalSize(columns: 100, rows: 14))
        Sample.press([.character("S")], &state)
        #expect(state.screen == .stats && state.statsScroll == 0)
        _ = Reducer.reduce(&state, .statsLoaded(Self.stats))
        var text = View.render(state).buffer.text
        #expect(text.contains("more below") && text.contains("Progress per queue") && !text.contains("against the majority"))
        Sample.press([.character("J")], &state) // page down
        Sample.press([.character("j")], &state)
        #expect(state.screen == .stats && state.statsScroll == 11)
        text = View.render(state).buffer.text
        #expect(text.contains("against the majority") && !text.contains("Progress per queue"))
        // Scrolled past the end: the view keeps the last line on screen.
        state.statsScroll = 500
        text = View.render(state).buffer.text
        #expect(text.contains("Per class") && text.contains("scrolls back up"))
        // Any other key goes back to the review; opening the view again starts at the top.
        Sample.press([.character("q")], &state)
        #expect(state.screen == .review)
        Sample.press([.character("S")], &state)
        #expect(state.statsScroll == 0)
    }
}
