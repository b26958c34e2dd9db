import Foundation
import WinnowGraphics
import WinnowTerminal
import WinnowUI
import WinnowSession

/// Chooses how the review screen draws images: detects the terminal (before ncurses
/// starts, on /dev/tty) unless the mode is forced, and builds the matching image layer.
struct GraphicsSetup {
    var layer: any ImageLayer
    /// For the header: "sixel", "blocks (tmux without passthrough)", …
    var description: String
    var showsImages: Bool
    /// How to get better images here, when there is a way.
    var hints: [String] = []

    static func choose(mode: String, colors: Int, blurStyle: String) throws -> GraphicsSetup {
        let override = GraphicsMode(rawValue: mode) ?? .auto
        if override == .none {
            return GraphicsSetup(layer: NoImageLayer(), description: "images off", showsImages: false)
        }
        // Forced blocks need no answers from the terminal: skip the probe's wait.
        let detection = GraphicsDetection.run(override: override, probeTerminal: override != .blocks)
        let capabilities = detection.capabilities
        // Inside tmux the images pass through to the outer terminal, which places them in
        // its own cells: the pane's origin is added to every position.
        let layer = TerminalImageLayer(
            capabilities: capabilities, sixelColors: colors, blur: blurStyle == "pixelate" ? .pixelate : .blur,
            paneOrigin: detection.tmuxPaneOrigin ?? .zero)
        var description = capabilities.imageProtocol.rawValue
        var hints: [String] = []
        if capabilities.imageProtocol == .blocks, override == .auto, detection.environment.isInsideTmux, detection.tmuxPassthrough != .enabled {
            description += " (tmux without allow-passthrough)"
            hints.append("tmux: set -g allow-passthrough on")
        }
        if capabilities.imageProtocol == .none {
            return GraphicsSetup(layer: NoImageLayer(), description: "images off", showsImages: false)
        }
        return GraphicsSetup(layer: layer, description: description, showsImages: true, hints: hints)
    }
}
