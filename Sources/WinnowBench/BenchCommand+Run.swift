#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import WinnowSession

extension BenchCommand {
    /// Parses `arguments`, runs the bench and returns the exit code (the same codes as `winnow`'s).
    public static func run(arguments: [String]) -> Int32 {
        signal(SIGXFSZ, SIG_IGN)
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            // --help "fails" with exit code 0.
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                return WinnowExit.success.rawValue
            }
            printError(fullMessage(for: error))
            return WinnowExit.usage.rawValue
        }
        do {
            try command.run()
            return WinnowExit.success.rawValue
        } catch let exit as ExitCode {
            return exit.rawValue
        } catch let usage as ValidationError {
            printError("winnow-bench: " + usage.message)
            return WinnowExit.usage.rawValue
        } catch where exitCode(for: error) == .success {
            // A bare `winnow-bench` or `winnow-bench help <bench>` asks for help.
            print(fullMessage(for: error))
            return WinnowExit.success.rawValue
        } catch {
            let failure = CLIFailure.from(error)
            printError("winnow-bench: " + failure.message)
            return failure.exit.rawValue
        }
    }
}
