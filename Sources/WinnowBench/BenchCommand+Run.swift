import WinnowCommandLine

extension BenchCommand {
    /// Parses `arguments`, runs the bench and returns the exit code (the same codes as `winnow`'s).
    public static func run(arguments: [String]) -> Int32 {
        CommandRunner.run(BenchCommand.self, arguments: arguments, program: "winnow-bench")
    }
}
