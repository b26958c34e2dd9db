import WinnowCore

/// The store cannot be reached while a decision or undo is in flight (its server restarts,
/// the network dropped). The decision stays in flight, unsaved: the keys typed meanwhile
/// keep waiting, the status line says what is happening, and the runtime tries again. Only
/// the store's confirmation (`decisionSaved`, `undoSaved`) shows it as saved.
extension Reducer {
    static func storeUnreachable(_ message: String, retryIn: Double, _ state: inout AppState) -> [Effect] {
        // A late report after the decision was confirmed or given up changes nothing.
        guard state.isBusy else { return [] }
        state.storeRetrying = true
        state.status = StatusMessage(.warning, unreachableText(message, retryIn: retryIn, state))
        return []
    }

    /// "store unreachable — retrying in 2 s · your relabel is kept, not saved yet · Ctrl-C
    /// quits without it · <why>", the why sanitised (it quotes the server and the URL).
    static func unreachableText(_ message: String, retryIn: Double, _ state: AppState) -> String {
        let kept =
            state.undoInFlight
            ? "your undo" : state.inFlight.map { "your \($0.kind.verb)" + ($0.items.count > 1 ? " of \($0.items.count) images" : "") } ?? "it"
        let wait = retryIn < 1 ? "retrying" : "retrying in \(Int(retryIn.rounded(.up))) s"
        let why = TerminalText.sanitize(StatusMessage.oneLine(message))
        return "store unreachable — \(wait) · \(kept) is kept, not saved yet · Ctrl-C quits without it · \(why)"
    }

    /// Said with the confirmation of a decision that waited for the store: " (the store is back)".
    static func storeBack(_ state: inout AppState) -> String {
        defer { state.storeRetrying = false }
        return state.storeRetrying ? " (the store is back)" : ""
    }
}
