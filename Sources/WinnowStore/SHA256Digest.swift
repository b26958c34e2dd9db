import CCrypto

/// A SHA-256 digest, computed by Debian's libcrypto (OpenSSL's one-shot `SHA256()`).
/// The decision log chains its events with it; hex is the form stored and shown.
public struct SHA256Digest: Sendable, Hashable, CustomStringConvertible {
    /// The 32 bytes of the digest.
    public let bytes: [UInt8]

    /// The digest of `message`.
    public init(of message: UnsafeRawBufferPointer) {
        var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        out.withUnsafeMutableBufferPointer { digest in
            // SHA256() never fails for an in-memory message; a null base (empty message) is allowed.
            _ = SHA256(message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count, digest.baseAddress)
        }
        bytes = out
    }

    public init(of message: [UInt8]) {
        self = message.withUnsafeBytes { SHA256Digest(of: $0) }
    }

    public init(of text: String) {
        var text = text
        self = text.withUTF8 { SHA256Digest(of: UnsafeRawBufferPointer($0)) }
    }

    /// Lower-case hex, 64 characters.
    public var hex: String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            let digits = Array("0123456789abcdef".utf8)
            for (i, byte) in bytes.enumerated() {
                out[2 * i] = digits[Int(byte >> 4)]
                out[2 * i + 1] = digits[Int(byte & 0x0F)]
            }
            return bytes.count * 2
        }
    }

    public var description: String { hex }

    /// The hex digest of `message`.
    public static func hex(of message: [UInt8]) -> String { SHA256Digest(of: message).hex }
}
