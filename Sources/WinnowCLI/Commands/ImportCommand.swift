import ArgumentParser
import WinnowCore
import WinnowStore
import WinnowSession

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import (or re-import) a dataset folder into its project.",
        discussion: """
            Reads images/, items.csv, classes.txt, labels.csv, predictions/ and \
            embeddings.npy, checks them, and records them in the project in one \
            transaction. Structural problems (a missing column, a probability row that \
            does not sum to 1, a label not in classes.txt, a path outside images/, ...) \
            stop the import with the file, line and column of each, and change nothing. \
            Missing or unreadable images do not stop it: those items are marked and \
            listed by `winnow info`.

            Re-importing after the dataset changed (new images, new predictions, new \
            embeddings) updates the project and keeps every decision; an image that \
            disappeared keeps its history.

            Without labels.csv, images in sub-folders take the folder's name as their \
            label (images/<class>/<file>, the ImageFolder layout). --no-folder-labels (or \
            [import] folder_labels = false) keeps them unlabelled: for folders that are \
            not classes, such as one per writer or per day.

            EXAMPLES:
              winnow import SampleProjects/shapes
              winnow import /data/moderation --state ~/winnow-state/moderation
              winnow import scans/ --no-folder-labels

            \(WinnowExit.helpText)
            """)

    @OptionGroup var project: ProjectOptions

    @Flag(name: .customLong("no-folder-labels"), help: "Sub-folders of images/ are not classes: leave the images unlabelled.")
    var noFolderLabels = false

    func run() throws {
        let (opened, summary) = try Project.importDataset(project) { config in
            if noFolderLabels { config.folderLabels = false }
        }
        print(Project.describe(summary, decodeFailures: try opened.store.decodeFailures().count))
    }
}
