import ArgumentParser
import Foundation
import WinnowCore
import WinnowStore
import WinnowUI
import WinnowSession

struct LeasesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leases",
        abstract: "Show which reviewer holds which item now, or break leases (leads).",
        discussion: """
            A review session holds (leases) the item on its screen and the next few, so no \\
            other session is shown them. Leases are renewed while the session runs and let go \\
            when it quits; a session that dies (kill -9, a dropped SSH connection) stops \\
            renewing them and its items come back after [team] lease_minutes (default 5). \\
            A lead can end them at once with --break (all of them, one reviewer's with \\
            --reviewer, or one image's with --image).

            EXAMPLES:
              winnow leases SampleProjects/shapes
              winnow leases SampleProjects/shapes --break --reviewer alice

            \(WinnowExit.helpText)
            """)

    @OptionGroup var project: ProjectOptions
    @Flag(name: .customLong("break"), help: "End the leases shown (leads only).") var breakThem = false
    @Option(help: ArgumentHelp("Only this reviewer's leases.", valueName: "name")) var reviewer: String?
    @Option(help: ArgumentHelp("Only this image's lease (a path relative to images/).", valueName: "image")) var image: String?
    @Option(name: .customLong("as"), help: ArgumentHelp("Who breaks them (default: $WINNOW_REVIEWER, else the login name).", valueName: "name"))
    var actor: String?

    func run() throws {
        let opened = try Project.open(project)
        let now = Date()
        let shown = try opened.store.activeLeases(now: now).filter { lease in
            (reviewer == nil || lease.reviewer == reviewer) && (image == nil || lease.image == image)
        }
        if breakThem {
            let who = try resolveReviewer(actor, policy: opened.config.team)
            try opened.config.team.authorize(who, .breakLeases)
            let ended = try opened.store.breakLeases(reviewer: reviewer, image: image)
            print("\(ended) lease\(ended == 1 ? "" : "s") ended; those items are open to everybody again")
            return
        }
        guard !shown.isEmpty else {
            print("no item is held now")
            return
        }
        let s = TerminalText.sanitize
        print("reviewer             left   image")
        for lease in shown {
            let left = max(0, Int(lease.expiresAt.timeIntervalSince(now).rounded()))
            print(
                DisplayWidth.fit(s(lease.reviewer), to: 20) + " " + DisplayWidth.fit("\(left / 60)m\(String(format: "%02d", left % 60))s", to: 6)
                    + " " + s(lease.image))
        }
    }
}
