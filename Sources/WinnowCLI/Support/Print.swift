import WinnowSession

/// `print` inside WinnowCLI goes through `Console`: standard output, sanitised. (It shadows
/// the standard library's, so no command can print unsanitised text by accident.)
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    Console.write(items.map { "\($0)" }.joined(separator: separator) + terminator, to: .standardOutput)
}
