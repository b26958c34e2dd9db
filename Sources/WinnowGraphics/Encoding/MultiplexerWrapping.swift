/// How escape sequences reach the real terminal through a terminal multiplexer.
///
/// tmux and GNU screen parse what programs write and redraw the screen themselves; image
/// protocols they do not understand are dropped. Both can forward an opaque DCS to the
/// terminal they run in, each with its own framing.
public enum MultiplexerWrapping: String, Sendable, Hashable, CaseIterable {
    /// Write sequences as they are.
    case none
    /// tmux ≥ 3.3 with `allow-passthrough on`: `ESC P tmux ; payload-with-ESC-doubled ESC \`.
    ///
    /// tmux does not track what passes through: the next text it draws over those cells
    /// erases the image, and a single DCS over 1 MiB is dropped (see ``tmuxDCSLimit``).
    case tmuxPassthrough
    /// GNU screen: the payload cut into short `ESC P … ESC \` packets, which screen
    /// forwards one by one.
    case screenPackets

    /// tmux drops a passthrough DCS of this many bytes or more.
    public static let tmuxDCSLimit = 1 << 20

    /// Screen's string buffer is small; libsixel uses 256-byte packets, and so do we.
    static let screenPacketSize = 256

    /// `payload` framed for the multiplexer.
    public func wrap(_ payload: [UInt8]) -> [UInt8] {
        switch self {
        case .none: return payload
        case .tmuxPassthrough: return Self.tmuxPassthrough(payload)
        case .screenPackets: return Self.screenPackets(payload)
        }
    }

    /// `ESC P tmux ;` + payload with every ESC doubled + `ESC \`.
    public static func tmuxPassthrough(_ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1B, UInt8(ascii: "P")] + Array("tmux;".utf8)
        out.reserveCapacity(payload.count + payload.count / 64 + 9)
        for byte in payload {
            if byte == 0x1B { out.append(0x1B) }
            out.append(byte)
        }
        out += [0x1B, UInt8(ascii: "\\")]
        return out
    }

    /// The payload back out of a tmux passthrough DCS, or nil when `wrapped` is not one.
    public static func unwrapTmuxPassthrough(_ wrapped: [UInt8]) -> [UInt8]? {
        let header: [UInt8] = [0x1B, UInt8(ascii: "P")] + Array("tmux;".utf8)
        guard wrapped.count >= header.count + 2, wrapped.starts(with: header),
            wrapped.suffix(2) == [0x1B, UInt8(ascii: "\\")]
        else { return nil }
        var payload: [UInt8] = []
        var index = header.count
        let end = wrapped.count - 2
        while index < end {
            if wrapped[index] == 0x1B {
                guard index + 1 < end, wrapped[index + 1] == 0x1B else { return nil }
                index += 1
            }
            payload.append(wrapped[index])
            index += 1
        }
        return payload
    }

    /// The payload cut into `ESC P chunk ESC \` packets of at most ``screenPacketSize`` bytes.
    ///
    /// An ST inside the payload would end screen's packet early, so the ESC of an ST gets
    /// a packet of its own and the backslash opens the next one: the cut libsixel makes
    /// for screen (for a sixel image under libsixel's 16 KiB flush size the output is
    /// byte for byte libsixel's own).
    public static func screenPackets(_ payload: [UInt8]) -> [UInt8] {
        let bodyLimit = screenPacketSize - 4
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + (payload.count / bodyLimit + 2) * 4)
        func packet(_ body: ArraySlice<UInt8>) {
            out += [0x1B, UInt8(ascii: "P")]
            out += body
            out += [0x1B, UInt8(ascii: "\\")]
        }
        func isStringTerminator(at index: Int) -> Bool {
            payload[index] == 0x1B && index + 1 < payload.count && payload[index + 1] == UInt8(ascii: "\\")
        }
        var start = 0
        while start < payload.count {
            if isStringTerminator(at: start) {
                packet(payload[start...start])
                start += 1
                continue
            }
            var end = min(start + bodyLimit, payload.count)
            if let terminator = (start..<end).first(where: isStringTerminator) { end = terminator }
            packet(payload[start..<end])
            start = end
        }
        return out
    }
}
