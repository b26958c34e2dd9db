import ArgumentParser
import WinnowCommandLine
import Foundation
import WinnowSession

/// `winnow`: the root command.
public struct WinnowCommand: ParsableCommand {
    public static let version = WinnowVersion.current

    public static let configuration = CommandConfiguration(
        commandName: "winnow",
        abstract: "Find and fix wrong labels in image datasets, from the terminal.",
        discussion: """
            A dataset is a folder with images/ and, optionally, items.csv, classes.txt, \
            labels.csv, predictions/<model>.csv|.npy, embeddings.npy and winnow.toml \
            (see the README for the exact contract). The project state lives in \
            <dir>/.winnow/winnow.sqlite, or in --state DIR; or, shared by every host with \
            a copy of the dataset, in a PostgreSQL database: --store URL, else \
            $WINNOW_STORE, else winnow.toml's [store] url (never with a password: use \
            ~/.pgpass or $PGPASSWORD).

            QUICK START:
              winnow import SampleProjects/shapes
              winnow info SampleProjects/shapes
              winnow analyze SampleProjects/shapes
              winnow queue SampleProjects/shapes --limit 10
              winnow review SampleProjects/shapes
              winnow decide SampleProjects/shapes batch-01/img_0001.png --relabel circle
              winnow log SampleProjects/shapes --since 1d
              winnow verify SampleProjects/shapes
              winnow stats SampleProjects/shapes
              winnow export SampleProjects/shapes --format csv -o labels.corrected.csv

            \(WinnowExit.helpText)
            """,
        version: version,
        subcommands: [
            ImportCommand.self, InfoCommand.self, AnalyzeCommand.self, QueueCommand.self, ComponentsCommand.self,
            SimilarCommand.self, ReviewCommand.self, DecideCommand.self, LeasesCommand.self, LogCommand.self, VerifyCommand.self,
            StatsCommand.self, ExportCommand.self, DoctorCommand.self, ResetCommand.self
        ]
    )

    public init() {}

    /// Parses `arguments`, runs the command and returns the exit code (see `WinnowExit`).
    public static func run(arguments: [String]) -> Int32 {
        CommandRunner.run(WinnowCommand.self, arguments: arguments, program: "winnow")
    }
}
