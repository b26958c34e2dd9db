import Foundation
import WinnowBench

exit(BenchCommand.run(arguments: Array(CommandLine.arguments.dropFirst())))
