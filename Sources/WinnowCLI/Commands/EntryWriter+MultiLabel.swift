import WinnowAnalysis
import WinnowCore
import WinnowSession

/// Queue entries of multi-label data: the suggested label set and the per-class signals.
extension EntryWriter {
    /// The label set cleanlab's per-class flags suggest for the item (`a|b`), or nil.
    func suggestedSet(_ item: Int) -> [String]? {
        guard let m = multiLabel else { return nil }
        let taxonomy = ClassTaxonomy(input.classes)
        let current = (context.items[item].resolution.labels?.names ?? []).compactMap { taxonomy.position(of: $0).map(Int32.init) }
        return m.suggested(item, current: current)?.map { input.classes[Int($0)] }
    }

    /// The suggestion in a table or CSV: a class, or for multi-label data a set.
    func suggestedText(_ item: Int) -> String {
        multiLabel == nil ? className(analysis.suggested[item]) : (suggestedSet(item).map { LabelSet(normalized: $0).description } ?? "")
    }

    /// JSON: `"multi_label":{"issue":…,"quality":…,"classes":[{"class","given","probability"}]}`.
    func multiLabelSignals(_ item: Int) -> String? {
        guard let m = multiLabel else { return nil }
        let classes = m.classIssues[item].map { issue in
            "{\"class\":" + JSONText.quoted(input.classes[Int(issue.classIndex)]) + ",\"given\":" + (issue.given ? "true" : "false")
                + ",\"probability\":" + String(format: "%.6g", Double(issue.probability)) + "}"
        }
        let quality = m.quality[item].isNaN ? "null" : String(format: "%.6g", m.quality[item])
        return "\"multi_label\":{\"issue\":" + (m.issue[item] ? "true" : "false") + ",\"quality\":" + quality
            + ",\"classes\":[" + classes.joined(separator: ",") + "]}"
    }
}
