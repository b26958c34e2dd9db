import Foundation
import Testing
import WinnowTestSupport
@testable import WinnowUI

@Suite("The README's key table")
struct ReadmeKeysTests {
    /// The rows of the key table under "## The review screen".
    func keyTable() throws -> String {
        let readme = try String(contentsOfFile: Repository.root + "/README.md", encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "## The review screen").dropFirst().first)
        return section.split(separator: "\n").filter { $0.hasPrefix("| `") }.joined(separator: "\n")
    }

    @Test("lists every default key of every command")
    func everyKey() throws {
        let table = try keyTable()
        for command in Command.all {
            if case .relabel = command { continue } // the digits: one row for all of them
            for key in KeyMap.defaults.keys(for: command) {
                let names: [String]
                switch key {
                case .enter: names = ["`Enter`"]
                case .escape: names = ["`Esc`"]
                case .tab: names = ["`Tab`"]
                case .control(let c): names = ["`Ctrl-\(c.uppercased())`"]
                case .pageDown: names = ["PgDn"]
                case .pageUp: names = ["PgUp"]
                case .up, .down, .left, .right: names = ["arrows"]
                case .home: names = ["`Home`"]
                case .end: names = ["`End`"]
                default: names = ["`\(key.description)`"]
                }
                #expect(names.contains { table.contains($0) }, "the README's key table lacks \(key) (\(command.name))")
            }
        }
        #expect(table.contains("`1`–`9`, `0`"))
    }
}
