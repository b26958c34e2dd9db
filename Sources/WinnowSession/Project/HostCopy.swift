#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import WinnowCore
import WinnowDataset
import WinnowPostgres
import WinnowStore

/// One host's copy of a dataset whose project is shared (PostgreSQL): items are known by
/// their path under images/, and each host has its own copy of the files. A file this copy
/// lacks (or cannot read) is a problem of this host, not of the item: the other hosts have
/// it. So it is shown here (`winnow info`, the review screen) and never written to the
/// shared project as the item's problem. What a file's bytes say (not an image, empty,
/// does not decode) is the same on every copy, and stays the item's.
package enum HostCopy {
    /// True for a problem of the copy rather than of the image: the file is missing or unreadable here.
    package static func isHostProblem(_ problem: String) -> Bool {
        problem == "missing file" || problem.hasPrefix("cannot be read")
    }

    /// `snapshot` without this host's problems (they are not the items'), and those problems.
    /// The import then records nothing about these files: their size and time are this
    /// host's absence, not the image's.
    package static func separating(_ snapshot: DatasetSnapshot) -> (snapshot: DatasetSnapshot, hostProblems: [ProjectInfo.Problem]) {
        var shared = snapshot
        var found: [ProjectInfo.Problem] = []
        for index in shared.items.indices {
            guard let problem = shared.items[index].problem, isHostProblem(problem) else { continue }
            found.append(ProjectInfo.Problem(image: shared.items[index].path, problem: problem))
            shared.items[index].problem = nil
        }
        if !found.isEmpty { shared.notices.append(notice(found)) }
        return (shared, found)
    }

    /// This host's problems among `paths` (the project's current items): files missing or
    /// unreadable in this copy, checked in parallel (a stat each, no read).
    package static func problems(root: String, paths: [String]) -> [ProjectInfo.Problem] {
        let checks = ImageSniffer.check(root: root + "/images", paths: paths, sniff: false, progress: SilentProgress())
        return zip(paths, checks).compactMap { path, check in
            guard let problem = check.problem, isHostProblem(problem) else { return nil }
            return ProjectInfo.Problem(image: path, problem: problem)
        }
    }

    /// Whether an image failure the review screen met belongs in the project as the item's
    /// problem: always with the project in a folder of this host; with a shared project only
    /// when this host's file is there to be read (its bytes are the item's on every host).
    package static func recordsProblem(of absolutePath: String, sharedStore: Bool) -> Bool {
        guard sharedStore else { return true }
        return access(absolutePath, R_OK) == 0
    }

    /// The import's line about this host's problems (at most three named).
    package static func notice(_ problems: [ProjectInfo.Problem]) -> String {
        let named = problems.prefix(3).map { "\(TerminalText.sanitize($0.image)) (\($0.problem))" }.joined(separator: ", ")
        return
            "\(problems.count) image\(problems.count == 1 ? " is" : "s are") missing or unreadable in this host's copy of the dataset: \(named)\(problems.count > 3 ? ", …" : ""); the other hosts' copies may have \(problems.count == 1 ? "it" : "them"), so the shared project does not record \(problems.count == 1 ? "it" : "them") as a problem of the item (winnow info lists this host's)"
    }
}

extension ProjectReading {
    /// True when the project is shared by hosts with copies of their own (PostgreSQL).
    package var isShared: Bool { self is PostgresProjectStore }
}
