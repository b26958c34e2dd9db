import Testing
@testable import WinnowTerminal

/// The image layer's cache of decoded and encoded pictures: work is claimed once, and the
/// least recently used results go first when their bytes pass the budget.
@Suite("Image results cache")
struct ClaimedResultsTests {
    @Test func workIsClaimedOnceUntilStoredOrReleased() {
        var results = ClaimedResults<String, [UInt8]>(byteLimit: 100) { $0.count }
        let first = results.claim("a")
        let whileUnderWay = results.claim("a")
        results.release("a")
        let afterRelease = results.claim("a")
        results.store([1, 2, 3], for: "a")
        let onceStored = results.claim("a")
        let stored = results.value(for: "a")
        #expect(first && !whileUnderWay && afterRelease && !onceStored)
        #expect(stored == [1, 2, 3])
    }

    @Test func theLeastRecentlyUsedGoesFirstByBytes() {
        var results = ClaimedResults<String, [UInt8]>(byteLimit: 100) { $0.count }
        results.store([UInt8](repeating: 0, count: 40), for: "a")
        results.store([UInt8](repeating: 0, count: 40), for: "b")
        _ = results.value(for: "a") // a is now the most recent
        results.store([UInt8](repeating: 0, count: 40), for: "c")
        let (a, b, c) = (results.value(for: "a"), results.value(for: "b"), results.value(for: "c"))
        #expect(b == nil)
        #expect(a != nil && c != nil)
        // Many small ones fit where a count limit would have dropped them.
        for n in 0..<10 { results.store([UInt8(n)], for: "small \(n)") }
        for n in 0..<10 {
            let small = results.value(for: "small \(n)")
            #expect(small == [UInt8(n)])
        }
        // One larger than the budget is not kept, and the work may be claimed again.
        let claimed = results.claim("huge")
        results.store([UInt8](repeating: 0, count: 101), for: "huge")
        let huge = results.value(for: "huge")
        let again = results.claim("huge")
        #expect(claimed && huge == nil && again)
    }
}
