import ArgumentParser
import WinnowStore
import WinnowSession

/// A dataset folder and its state folder, parsed as the commands parse them (`DIR [--state S]`);
/// the benches open projects through WinnowSession exactly as `winnow` does.
struct ProjectOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The dataset folder (the one that contains images/).", valueName: "dir")) var dataset: String
    @Option(name: .long, help: ArgumentHelp("Its state folder, when not <dir>/.winnow.", valueName: "dir")) var state: String?
}

extension Project {
    static func open(_ options: ProjectOptions, importIfNeeded: Bool = true) throws -> Project {
        try open(dataset: options.dataset, state: options.state, importIfNeeded: importIfNeeded)
    }

    static func importDataset(_ options: ProjectOptions) throws -> (project: Project, summary: ImportSummary) {
        try importDataset(datasetRoot: try resolveDatasetFolder(options.dataset), state: options.state)
    }
}
