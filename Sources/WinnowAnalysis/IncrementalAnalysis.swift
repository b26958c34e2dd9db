import Dispatch
import WinnowCore
import WinnowNeighbours

/// The label analysis kept up to date as decisions change labels, without a full re-analysis.
///
/// A decision changes one item's label (or excludes it); what depends on it is small: the
/// item's own signals, the neighbourhoods that contain it, its component's summary, and
/// confident learning's per-class state. This type keeps the indexes that find exactly those
/// (a reverse-neighbour index; per-class member lists; per-class columns of the ensemble
/// probabilities sorted so items crossing a moved threshold are found by binary search; the
/// confident joint as per-item guesses; each class's members sorted by every pruning key,
/// so the pruning selections are prefixes) and recomputes each affected value with the same
/// formula as `LabelAnalysis`, so `analysis` always equals `LabelAnalysis(input, settings:)`
/// bit for bit.
///
/// The fused score is the exception: its source weights (`SourceWeighting`, each source's
/// estimated ranking quality over every judged item) move with nearly every decision, and
/// every item's score with them. They are therefore computed when asked for (all of it in
/// `analysis`, O(sources × items) for the weights), not in `setLabel`.
public struct IncrementalAnalysis: Sendable {
    /// The current input (labels, exclusions and split-offs as changed so far).
    public private(set) var input: AnalysisInput
    public let settings: AnalysisSettings
    let n: Int, k: Int

    // Label-independent, computed once.
    let ensemble: [Float]
    let ensemblePredicted: [Int32]
    let voteDisagreement: [Float]
    let divergence: [Float]
    let outlierScore: [Float]
    let modelPredicted: [[Int32]]
    let modelEntropy: [[Float]]

    // Per model: signals of the item's own label, and how many judged items it predicts right.
    var selfConfidence: [[Float]]
    var margin: [[Float]]
    var modelCorrect: [Int]
    var judgedCount = 0
    /// Label of each judged item, -1 for the others (what components summarise).
    var judgedLabels: [Int32]

    // Neighbourhood.
    var neighbourAgreement: [Float]
    var neighbourVote: [Int32]
    var neighbourDistribution: [Float]
    var neighbourCorrect = 0
    /// CSR index: the items that have item x among their neighbours are
    /// `reverseItems[reverseOffsets[x]..<reverseOffsets[x + 1]]`.
    let reverseOffsets: [Int]
    let reverseItems: [Int32]

    // Components.
    var components: Components?
    var componentSummaries: [ComponentSummary]

    // Confident learning.
    /// Judged items of each class, ascending (cleanlab's groups, in item order).
    var members: [[Int32]]
    /// Per class c, Double(p[c]) of each member in `members` order: the threshold is their
    /// numpy-order sum, taken over contiguous memory rather than gathered from the rows.
    var memberValues: [[Double]]
    var thresholds: [Double]
    /// Per class c, all items sorted by ensemble p[c] ascending (ties by index), and the values.
    let columnItems: [[Int32]]
    let columnValues: [[Float]]
    /// Per item (judged or not), its confident-joint column: the guessed true class, -1 if
    /// the item is confident in no class. Depends only on the thresholds and the row.
    var guess: [Int32]
    /// Confident joint counts [given * k + guess] over judged items, before the diagonal is raised.
    var joint: [Int]
    var prune: [[Int]]
    var clActive = false
    /// The pruning selections as prefixes of sorted orders. For class c and slot j,
    /// `slotOrder[c][j]` holds c's members sorted by the slot's key, ties by index (j == c:
    /// p[c], `prune_by_class`; j ≠ c: −(p[j] − p[c]), `prune_by_noise_rate` against j), and
    /// the selection is its first `applied[c][j]` items. A member joining or leaving moves at
    /// most one item across the prefix's end, and a changed prune count moves only the items
    /// between the old and new ends: flags change in O(1) amortised, not by re-selecting.
    var slotOrder: [[[Int32]]]
    var applied: [[Int]]
    var flaggedByClass: [Bool]
    /// How many noise-rate selections (one per other class) picked the item.
    var noiseRatePicks: [Int32]
    /// Items whose flags changed since the issues were last updated.
    var pendingTouched: [Int] = []
    var confidentLearningIssue: [Bool]

    /// Runs the full analysis once and builds the indexes.
    public init(_ input: AnalysisInput, settings: AnalysisSettings = AnalysisSettings()) {
        let full = LabelAnalysis(input, settings: settings)
        self.input = input
        self.settings = settings
        n = input.count
        k = input.classes.count
        ensemble = full.ensemble
        ensemblePredicted = full.ensemblePredicted
        voteDisagreement = full.voteDisagreement
        divergence = full.divergence
        outlierScore = full.outlierScore
        modelPredicted = full.models.map(\.predicted)
        modelEntropy = full.models.map(\.entropy)
        selfConfidence = full.models.map(\.selfConfidence)
        margin = full.models.map(\.margin)
        components = full.components
        componentSummaries = full.componentSummaries
        neighbourAgreement = full.neighbourAgreement
        neighbourVote = full.neighbourVote
        judgedLabels = (0..<input.count).map { input.isJudged($0) ? input.labels[$0] : -1 }
        modelCorrect = [Int](repeating: 0, count: input.models.count)

        // Reverse neighbours.
        var offsets = [Int](repeating: 0, count: n + 1)
        var reverse: [Int32] = []
        if let graph = input.neighbours {
            for id in graph.ids where id >= 0 { offsets[Int(id) + 1] += 1 }
            for x in 0..<n { offsets[x + 1] += offsets[x] }
            reverse = [Int32](repeating: 0, count: offsets[n])
            var fill = offsets
            for i in 0..<graph.count {
                for j in 0..<graph.k {
                    let id = Int(graph.ids[i * graph.k + j])
                    guard id >= 0 else { continue }
                    reverse[fill[id]] = Int32(i)
                    fill[id] += 1
                }
            }
        }
        reverseOffsets = offsets
        reverseItems = reverse
        neighbourDistribution = input.neighbours == nil ? [] : [Float](repeating: 0, count: n * k)

        // Sorted probability columns (in parallel over classes).
        let (n, k) = (self.n, self.k)
        var items = [[Int32]](repeating: [], count: ensemble.isEmpty ? 0 : k)
        var values = [[Float]](repeating: [], count: items.count)
        let ensemble = self.ensemble
        items.withUnsafeMutableBufferPointer { itemsOut in
            values.withUnsafeMutableBufferPointer { valuesOut in
                let itemsBox = UnsafeSendable(itemsOut), valuesBox = UnsafeSendable(valuesOut)
                DispatchQueue.concurrentPerform(iterations: itemsOut.count) { c in
                    var order = (0..<Int32(n)).map { $0 }
                    order.sort { a, b in
                        let va = ensemble[Int(a) * k + c], vb = ensemble[Int(b) * k + c]
                        return va != vb ? va < vb : a < b
                    }
                    valuesBox.value[c] = order.map { ensemble[Int($0) * k + c] }
                    itemsBox.value[c] = order
                }
            }
        }
        columnItems = items
        columnValues = values

        members = [[Int32]](repeating: [], count: k)
        memberValues = [[Double]](repeating: [], count: k)
        thresholds = []
        guess = [Int32](repeating: -1, count: ensemble.isEmpty ? 0 : n)
        joint = [Int](repeating: 0, count: k * k)
        prune = []
        slotOrder = [[[Int32]]](repeating: [[Int32]](repeating: [], count: k), count: k)
        applied = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        flaggedByClass = [Bool](repeating: false, count: n)
        noiseRatePicks = [Int32](repeating: 0, count: n)
        confidentLearningIssue = [Bool](repeating: false, count: n)

        // Counts and per-item state, through the same functions the updates use.
        for i in 0..<n where input.isJudged(i) {
            judgedCount += 1
            members[Int(input.labels[i])].append(Int32(i))
            if !ensemble.isEmpty { memberValues[Int(input.labels[i])].append(Double(ensemble[i * k + Int(input.labels[i])])) }
        }
        if let graph = input.neighbours { for i in 0..<n { recomputeNeighbourhood(i, graph) } }
        thresholds = (0..<k).map(threshold)
        if !ensemble.isEmpty {
            // Sorted slot orders, classes in parallel.
            var orders = slotOrder
            let members = self.members, wanted = (0..<k).map { c in (0..<k).map { j in wantsSlot(c, j) } }
            orders.withUnsafeMutableBufferPointer { out in
                let box = UnsafeSendable(out)
                DispatchQueue.concurrentPerform(iterations: k) { c in
                    box.value[c] = (0..<k).map { j in
                        guard wanted[c][j] else { return [] }
                        return members[c].sorted { a, b in Self.slotLess(a, b, c, j, ensemble, k) }
                    }
                }
            }
            slotOrder = orders
        }
        if !ensemble.isEmpty { for i in 0..<n { guess[i] = computeGuess(i) } }
        for i in 0..<n { addContributions(i) }
        refreshConfidentLearning(changedClasses: [], touched: [], forceAll: true)
    }

    // MARK: - Changes

    /// Gives `item` a new label (-1: none), updating everything that depends on it.
    ///
    /// The first change after `init` copies the label and exclusion arrays if the caller still
    /// holds the input they came from (copy-on-write). Otherwise a change costs a sum over the
    /// old and new class's members (their thresholds), a binary search and a memmove in each
    /// of those classes' sorted orders, the items whose confidence crosses a moved threshold,
    /// and the neighbourhoods that contain the item.
    public mutating func setLabel(_ item: Int, to label: Int32) {
        precondition(label >= -1 && Int(label) < k, "label must be a class index or -1")
        guard input.labels[item] != label else { return }
        change(item) { $0.labels[item] = label }
    }

    /// Excludes (or re-includes) `item`: excluded items are neither judged nor evidence.
    public mutating func setExcluded(_ item: Int, _ excluded: Bool) {
        guard input.excluded[item] != excluded else { return }
        change(item) { $0.excluded[item] = excluded }
    }

    /// Splits `item` off its component ("not a duplicate") or takes it back.
    ///
    /// Components are rebuilt in full (the star grouping over the pairs): a split can
    /// break a component anywhere, and it is a rare decision.
    public mutating func setSplitOff(_ item: Int, _ splitOff: Bool) {
        guard input.splitOff.contains(Int32(item)) != splitOff else { return }
        if splitOff { input.splitOff.insert(Int32(item)) } else { input.splitOff.remove(Int32(item)) }
        guard input.hasDuplicateEvidence else { return }
        let found = Components(count: n, pairs: input.duplicatePairs, identical: input.identical, splitOff: input.splitOff)
        components = found
        componentSummaries = found.members.enumerated().map { c, members in ComponentSummary(index: c, members: members, labels: judgedLabels) }
    }

    /// The full analysis of the current input, equal to `LabelAnalysis(input, settings:)`.
    /// Costs O(n) for the fused score (see the type's documentation); the rest is copied.
    public var analysis: LabelAnalysis {
        let accuracies = sourceAccuracies()
        let estimate = sourceWeights()
        let weights = estimate.weights
        let names = input.models.map(\.name) + (neighbourDistribution.isEmpty ? [] : ["neighbours"])
        let sources = names.indices.map {
            LabelAnalysis.Source(name: names[$0], accuracy: accuracies[$0], auroc: estimate.auroc[$0], weight: weights[$0])
        }
        var fused = [Float](repeating: .nan, count: n)
        var suggested = [Int32](repeating: -1, count: n)
        if !weights.isEmpty {
            let chunk = 1 << 15
            let chunks = (n + chunk - 1) / chunk
            fused.withUnsafeMutableBufferPointer { fusedOut in
                suggested.withUnsafeMutableBufferPointer { suggestedOut in
                    let f = UnsafeSendable(fusedOut), s = UnsafeSendable(suggestedOut)
                    DispatchQueue.concurrentPerform(iterations: chunks) { c in
                        var combined = [Double](repeating: 0, count: k)
                        for i in (c * chunk)..<min(n, (c + 1) * chunk) {
                            let (score, top) = fuse(i, weights: weights, form: estimate.form, combined: &combined)
                            f.value[i] = score
                            s.value[i] = top
                        }
                    }
                }
            }
        }
        let models = input.models.indices.map { m in
            LabelAnalysis.ModelSignals(
                name: input.models[m].name, predicted: modelPredicted[m], selfConfidence: selfConfidence[m], margin: margin[m],
                entropy: modelEntropy[m], accuracy: judgedCount == 0 ? 0 : Double(modelCorrect[m]) / Double(judgedCount))
        }
        return LabelAnalysis(
            classes: input.classes, models: models, ensemble: ensemble, ensemblePredicted: ensemblePredicted,
            voteDisagreement: voteDisagreement, divergence: divergence, confidentLearningIssue: confidentLearningIssue,
            neighbourAgreement: neighbourAgreement, neighbourVote: neighbourVote, outlierScore: outlierScore,
            components: components, componentSummaries: componentSummaries, fusedScore: fused, suggested: suggested, sources: sources,
            fusedForm: estimate.form)
    }

    /// One item's fused score and suggested class (as in `analysis`). Estimating the weights
    /// costs O(sources × items); to score many items, take `sourceWeights()` once and use
    /// `fusedScore(of:weights:form:)`, O(sources × classes) each.
    public func fusedScore(of item: Int) -> (score: Float, suggested: Int32) {
        let estimate = sourceWeights()
        return fusedScore(of: item, weights: estimate.weights, form: estimate.form)
    }

    /// One item's fused score and suggested class under `weights` and `form` (from
    /// `sourceWeights()`).
    public func fusedScore(of item: Int, weights: [Double], form: SourceWeighting.Form = .selfConfidence) -> (score: Float, suggested: Int32) {
        guard !weights.isEmpty else { return (.nan, -1) }
        var combined = [Double](repeating: 0, count: k)
        return fuse(item, weights: weights, form: form, combined: &combined)
    }

    /// The sources' weights in the fused score, estimated as `LabelAnalysis` does.
    public func sourceWeights() -> SourceWeighting.Estimate {
        var columns: [[Float]] = [], predicted: [[Int32]] = [], runnerUp: [[Float]] = []
        let judged = (0..<n).filter(input.isJudged)
        // The form is chosen only from three sources and classes on (see `SourceWeighting`).
        let choosesForm = input.models.count + (neighbourDistribution.isEmpty ? 0 : 1) >= SourceWeighting.formChoiceMinimumSources && k > 2
        for (m, model) in input.models.enumerated() {
            columns.append(judged.map { model.values[$0 * k + Int(input.labels[$0])] })
            predicted.append(judged.map { modelPredicted[m][$0] })
            if choosesForm { runnerUp.append(judged.map { LabelAnalysis.runnerUp(model.values, row: $0, label: Int(input.labels[$0]), classes: k) }) }
        }
        if !neighbourDistribution.isEmpty {
            columns.append(judged.map { neighbourDistribution[$0 * k + Int(input.labels[$0])] })
            predicted.append(judged.map { Int32(rowArgmax(neighbourDistribution, row: $0, classes: k)) })
            if choosesForm {
                runnerUp.append(judged.map { LabelAnalysis.runnerUp(neighbourDistribution, row: $0, label: Int(input.labels[$0]), classes: k) })
            }
        }
        return SourceWeighting.estimate(
            labels: judged.map { input.labels[$0] }, classes: k, labelProbability: columns, predicted: predicted,
            runnerUp: choosesForm ? runnerUp : nil)
    }

    /// Whether confident learning flags `item` now.
    public func isConfidentLearningIssue(_ item: Int) -> Bool { confidentLearningIssue[item] }

    // MARK: - Internals

    /// The sources' accuracies against the current labels, computed as `LabelAnalysis` does.
    func sourceAccuracies() -> [Double] {
        var correct = modelCorrect
        if !neighbourDistribution.isEmpty { correct.append(neighbourCorrect) }
        return correct.map { judgedCount == 0 ? 1 : Double($0) / Double(judgedCount) }
    }

    func fuse(_ i: Int, weights: [Double], form: SourceWeighting.Form, combined: inout [Double]) -> (Float, Int32) {
        for c in 0..<k { combined[c] = 0 }
        for m in input.models.indices {
            let w = weights[m]
            input.models[m].values.withUnsafeBufferPointer { v in for c in 0..<k { combined[c] += w * Double(v[i * k + c]) } }
        }
        if !neighbourDistribution.isEmpty {
            let w = weights[input.models.count]
            for c in 0..<k { combined[c] += w * Double(neighbourDistribution[i * k + c]) }
        }
        let top = Int32(combined.indices.max { combined[$0] != combined[$1] ? combined[$0] < combined[$1] : $0 > $1 }!)
        return (input.isJudged(i) ? Float(form.score(combined, label: Int(input.labels[i]))) : .nan, top)
    }

    /// Applies `mutate` to the input for `item`, retracting the counts of everything it
    /// affects first and adding them back after.
    mutating func change(_ item: Int, _ mutate: (inout AnalysisInput) -> Void) {
        var affected = [item]
        if input.neighbours != nil {
            var seen: Set<Int32> = [Int32(item)]
            for i in reverseItems[reverseOffsets[item]..<reverseOffsets[item + 1]] where seen.insert(i).inserted { affected.append(Int(i)) }
        }
        let oldLabel = input.labels[item], wasJudged = input.isJudged(item)
        removeContributions(item)
        for i in affected.dropFirst() { removeNeighbourContribution(i) }
        if wasJudged {
            judgedCount -= 1
            let at = position(of: Int32(item), in: members[Int(oldLabel)])
            members[Int(oldLabel)].remove(at: at)
            if !ensemble.isEmpty { memberValues[Int(oldLabel)].remove(at: at) }
            removeFromSlots(item, Int(oldLabel))
        }
        mutate(&input)
        let label = input.labels[item], judged = input.isJudged(item)
        if judged {
            judgedCount += 1
            let at = position(of: Int32(item), in: members[Int(label)])
            members[Int(label)].insert(Int32(item), at: at)
            if !ensemble.isEmpty { memberValues[Int(label)].insert(Double(ensemble[item * k + Int(label)]), at: at) }
            insertIntoSlots(item, Int(label))
        }
        judgedLabels[item] = judged ? label : -1
        for m in input.models.indices {
            let row = input.models[m].values[(item * k)..<((item + 1) * k)]
            selfConfidence[m][item] = label >= 0 ? row[row.startIndex + Int(label)] : .nan
            margin[m][item] = label >= 0 ? Float(LabelQuality.score(.normalizedMargin, row: row, label: Int(label))) : .nan
        }
        if let graph = input.neighbours { for i in affected { recomputeNeighbourhood(i, graph) } }
        addContributions(item)
        for i in affected.dropFirst() { addNeighbourContribution(i) }
        if let c = components?.componentOf[item], c >= 0 {
            componentSummaries[Int(c)] = ComponentSummary(index: Int(c), members: componentSummaries[Int(c)].members, labels: judgedLabels)
        }
        var changed: Set<Int> = []
        if wasJudged { changed.insert(Int(oldLabel)) }
        if judged { changed.insert(Int(label)) }
        refreshConfidentLearning(changedClasses: changed, touched: [item], forceAll: false)
    }

    /// Index of `x` in the ascending `list` (or where it would go).
    func position(of x: Int32, in list: [Int32]) -> Int {
        var low = 0, high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid] < x { low = mid + 1 } else { high = mid }
        }
        return low
    }

    mutating func addContributions(_ i: Int) { contributions(i, sign: 1) }
    mutating func removeContributions(_ i: Int) { contributions(i, sign: -1) }

    /// The item's share of the model and neighbour correct counts and of the confident joint.
    mutating func contributions(_ i: Int, sign: Int) {
        guard input.isJudged(i) else { return }
        let label = input.labels[i]
        for m in input.models.indices where modelPredicted[m][i] == label { modelCorrect[m] += sign }
        if !neighbourDistribution.isEmpty, rowArgmax(neighbourDistribution, row: i, classes: k) == Int(label) { neighbourCorrect += sign }
        if !guess.isEmpty, guess[i] >= 0 { joint[Int(label) * k + Int(guess[i])] += sign }
    }

    mutating func addNeighbourContribution(_ i: Int) { neighbourContribution(i, sign: 1) }
    mutating func removeNeighbourContribution(_ i: Int) { neighbourContribution(i, sign: -1) }

    mutating func neighbourContribution(_ i: Int, sign: Int) {
        guard input.isJudged(i), !neighbourDistribution.isEmpty else { return }
        if rowArgmax(neighbourDistribution, row: i, classes: k) == Int(input.labels[i]) { neighbourCorrect += sign }
    }

    /// Neighbour agreement, vote and distribution of item `i`, exactly as `LabelAnalysis`.
    mutating func recomputeNeighbourhood(_ i: Int, _ graph: NeighbourGraph) {
        var weights = [Double](repeating: 0, count: k)
        var total = 0.0
        for j in 0..<graph.k {
            let id = Int(graph.ids[i * graph.k + j])
            guard id >= 0, input.isJudged(id) else { continue }
            let w = Double(max(graph.similarities[i * graph.k + j], 0))
            weights[Int(input.labels[id])] += w
            total += w
        }
        neighbourAgreement[i] = .nan
        neighbourVote[i] = -1
        if total > 0 {
            if input.labels[i] >= 0 { neighbourAgreement[i] = Float(weights[Int(input.labels[i])] / total) }
            neighbourVote[i] = Int32(weights.indices.max { weights[$0] != weights[$1] ? weights[$0] < weights[$1] : $0 > $1 }!)
        }
        let smoothing = LabelAnalysis.neighbourSmoothing
        for c in 0..<k { neighbourDistribution[i * k + c] = Float((weights[c] + smoothing / Double(k)) / (total + smoothing)) }
    }

    /// cleanlab's confident threshold of class `c` over its current members (numpy's sum order).
    func threshold(_ c: Int) -> Double {
        guard !ensemble.isEmpty, !members[c].isEmpty else { return ConfidentLearning.absentClassThreshold }
        return max(NumpyArithmetic.sum(memberValues[c]) / Double(members[c].count), ConfidentLearning.thresholdLowerBound)
    }

    /// The item's confident-joint guess under the current thresholds (-1: confident in none).
    func computeGuess(_ i: Int) -> Int32 {
        var confident = 0, only = 0
        for c in 0..<k where Double(ensemble[i * k + c]) >= thresholds[c] - ConfidentLearning.comparisonTolerance {
            confident += 1
            only = c
        }
        guard confident > 0 else { return -1 }
        return Int32(confident == 1 ? only : rowArgmax(ensemble, row: i, classes: k))
    }

    /// Updates thresholds, guesses, the joint, the per-class picks and the issue flags after
    /// the members of `changedClasses` changed; `touched` items get their flag recomputed.
    mutating func refreshConfidentLearning(changedClasses: Set<Int>, touched: [Int], forceAll: Bool) {
        guard !ensemble.isEmpty else { return }
        var touched = touched
        // Thresholds, and the items whose confidence in a class crosses the moved cut.
        var moved: [(c: Int, old: Double)] = []
        for c in changedClasses.sorted() {
            let t = threshold(c)
            if t != thresholds[c] { moved.append((c, thresholds[c])); thresholds[c] = t }
        }
        var crossing: Set<Int32> = []
        for (c, old) in moved {
            let a = old - ConfidentLearning.comparisonTolerance, b = thresholds[c] - ConfidentLearning.comparisonTolerance
            let low = firstAtLeast(min(a, b), column: c), high = firstAtLeast(max(a, b), column: c)
            for r in low..<high { crossing.insert(columnItems[c][r]) }
        }
        for i in crossing {
            let i = Int(i)
            let judged = input.isJudged(i)
            if judged, guess[i] >= 0 { joint[Int(input.labels[i]) * k + Int(guess[i])] -= 1 }
            guess[i] = computeGuess(i)
            if judged, guess[i] >= 0 { joint[Int(input.labels[i]) * k + Int(guess[i])] += 1 }
            touched.append(i)
        }

        let wasActive = clActive
        clActive = k >= 2 && members.lazy.filter { !$0.isEmpty }.count >= 2
        if [.pruneByNoiseRate, .pruneByClass, .both].contains(settings.filterBy) {
            var raised = (0..<k).map { g in Array(joint[(g * k)..<((g + 1) * k)]) }
            for c in 0..<k { raised[c][c] = max(raised[c][c], 1) }
            prune = ConfidentLearning.pruneCountMatrix(ConfidentLearning.calibrated(raised, counts: members.map(\.count)), keep: 1)
            for c in 0..<k { for j in 0..<k where wantsSlot(c, j) { setApplied(c, j, to: desiredLimit(c, j)) } }
        }
        touched += pendingTouched
        pendingTouched = []
        if forceAll || clActive != wasActive {
            for i in 0..<n { updateIssue(i) }
        } else {
            for i in touched { updateIssue(i) }
        }
    }

    /// Whether the filter uses slot j of class c (see `slotOrder`).
    func wantsSlot(_ c: Int, _ j: Int) -> Bool {
        switch settings.filterBy {
        case .pruneByNoiseRate: j != c
        case .pruneByClass: j == c
        case .both: true
        case .confidentLearning, .predictedNotGiven: false
        }
    }

    /// The selection's size `ConfidentLearning.pruneMasks` would use (0: none).
    func desiredLimit(_ c: Int, _ j: Int) -> Int {
        let count = members[c].count
        guard clActive, count > 1 else { return 0 }
        if j == c { return count - prune[c][c] >= 1 ? count - prune[c][c] : 0 }
        return min(max(prune[j][c], 0), count)
    }

    /// The slot key order of `ConfidentLearning.selectSmallest` (key, then index).
    @inline(__always) static func slotLess(_ a: Int32, _ b: Int32, _ c: Int, _ j: Int, _ p: [Float], _ k: Int) -> Bool {
        let ka = slotKey(a, c, j, p, k), kb = slotKey(b, c, j, p, k)
        return ka != kb ? ka < kb : a < b
    }

    @inline(__always) static func slotKey(_ i: Int32, _ c: Int, _ j: Int, _ p: [Float], _ k: Int) -> Double {
        let own = Double(p[Int(i) * k + c])
        return j == c ? own : -(Double(p[Int(i) * k + j]) - own)
    }

    /// Position of `x` in slot (c, j)'s order (or where it goes).
    func slotPosition(_ x: Int32, _ c: Int, _ j: Int) -> Int {
        let order = slotOrder[c][j]
        var low = 0, high = order.count
        while low < high {
            let mid = (low + high) / 2
            if Self.slotLess(order[mid], x, c, j, ensemble, k) { low = mid + 1 } else { high = mid }
        }
        return low
    }

    mutating func setPicked(_ i: Int32, _ c: Int, _ j: Int, _ on: Bool) {
        let i = Int(i)
        if j == c { flaggedByClass[i] = on } else if on { noiseRatePicks[i] += 1 } else { noiseRatePicks[i] -= 1 }
        pendingTouched.append(i)
    }

    /// Takes `item` out of class c's orders, keeping each selection the prefix of its size.
    mutating func removeFromSlots(_ item: Int, _ c: Int) {
        guard !ensemble.isEmpty else { return }
        for j in 0..<k where wantsSlot(c, j) {
            let p = slotPosition(Int32(item), c, j)
            slotOrder[c][j].remove(at: p)
            let limit = applied[c][j]
            guard p < limit else { continue }
            setPicked(Int32(item), c, j, false)
            if limit <= slotOrder[c][j].count { setPicked(slotOrder[c][j][limit - 1], c, j, true) } else { applied[c][j] = limit - 1 }
        }
    }

    /// Puts `item` into class c's orders, keeping each selection the prefix of its size.
    mutating func insertIntoSlots(_ item: Int, _ c: Int) {
        guard !ensemble.isEmpty else { return }
        for j in 0..<k where wantsSlot(c, j) {
            let p = slotPosition(Int32(item), c, j)
            slotOrder[c][j].insert(Int32(item), at: p)
            let limit = applied[c][j]
            guard p < limit else { continue }
            setPicked(Int32(item), c, j, true)
            setPicked(slotOrder[c][j][limit], c, j, false)
        }
    }

    /// Grows or shrinks slot (c, j)'s selection to its first `limit` items.
    mutating func setApplied(_ c: Int, _ j: Int, to limit: Int) {
        let old = applied[c][j]
        guard limit != old else { return }
        for r in min(old, limit)..<max(old, limit) { setPicked(slotOrder[c][j][r], c, j, limit > old) }
        applied[c][j] = limit
    }

    /// First position in class `c`'s sorted column whose value is at least `cut`.
    func firstAtLeast(_ cut: Double, column c: Int) -> Int {
        let values = columnValues[c]
        var low = 0, high = values.count
        while low < high {
            let mid = (low + high) / 2
            if Double(values[mid]) < cut { low = mid + 1 } else { high = mid }
        }
        return low
    }

    mutating func updateIssue(_ i: Int) {
        guard clActive, input.isJudged(i) else { confidentLearningIssue[i] = false; return }
        let label = Int(input.labels[i])
        let flagged: Bool
        switch settings.filterBy {
        case .pruneByNoiseRate: flagged = noiseRatePicks[i] > 0
        case .pruneByClass: flagged = flaggedByClass[i]
        case .both: flagged = noiseRatePicks[i] > 0 && flaggedByClass[i]
        case .confidentLearning: flagged = guess[i] >= 0 && Int(guess[i]) != label
        case .predictedNotGiven: flagged = Int(ensemblePredicted[i]) != label
        }
        confidentLearningIssue[i] = flagged && !predictionAgreesWithLabel(i, label)
    }

    /// As `ConfidentLearning.predictionAgreesWithLabel`, on the ensemble row.
    func predictionAgreesWithLabel(_ i: Int, _ label: Int) -> Bool {
        let boosted = Double(ensemble[i * k + label]) + ConfidentLearning.comparisonTolerance
        for c in 0..<k where c != label {
            let value = Double(ensemble[i * k + c])
            if c < label ? value >= boosted : value > boosted { return false }
        }
        return true
    }
}

extension LabelAnalysis {
    /// Memberwise, for `IncrementalAnalysis`.
    init(
        classes: [String], models: [ModelSignals], ensemble: [Float], ensemblePredicted: [Int32], voteDisagreement: [Float],
        divergence: [Float], confidentLearningIssue: [Bool], neighbourAgreement: [Float], neighbourVote: [Int32],
        outlierScore: [Float], components: Components?, componentSummaries: [ComponentSummary], fusedScore: [Float],
        suggested: [Int32], sources: [Source], fusedForm: SourceWeighting.Form
    ) {
        self.classes = classes
        self.models = models
        self.ensemble = ensemble
        self.ensemblePredicted = ensemblePredicted
        self.voteDisagreement = voteDisagreement
        self.divergence = divergence
        self.confidentLearningIssue = confidentLearningIssue
        self.neighbourAgreement = neighbourAgreement
        self.neighbourVote = neighbourVote
        self.outlierScore = outlierScore
        self.components = components
        self.componentSummaries = componentSummaries
        self.fusedScore = fusedScore
        self.fusedForm = fusedForm
        self.suggested = suggested
        self.sources = sources
    }
}
