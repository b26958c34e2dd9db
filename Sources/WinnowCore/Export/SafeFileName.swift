/// Untrusted text (class names, image file names) made into one path component that stays
/// inside its parent folder, is visible, and fits every common file system.
///
/// Class names are free text ("../x" is a valid class) and must never steer where an
/// export writes. `make` replaces what could: `/` and `\`, NUL and every other control
/// character (C0, DEL, C1), and bidirectional controls (which disguise names) become `_`;
/// a leading `.` becomes `_` (no `.`, `..` or hidden entries); names are cut to `maxBytes`
/// of UTF-8 at a character boundary, keeping a short extension. A name that was changed is
/// reported as `altered`, and callers add a hash of the original text so that two
/// different names never end up as one.
public enum SafeFileName {
    /// The longest name written, in UTF-8 bytes: below the 255 of ext4, APFS and NTFS,
    /// with room for a disambiguating hash.
    public static let maxBytes = 200

    public static func make(_ text: String) -> (name: String, altered: Bool) {
        if isPlainlySafe(text) { return (text, false) }
        var scalars = String.UnicodeScalarView()
        var altered = false
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                scalars.append("_")
                altered = true
            } else {
                scalars.append(scalar)
            }
        }
        var name = String(scalars)
        if name.isEmpty {
            return ("_", true)
        }
        if name.hasPrefix(".") {
            name = "_" + name.dropFirst()
            altered = true
        }
        if name.utf8.count > maxBytes {
            name = truncated(name)
            altered = true
        }
        return (name, altered)
    }

    /// 8 hex digits of a 64-bit FNV-1a hash of the text's UTF-8: a short, stable tag that
    /// tells names apart (the same text always gives the same tag, on every machine).
    public static func shortHash(_ text: String) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        let folded = UInt32(truncatingIfNeeded: hash ^ (hash >> 32))
        let hex = String(folded, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// One pass over the bytes for the usual name: printable ASCII or UTF-8 letters, no `/`
    /// or `\`, no leading `.`, short enough. Anything else takes the careful path.
    static func isPlainlySafe(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard let first = utf8.first, first != 0x2E, utf8.count <= maxBytes else { return false }
        // C0 controls, /, \, DEL; C1 controls (C2 80–9F), U+061C (D8 9C) and bidi marks (E2 80 …) take the careful path.
        return !utf8.contains { $0 < 0x20 || $0 == 0x2F || $0 == 0x5C || $0 == 0x7F || $0 == 0xC2 || $0 == 0xD8 || $0 == 0xE2 }
    }

    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v == 0x2F || v == 0x5C { return true } // / and \
        return TerminalText.needsReplacement(scalar) // controls and every bidi control, as on a terminal
    }

    /// Cut to `maxBytes` at a character boundary; an extension of up to 16 bytes is kept.
    static func truncated(_ name: String) -> String {
        var ext = ""
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            let candidate = String(name[dot...])
            if candidate.utf8.count <= 16 { ext = candidate }
        }
        let budget = maxBytes - ext.utf8.count
        var stem = ""
        var used = 0
        for character in name.dropLast(ext.count) {
            let size = character.utf8.count
            if used + size > budget { break }
            stem.append(character)
            used += size
        }
        return stem + ext
    }
}
