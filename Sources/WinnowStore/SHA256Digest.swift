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

/// A reusable SHA-256 context for hashing many short messages (a million log events).
/// OpenSSL 3's one-shot `SHA256()` looks the algorithm up on every call, which costs more
/// than hashing a few hundred bytes; here it is fetched once and the EVP context reused.
/// Not for concurrent use: one per thread of work.
final class SHA256Hasher {
    nonisolated(unsafe) private static let algorithm: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil)
    private let context: OpaquePointer?

    init() { context = Self.algorithm == nil ? nil : EVP_MD_CTX_new() }

    deinit { EVP_MD_CTX_free(context) }

    /// Writes the 32-byte digest of `message` to `digest`.
    func digest(_ message: UnsafeBufferPointer<UInt8>, into digest: UnsafeMutablePointer<UInt8>) {
        if let context, EVP_DigestInit_ex2(context, Self.algorithm, nil) == 1,
            EVP_DigestUpdate(context, message.baseAddress, message.count) == 1,
            EVP_DigestFinal_ex(context, digest, nil) == 1
        {
            return
        }
        _ = SHA256(message.baseAddress, message.count, digest)
    }
}
