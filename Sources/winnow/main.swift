import Foundation
import WinnowCLI

exit(WinnowCommand.run(arguments: Array(CommandLine.arguments.dropFirst())))
