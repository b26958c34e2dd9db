#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNcursesw
import Foundation
import WinnowCore

/// The colours the review screen draws in (text and half-block images alike), and why:
/// what `NcursesScreen` starts with, and what `winnow doctor` reports.
public struct ScreenColors: Sendable, Equatable {
    public var depth: ColorDepth
    /// The terminfo description ncurses opened.
    public var description: String
    /// Its number of colours (0 when colour is off).
    public var colors: Int
    /// NO_COLOR (or `--no-color`) turned colour off.
    public var noColor: Bool

    /// Why, in words, for `winnow doctor`.
    public var reason: String {
        let name = description.isEmpty ? "the default terminal" : "terminfo \(description)"
        if noColor { return "NO_COLOR is set: the review screen draws text and half blocks without colour" }
        if colors == 0 { return "\(name) has no colours: the review screen draws without colour" }
        return "\(name) has \(colors) colours: the review screen draws in \(depth)"
    }

    /// What the review screen would use in `environment`: ncurses started exactly as the
    /// screen starts it (`NcursesScreen.open`), but on /dev/null, so nothing reaches the
    /// terminal. Nil when ncurses knows no description for TERM (the screen would not start).
    /// Call only while no review screen is running (ncurses has one current terminal).
    public static func detect(environment: [String: String] = ProcessInfo.processInfo.environment) -> ScreenColors? {
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        guard let output = fopen("/dev/null", "w") else { return nil }
        guard let input = fopen("/dev/null", "r") else { fclose(output); return nil }
        defer { fclose(output); fclose(input) }
        guard
            let (screen, colors) = NcursesScreen.open(
                term: environment["TERM"] ?? "", colorTerm: environment["COLORTERM"],
                noColor: noColor, output: output, input: input)
        else { return nil }
        endwin()
        delscreen(screen)
        return colors
    }
}
