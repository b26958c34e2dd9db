/// Standard base64 (RFC 4648, with padding) into bytes, as the kitty and iTerm2
/// protocols carry image data.
///
/// Written out rather than going through Foundation's `Data`/`String` so a megabyte of
/// pixels is encoded straight into the byte array that is written to the terminal.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encodedCount(_ count: Int) -> Int { (count + 2) / 3 * 4 }

    static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: encodedCount(bytes.count))
        alphabet.withUnsafeBufferPointer { table in
            bytes.withUnsafeBufferPointer { input in
                out.withUnsafeMutableBufferPointer { output in
                    var read = 0, write = 0
                    while read + 3 <= input.count {
                        let triple = UInt32(input[read]) << 16 | UInt32(input[read + 1]) << 8 | UInt32(input[read + 2])
                        output[write] = table[Int(triple >> 18 & 63)]
                        output[write + 1] = table[Int(triple >> 12 & 63)]
                        output[write + 2] = table[Int(triple >> 6 & 63)]
                        output[write + 3] = table[Int(triple & 63)]
                        read += 3
                        write += 4
                    }
                    let rest = input.count - read
                    if rest > 0 {
                        let first = UInt32(input[read]) << 16
                        let triple = rest == 2 ? first | UInt32(input[read + 1]) << 8 : first
                        output[write] = table[Int(triple >> 18 & 63)]
                        output[write + 1] = table[Int(triple >> 12 & 63)]
                        output[write + 2] = rest == 2 ? table[Int(triple >> 6 & 63)] : UInt8(ascii: "=")
                        output[write + 3] = UInt8(ascii: "=")
                    }
                }
            }
        }
        return out
    }
}
