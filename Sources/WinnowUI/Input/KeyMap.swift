import WinnowCore

/// Which key runs which command. The defaults follow lazygit/mutt habits; `winnow.toml`
/// [keys] replaces a command's keys (`accept = ["enter", "y"]`).
public struct KeyMap: Sendable, Equatable {
    public private(set) var bindings: [Key: Command]

    public init(bindings: [Key: Command]) { self.bindings = bindings }

    public func command(for key: Key) -> Command? { bindings[key] }

    /// The keys bound to `command`, in a stable order (for the help screen and the legend).
    public func keys(for command: Command) -> [Key] {
        bindings.filter { $0.value == command }.map(\.key).sorted {
            $0.description.count != $1.description.count ? $0.description.count < $1.description.count : $0.description < $1.description
        }
    }

    /// The first key of `command`, as shown in hints ("a", "enter").
    public func hint(_ command: Command) -> String { keys(for: command).first?.description ?? "—" }

    public static let defaults = KeyMap(
        bindings: {
            var b: [Key: Command] = [
                .enter: .accept, .character("a"): .accept,
                .character("/"): .pickClass, .character("r"): .pickClass,
                .character("x"): .exclude, .character("s"): .skip, .character("u"): .undo,
                .character("j"): .next, .down: .next, .character("k"): .previous, .up: .previous,
                .character("h"): .left, .left: .left, .character("l"): .right, .right: .right,
                .pageDown: .pageDown, .character("J"): .pageDown, .pageUp: .pageUp, .character("K"): .pageUp,
                .home: .first, .character("g"): .first, .end: .last, .character("G"): .last,
                .tab: .switchQueue, .character("c"): .component, .character("m"): .moreLikeThis,
                .character("z"): .zoom, .character("b"): .blur, .character("S"): .stats, .character("?"): .help,
                .control("l"): .redraw, .character("q"): .quit, .escape: .back,
                .character("A"): .applyMajority, .character("R"): .applyChosen, .character("d"): .splitOff,
                .character("-"): .lowerQuality, .character("+"): .raiseQuality, .character("="): .raiseQuality,
                .character("t"): .takeSuggestion, .character("n"): .note, .control("r"): .redo, .character("U"): .redo
            ]
            for index in 0..<10 { b[.character(Character(String((index + 1) % 10)))] = .relabel(index) }
            return b
        }())

    /// The defaults with `winnow.toml`'s [keys] applied. A remapped command loses its
    /// default keys; a key taken by a remapped command leaves its old command.
    public static func configured(_ config: WinnowConfig, file: String = WinnowConfig.fileName) throws(DatasetInvalid) -> KeyMap {
        var map = defaults
        var problems = ProblemCollector()
        let commands = Dictionary(uniqueKeysWithValues: Command.all.map { ($0.name, $0) })
        var claimed: [Key: String] = [:]
        for (name, keyNames) in config.keyBindings.sorted(by: { $0.key < $1.key }) {
            let line = config.keyBindingLines[name]
            guard let command = commands[name] else {
                problems.add(
                    DataProblem(
                        file: file, line: line, message: "unknown command keys.\(TerminalText.sanitize(name))",
                        hint: "commands: \(Command.all.map(\.name).joined(separator: ", "))"))
                continue
            }
            var keys: [Key] = []
            for keyName in keyNames {
                guard let key = Key(name: keyName) else {
                    problems.add(
                        DataProblem(
                            file: file, line: line, message: "keys.\(name): \"\(TerminalText.sanitize(keyName))\" is not a key name",
                            hint:
                                "a single character, or enter, esc, tab, space, backspace, up, down, left, right, pgup, pgdn, home, end, ctrl-x, f1…f24"
                        ))
                    continue
                }
                if let other = claimed[key], other != name {
                    problems.add(
                        DataProblem(
                            file: file, line: line, message: "key \(key) is given to both \(other) and \(name)", hint: "give each key one command"))
                }
                claimed[key] = name
                keys.append(key)
            }
            map.bindings = map.bindings.filter { $0.value != command }
            for key in keys { map.bindings[key] = command }
        }
        try problems.check()
        return map
    }
}
