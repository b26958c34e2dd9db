import Foundation
import Testing
@testable import WinnowStore

@Suite("SHA-256 (libcrypto)")
struct SHA256DigestTests {
    // FIPS 180-2 / NIST CSRC example vectors.
    @Test("the empty message")
    func empty() {
        #expect(SHA256Digest(of: "").hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Digest.hex(of: []) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("\"abc\"")
    func abc() {
        #expect(SHA256Digest(of: "abc").hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("the 448-bit message")
    func twoBlocks() {
        let message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(SHA256Digest(of: message).hex == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256Digest(of: Array(message.utf8)).bytes.count == 32)
    }

    @Test("a million times 'a' (many blocks)")
    func millionA() {
        #expect(
            SHA256Digest(of: [UInt8](repeating: 0x61, count: 1_000_000)).hex
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("a reused EVP context gives the same digests, message after message")
    func reusedContext() {
        let hasher = SHA256Hasher()
        let vectors = [
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        ]
        for (message, expected) in vectors + vectors {
            var digest = [UInt8](repeating: 0, count: 32)
            digest.withUnsafeMutableBufferPointer { out in Array(message.utf8).withUnsafeBufferPointer { hasher.digest($0, into: out.baseAddress!) } }
            #expect(digest.map { String(format: "%02x", $0) }.joined() == expected, "\(message)")
        }
    }
}
