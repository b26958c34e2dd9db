import Foundation
import Testing
import WinnowTestSupport
@testable import WinnowCLI
@testable import WinnowSession

/// Roles, login names and leases as a team meets them on the command line.
@Suite("Team work on the command line")
struct TeamCLITests {
    func project(_ toml: String, function: String = #function) -> TemporaryDataset {
        let dataset = TemporaryDataset.simple(count: 6, function: function).write("winnow.toml", toml)
        #expect(CLIStore.run(["import", dataset.root]).status == 0)
        return dataset
    }

    static let team = "[team]\n[team.reviewers]\nann = \"annotator\"\nmo = \"moderator\"\nlee = \"lead\"\n"

    @Test("only leads export when there is a reviewer list; --final-only follows reviews_per_item", arguments: StoreKind.allCases)
    func exportsAndFinality(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = project(Self.team.replacingOccurrences(of: "[team]\n", with: "[team]\nreviews_per_item = 2\n"))
            let refused = CLIStore.run(["export", dataset.root, "--reviewer", "ann"])
            #expect(refused.status == 4 && refused.stderr.contains("only leads may export label sets"))
            #expect(CLIStore.run(["decide", dataset.root, "img0.png", "--accept", "--reviewer", "ann"]).status == 0)
            #expect(CLIStore.run(["decide", dataset.root, "img1.png", "--accept", "--reviewer", "ann"]).status == 0)
            #expect(CLIStore.run(["decide", dataset.root, "img1.png", "--accept", "--reviewer", "mo"]).status == 0)
            let final = CLIStore.run(["export", dataset.root, "--final-only", "--reviewer", "lee"])
            #expect(final.status == 0, "\(final.stderr)")
            // One review of two is not final; two agreeing reviews are.
            #expect(final.stdout.contains("img1.png") && !final.stdout.contains("img0.png"))
        }
    }

    @Test("a refused act exits 4 and says who may do it; the allowed ones go through", arguments: StoreKind.allCases)
    func roles(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = project(Self.team)
            let refused = CLIStore.run(["decide", dataset.root, "img0.png", "--exclude", "--reviewer", "ann"])
            #expect(refused.status == 4)
            #expect(refused.stderr.contains("only moderators and leads may exclude images; ann is an annotator"))
            #expect(refused.stderr.contains("ask lee, mo"))
            #expect(CLIStore.run(["decide", dataset.root, "img0.png", "--exclude", "--reviewer", "mo"]).status == 0)
            let stranger = CLIStore.run(["decide", dataset.root, "img1.png", "--accept", "--reviewer", "eve"])
            #expect(stranger.status == 4 && stranger.stderr.contains("eve is not listed in [team.reviewers]"))
            // The review screen says so before it opens.
            let screen = CLIStore.run(["review", dataset.root, "--reviewer", "eve", "--graphics", "none"])
            #expect(screen.status == 4 && screen.stderr.contains("not listed"))
            let disputed = CLIStore.run(["decide", dataset.root, "--next", "1", "--queue", "disputed", "--accept", "--reviewer", "ann"])
            #expect(disputed.status == 4 && disputed.stderr.contains("only leads may settle disputed items"))
        }
    }

    @Test("enforce_login: reviewers are their login names")
    func enforcedLogin() {
        let dataset = project("[team]\nenforce_login = true\n")
        let claimed = CLIStore.run(["decide", dataset.root, "img0.png", "--accept", "--reviewer", "somebody-else"])
        #expect(claimed.status == 1 && claimed.stderr.contains("enforces login names"))
        let viaEnvironment = CLIStore.run(["decide", dataset.root, "img0.png", "--accept"], environment: ["WINNOW_REVIEWER": "somebody-else"])
        #expect(viaEnvironment.status == 1 && viaEnvironment.stderr.contains("from WINNOW_REVIEWER"))
        let own = CLIStore.run(["decide", dataset.root, "img0.png", "--accept", "--reviewer", loginName()])
        #expect(own.status == 0, "\(own.stderr)")
    }

    @Test("winnow leases lists who holds what; only a lead breaks them; a held item refuses others' decisions", arguments: StoreKind.allCases)
    func leases(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = project(Self.team)
            let project = try Project.open(try ProjectOptions.parse([dataset.root] + (CLIStore.current?.url.map { ["--store", $0] } ?? [])))
            let session = LeaseSession(store: project.store, reviewer: "ann", policy: project.config.team)
            let id = try #require(try project.store.itemStates(ids: Array(1...6)).first { $0.path == "img2.png" }?.id)
            #expect(try session.hold([id], settling: false).isEmpty)
            let listed = CLIStore.run(["leases", dataset.root])
            #expect(listed.status == 0 && listed.stdout.contains("ann") && listed.stdout.contains("img2.png"))
            let blocked = CLIStore.run(["decide", dataset.root, "img2.png", "--accept", "--reviewer", "mo"])
            #expect(blocked.status == 4 && blocked.stderr.contains("ann is reviewing \"img2.png\""))
            #expect(CLIStore.run(["leases", dataset.root, "--break", "--as", "mo"]).status == 4)
            let broken = CLIStore.run(["leases", dataset.root, "--break", "--reviewer", "ann", "--as", "lee"])
            #expect(broken.status == 0 && broken.stdout.contains("1 lease ended"))
            #expect(CLIStore.run(["leases", dataset.root]).stdout.contains("no item is held"))
            #expect(CLIStore.run(["decide", dataset.root, "img2.png", "--accept", "--reviewer", "mo"]).status == 0)
            session.close()
        }
    }
}

@Suite("Output files")
struct OutputFileTests {
    @Test("-o /dev/null writes to the device: it is never replaced by a file")
    func devicesAreWrittenInPlace() throws {
        let dataset = TemporaryDataset.simple(count: 3)
        let export = CLIStore.run(["export", dataset.root, "-o", "/dev/null"])
        #expect(export.status == 0, "\(export.stderr)")
        var info = stat()
        #expect(stat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR, "/dev/null is still a character device")
        #expect(access("/dev/null.manifest.json", F_OK) != 0, "no manifest beside a device")
    }
}
