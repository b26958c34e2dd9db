import WinnowSession

/// `print` inside WinnowBench goes through `Console`, as in WinnowCLI: standard output,
/// sanitised. (It shadows the standard library's, so no bench prints unsanitised text by accident.)
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    Console.write(items.map { "\($0)" }.joined(separator: separator) + terminator, to: .standardOutput)
}
