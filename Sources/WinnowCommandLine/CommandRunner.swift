#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import WinnowSession

/// How `winnow` and `winnow-bench` run a command line: parse, run, and turn every outcome
/// into one of Winnow's exit codes (`WinnowExit`, mapped in one place by `CLIFailure.from`),
/// with errors prefixed by the program's name.
package enum CommandRunner {
    package static func run<Root: ParsableCommand>(_ root: Root.Type, arguments: [String], program: String) -> Int32 {
        // Past a file size limit (ulimit -f) a write fails with EFBIG, reported as a full
        // disk, instead of the signal killing the process half-way through.
        signal(SIGXFSZ, SIG_IGN)
        var command: any ParsableCommand
        do {
            command = try root.parseAsRoot(arguments)
        } catch {
            // --help and --version "fail" with exit code 0.
            if root.exitCode(for: error) == .success {
                Console.write(root.fullMessage(for: error) + "\n", to: .standardOutput)
                return WinnowExit.success.rawValue
            }
            printError(root.fullMessage(for: error))
            return WinnowExit.usage.rawValue
        }
        do {
            try command.run()
            return WinnowExit.success.rawValue
        } catch let exit as ExitCode {
            return exit.rawValue
        } catch let usage as ValidationError {
            printError("\(program): " + usage.message)
            return WinnowExit.usage.rawValue
        } catch  where root.exitCode(for: error) == .success {
            // A bare program name or `help <command>` asks for help.
            Console.write(root.fullMessage(for: error) + "\n", to: .standardOutput)
            return WinnowExit.success.rawValue
        } catch {
            let failure = CLIFailure.from(error)
            printError("\(program): " + failure.message)
            return failure.exit.rawValue
        }
    }
}
