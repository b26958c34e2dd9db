import ArgumentParser
import WinnowSession

/// Session-layer values the command line parses directly.
extension ImageFolderOutput.LinkMode: ExpressibleByArgument {}
