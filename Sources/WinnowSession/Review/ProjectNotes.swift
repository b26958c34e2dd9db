import WinnowStore

/// What the review screen tells about a project that lacks evidence: what Winnow can and
/// cannot flag with what it has, and what to add. A plain folder of images has no labels,
/// predictions or embeddings; it still gets broken images, near-duplicates (from Winnow's
/// own image features) and outliers, but nothing can say a label is wrong.
package enum ProjectNotes {
    package static func notes(_ evidence: ProjectStore.Evidence) -> [String] {
        let judges = evidence.models > 0 || evidence.hasEmbeddings
        var notes: [String] = []
        switch (evidence.labelledItems > 0, judges) {
        case (false, false):
            notes.append(
                "A plain folder of images: Winnow can flag broken images, near-duplicates and outliers (from its own image features), not wrong labels: there are none to check."
            )
            notes.append(
                "To check labels, add labels.csv (or a sub-folder per class), predictions/<model>.csv from your models and embeddings.npy, then run winnow import again."
            )
        case (false, true):
            notes.append("No labels yet: the models' predictions and neighbours show what each image looks like; there is no label to find wrong.")
        case (true, false):
            notes.append(
                "No predictions or embeddings: wrong labels show only where near-duplicates disagree. Add predictions/<model>.csv or embeddings.npy (then winnow import) to flag the rest."
            )
        case (true, true):
            break
        }
        if evidence.labelledItems == 0, evidence.classesFromFile, evidence.classes > 0 {
            notes.append(
                "Labelling from scratch: classes.txt has \(evidence.classes) classes; the random queue lists every image, and the digits or / give each one its class."
            )
        }
        return notes
    }

    /// The queue to start on when none was asked for: labelling from scratch goes through
    /// every image (the random queue); otherwise triage.
    package static func startQueue(_ evidence: ProjectStore.Evidence) -> String {
        evidence.labelledItems == 0 && evidence.classesFromFile && evidence.classes > 0 ? "random" : "triage"
    }
}
