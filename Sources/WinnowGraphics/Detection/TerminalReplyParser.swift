import WinnowCore

/// Reads a terminal's answers to the capability queries out of raw input bytes.
///
/// The bytes come straight from the tty, so besides the replies they can hold keys the
/// user typed during the probe, replies cut off by the timeout, answers from a
/// multiplexer, and replies in any order. The parser walks the bytes as a terminal's own
/// parser would (ECMA-48 CSI, DCS, APC and OSC framing, 7-bit only, as terminals answer by
/// default), keeps the sequences it recognises and skips everything else; an unfinished
/// sequence is dropped at the next ESC, CAN or SUB, so one broken reply never hides the
/// ones after it.
public enum TerminalReplyParser {
    /// The replies found in `bytes`. When a reply appears twice, the later one wins.
    public static func parse(_ bytes: [UInt8]) -> TerminalReplies {
        var replies = TerminalReplies()
        forEachSequence(in: bytes) { sequence in
            interpret(sequence, into: &replies)
        }
        return replies
    }

    /// True once `bytes` contains a complete DA1 reply: the probe's signal that every
    /// earlier query has been answered (terminals answer in order).
    public static func containsDeviceAttributes(_ bytes: [UInt8]) -> Bool {
        var found = false
        forEachSequence(in: bytes) { sequence in
            if case .controlSequence(let csi) = sequence, csi.isDeviceAttributes { found = true }
        }
        return found
    }

    // MARK: - Framing

    enum Sequence {
        case controlSequence(ControlSequence)
        /// DCS body between `ESC P` and ST.
        case deviceControlString([UInt8])
        /// APC body between `ESC _` and ST.
        case applicationProgramCommand([UInt8])
    }

    /// `CSI [prefix] parameters [intermediates] final`.
    struct ControlSequence {
        var prefix: UInt8?
        var parameters: [Int?]
        var intermediates: [UInt8]
        var final: UInt8

        var isDeviceAttributes: Bool { prefix == UInt8(ascii: "?") && intermediates.isEmpty && final == UInt8(ascii: "c") }

        func parameter(_ index: Int) -> Int? { index < parameters.count ? parameters[index] : nil }
    }

    private static let escape: UInt8 = 0x1B
    private static let bell: UInt8 = 0x07
    private static let cancel: UInt8 = 0x18
    private static let substitute: UInt8 = 0x1A

    static func forEachSequence(in bytes: [UInt8], _ body: (Sequence) -> Void) {
        var index = 0
        while index < bytes.count {
            guard bytes[index] == escape else { index += 1; continue }
            guard index + 1 < bytes.count else { return }
            switch bytes[index + 1] {
            case UInt8(ascii: "["):
                let (sequence, next) = readControlSequence(bytes, from: index + 2)
                if let sequence { body(.controlSequence(sequence)) }
                guard let next else { return }
                index = next
            case UInt8(ascii: "P"), UInt8(ascii: "_"), UInt8(ascii: "]"):
                let introducer = bytes[index + 1]
                let (content, next) = readString(bytes, from: index + 2, bellTerminates: introducer == UInt8(ascii: "]"))
                if let content {
                    if introducer == UInt8(ascii: "P") { body(.deviceControlString(content)) }
                    if introducer == UInt8(ascii: "_") { body(.applicationProgramCommand(content)) }
                }
                guard let next else { return }
                index = next
            default:
                index += 1
            }
        }
    }

    /// Reads a CSI body starting after `ESC [`. Returns the sequence (nil when malformed)
    /// and where to continue (nil when the input ends inside the sequence).
    private static func readControlSequence(_ bytes: [UInt8], from start: Int) -> (ControlSequence?, Int?) {
        var index = start
        var prefix: UInt8?
        var parameters: [Int?] = []
        var current: Int?
        var inSubParameter = false
        var sawParameter = false
        var intermediates: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0x3C...0x3F where !sawParameter && prefix == nil && intermediates.isEmpty:
                prefix = byte // < = > ?
            case UInt8(ascii: "0")...UInt8(ascii: "9") where intermediates.isEmpty:
                sawParameter = true
                if !inSubParameter {
                    // Clamp rather than overflow on absurd input.
                    current = min((current ?? 0) * 10 + Int(byte - UInt8(ascii: "0")), 1 << 40)
                }
            case UInt8(ascii: ";") where intermediates.isEmpty:
                sawParameter = true
                parameters.append(current)
                current = nil
                inSubParameter = false
            case UInt8(ascii: ":") where intermediates.isEmpty:
                sawParameter = true
                inSubParameter = true // keep only the main value of `a:b`
            case 0x20...0x2F:
                intermediates.append(byte)
            case 0x40...0x7E:
                if sawParameter { parameters.append(current) }
                return (ControlSequence(prefix: prefix, parameters: parameters, intermediates: intermediates, final: byte), index + 1)
            case escape:
                return (nil, index) // abandoned: start over at this ESC
            default:
                return (nil, index + 1) // a control character or a misplaced byte: drop it
            }
            index += 1
        }
        return (nil, nil)
    }

    /// Reads a DCS/APC/OSC body up to ST (`ESC \`), or BEL for OSC.
    private static func readString(_ bytes: [UInt8], from start: Int, bellTerminates: Bool) -> ([UInt8]?, Int?) {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == escape {
                guard index + 1 < bytes.count else { return (nil, nil) }
                if bytes[index + 1] == UInt8(ascii: "\\") {
                    return (Array(bytes[start..<index]), index + 2)
                }
                return (nil, index) // abandoned: the ESC starts something new
            }
            if byte == bell && bellTerminates { return (Array(bytes[start..<index]), index + 1) }
            if byte == cancel || byte == substitute { return (nil, index + 1) }
            index += 1
        }
        return (nil, nil)
    }

    // MARK: - Meaning

    private static func interpret(_ sequence: Sequence, into replies: inout TerminalReplies) {
        switch sequence {
        case .controlSequence(let csi):
            interpret(csi, into: &replies)
        case .deviceControlString(let body):
            // XTVERSION: DCS > | text ST
            if body.starts(with: [UInt8(ascii: ">"), UInt8(ascii: "|")]) {
                replies.terminalVersion = String(decoding: body.dropFirst(2), as: UTF8.self)
            }
        case .applicationProgramCommand(let body):
            if let kitty = kittyReply(body) { replies.kittyGraphics = kitty }
        }
    }

    private static func interpret(_ csi: ControlSequence, into replies: inout TerminalReplies) {
        let question = UInt8(ascii: "?")
        switch (csi.prefix, csi.intermediates, csi.final) {
        case (question, [], UInt8(ascii: "c")):
            let values = csi.parameters.map { $0 ?? 0 }
            if !values.isEmpty { replies.deviceAttributes = DeviceAttributes(parameters: values) }
        case (question, [], UInt8(ascii: "S")):
            // XTSMGRAPHICS: CSI ? item ; status ; values S, status 0 = success.
            guard csi.parameter(1) == 0 else { return }
            switch csi.parameter(0) {
            case 1:
                if let registers = csi.parameter(2), registers > 0 { replies.sixelColorRegisters = registers }
            case 2:
                if let width = csi.parameter(2), let height = csi.parameter(3), width > 0, height > 0 {
                    replies.sixelMaxGeometry = PixelSize(width: width, height: height)
                }
            default:
                break
            }
        case (nil, [], UInt8(ascii: "t")):
            // CSI 6 ; height ; width t (cell) and CSI 4 ; height ; width t (text area).
            guard let height = csi.parameter(1), let width = csi.parameter(2), width > 0, height > 0 else { return }
            if csi.parameter(0) == 6 { replies.cellPixelSize = PixelSize(width: width, height: height) }
            if csi.parameter(0) == 4 { replies.textAreaPixelSize = PixelSize(width: width, height: height) }
        case (question, [UInt8(ascii: "$")], UInt8(ascii: "y")):
            if csi.parameter(0) == 2026, let value = csi.parameter(1), let report = ModeReport(rawValue: value) {
                replies.synchronizedOutput = report
            }
        default:
            break
        }
    }

    /// `G key=value,…;message`: the reply to the probe's kitty query (image id
    /// ``TerminalQueries/kittyProbeImageID``). Replies about other images are ignored.
    private static func kittyReply(_ body: [UInt8]) -> KittyGraphicsReply? {
        guard body.first == UInt8(ascii: "G") else { return nil }
        let text = String(decoding: body.dropFirst(), as: UTF8.self)
        let parts = text.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
        let keys = parts[0].split(separator: ",").map { $0.split(separator: "=", maxSplits: 1) }
        let id = keys.first { $0.count == 2 && $0[0] == "i" }.map { String($0[1]) }
        guard id == String(TerminalQueries.kittyProbeImageID) else { return nil }
        let message = parts.count > 1 ? String(parts[1]) : ""
        return message == "OK" ? .ok : .error(message)
    }
}
