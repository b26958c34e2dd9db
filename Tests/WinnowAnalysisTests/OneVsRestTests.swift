import Testing
import WinnowCore
@testable import WinnowAnalysis

/// `OneVsRestProblem` is `ConfidentLearning` with K = 2 written out for speed: on
/// probabilities where `1 − p` is exact in float32 the two must flag the same items.
@Suite("One-vs-rest confident learning equals single-label confident learning on [1 − p, p]")
struct OneVsRestTests {
    @Test func sameFlagsAsConfidentLearningOnRandomColumns() {
        var rng = SplitMix64(seed: 16)
        for trial in 0..<60 {
            let n = 20 + Int(rng.next() % 400), k = 1 + Int(rng.next() % 4)
            let prevalence = (0..<k).map { _ in Double(rng.next() % 1000) / 1000 }
            var sets: [[Int32]] = [], probabilities: [Float] = []
            for _ in 0..<n {
                var set: [Int32] = []
                for c in 0..<k {
                    let has = Double(rng.next() % 1000) / 1000 < prevalence[c]
                    if has { set.append(Int32(c)) }
                    // A 1/64 grid: 1 − p is exact in float32, and ties are everywhere.
                    let noisy = Int(rng.next() % 64) + (has ? 24 : -24)
                    probabilities.append(Float(min(64, max(0, noisy))) / 64)
                }
                sets.append(set)
            }
            let ml = MultiLabelConfidentLearning(labels: MultiLabelSets(sets, classes: k), probabilities: probabilities)
            for filter in ConfidentLearning.FilterBy.allCases {
                let multi = ml.issuesPerClass(filterBy: MultiLabelConfidentLearning.FilterBy(rawValue: filter.rawValue)!)
                for c in 0..<k {
                    let labels = (0..<n).map { Int32(ml.labels.has($0, c) ? 1 : 0) }
                    var binary: [Float] = []
                    for i in 0..<n { binary += [1 - probabilities[i * k + c], probabilities[i * k + c]] }
                    let single = ConfidentLearning(labels: labels, probabilities: binary, classes: 2).findLabelIssues(filterBy: filter)
                    #expect(multi[c].map(Int.init) == single, "trial \(trial) class \(c) \(filter.rawValue)")
                }
            }
        }
    }

    @Test func aClassOnEveryItemOrNoneIsNeverPrunedAway() {
        // Class 0 on every item, class 1 on none; the model disagrees on a few.
        let n = 50
        let sets = (0..<n).map { _ in [Int32(0)] }
        var probabilities: [Float] = []
        for i in 0..<n { probabilities += [i < 5 ? 0.1 : 0.9, i >= 45 ? 0.95 : 0.05] }
        let ml = MultiLabelConfidentLearning(labels: MultiLabelSets(sets, classes: 2), probabilities: probabilities)
        for filter in MultiLabelConfidentLearning.FilterBy.allCases {
            let issues = ml.issuesPerClass(filterBy: filter)
            #expect(issues.count == 2, "\(filter.rawValue)")
        }
        // predicted ≠ given flags both directions.
        #expect(ml.issuesPerClass(filterBy: .predictedNotGiven) == [[0, 1, 2, 3, 4], [45, 46, 47, 48, 49]])
    }
}
