#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import WinnowCore

/// A 64-bit hash of a file's bytes, to find byte-identical duplicates. Not cryptographic:
/// it tells copies apart from different files (a collision among a million files has a
/// probability around 10⁻⁸, and equal sizes are required too), not from an adversary.
public enum ContentHash {
    /// The file's hash, or nil when it cannot be read or is not a regular file. The file is
    /// opened without blocking and read up to the size it had when opened, so a FIFO, a
    /// device or a link to /dev/zero ends the call at once instead of hanging it.
    public static func of(path: String) -> UInt64? {
        guard let file = try? RegularFile(path: path) else { return nil }
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        var total: UInt64 = 0
        let chunk = 1 << 16
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 8)
        defer { buffer.deallocate() }
        var remaining = file.size
        while remaining > 0 {
            let n = read(file.descriptor, buffer, min(chunk, remaining))
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break } // the file shrank while being read
            remaining -= n
            let bytes = UnsafeRawBufferPointer(start: buffer, count: n)
            var i = 0
            while i + 8 <= n {
                hash = (hash ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x0000_0100_0000_01B3
                hash ^= hash >> 29
                i += 8
            }
            while i < n { hash = (hash ^ UInt64(bytes[i])) &* 0x0000_0100_0000_01B3; i += 1 }
            total &+= UInt64(n)
        }
        return hash ^ (total &* 0x9E37_79B9_7F4A_7C15)
    }

    /// Hashes many files on every core; nil where a file cannot be read.
    public static func of(paths: [String], progress: any ProgressReporter) -> [UInt64?] {
        parallelMap(count: paths.count, chunk: 1024, initial: nil, progress: progress) { of(path: paths[$0]) }
    }
}
