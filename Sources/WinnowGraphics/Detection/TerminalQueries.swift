/// The capability queries the probe sends, in one write, ending with DA1.
///
/// Every terminal answers DA1 and answers queries in order, so its reply marks the end:
/// the probe stops reading there instead of waiting out a timeout for the queries a
/// terminal silently ignores.
public enum TerminalQueries {
    /// The image id of the kitty query; the parser only accepts replies naming it.
    public static let kittyProbeImageID = 31

    static let xtversion = csi(">q")
    /// Asks kitty to validate (not store: `a=q`) a 1×1 RGB image sent directly (`t=d`).
    static let kittyGraphics: [UInt8] =
        [0x1B, UInt8(ascii: "_")] + Array("Gi=\(kittyProbeImageID),s=1,v=1,a=q,t=d,f=24;AAAA".utf8) + [0x1B, UInt8(ascii: "\\")]
    static let sixelColorRegisters = csi("?1;1;0S")
    static let sixelMaxGeometry = csi("?2;1;0S")
    static let cellPixelSize = csi("16t")
    static let textAreaPixelSize = csi("14t")
    static let synchronizedOutputMode = csi("?2026$p")
    static let primaryDeviceAttributes = csi("c")

    /// All the queries, framed for `wrapping`.
    ///
    /// Inside a multiplexer the queries are wrapped so they reach the outer terminal,
    /// whose abilities are what matter (tmux and screen answer DA1 themselves, claiming
    /// a VT100). The DA1 sentinel goes inside the wrapper as well: the reply to an
    /// unwrapped DA1 would come from the multiplexer at once, before the outer terminal's
    /// replies have crossed a slow link. The kitty query is left out inside screen, whose
    /// packets cannot carry its ST terminator (and kitty images are not offered there), and
    /// when `kittyQuery` is false: tmux without passthrough takes an APC as a new pane
    /// title, so the query would show up in its status line.
    public static func bytes(for wrapping: MultiplexerWrapping, kittyQuery: Bool = true) -> [UInt8] {
        var queries = xtversion
        if wrapping != .screenPackets && kittyQuery { queries += kittyGraphics }
        queries += sixelColorRegisters + sixelMaxGeometry + cellPixelSize + textAreaPixelSize
        queries += synchronizedOutputMode + primaryDeviceAttributes
        return wrapping.wrap(queries)
    }

    private static func csi(_ body: String) -> [UInt8] { [0x1B, UInt8(ascii: "[")] + Array(body.utf8) }
}
