import Foundation

/// The container Winnow's own cache files share (the helper model's cache, the saved
/// queues): a magic line naming the format and its version, a little-endian UInt64 length,
/// a JSON header, then raw little-endian arrays in an order the format defines.
///
/// A cache is read back from disk, where anything can have happened to it: `Reader` checks
/// every size it is given against what is left of the file with overflow-checked arithmetic,
/// so a damaged, truncated or hostile file reads as "no cache" (and is rebuilt), never as a
/// trap or an allocation of what the file claims.
public enum CacheContainer {
    /// Writes the magic line, the header's length and the header, then hands `body` an
    /// appender for the arrays; every piece goes to `sink` in order.
    public static func write<Header: Encodable>(
        magic: [UInt8], header: Header,
        to sink: (UnsafeRawBufferPointer) throws -> Void,
        body: (Appender) throws -> Void
    ) throws {
        let json = try JSONEncoder().encode(header)
        try magic.withUnsafeBytes { try sink($0) }
        try withUnsafeBytes(of: UInt64(json.count).littleEndian) { try sink($0) }
        try json.withUnsafeBytes { try sink($0) }
        try withoutActuallyEscaping(sink) { sink in try body(Appender(sink: sink)) }
    }

    /// Appends arrays of plain values after the header.
    public struct Appender {
        let sink: (UnsafeRawBufferPointer) throws -> Void

        public func append<T: BitwiseCopyable>(_ values: [T]) throws {
            try values.withUnsafeBytes { try sink($0) }
        }
    }

    /// Reads a container from bytes (a mapped file or a file's contents), in the order it
    /// was written.
    public struct Reader {
        let bytes: UnsafeRawBufferPointer
        /// Where the next array starts.
        public private(set) var offset: Int
        let headerRange: Range<Int>

        /// Nil unless `bytes` start with `magic` followed by a header length that fits.
        public init?(_ bytes: UnsafeRawBufferPointer, magic: [UInt8]) {
            let start = magic.count + 8
            guard bytes.count >= start, bytes.prefix(magic.count).elementsEqual(magic),
                let length = Int(exactly: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: magic.count, as: UInt64.self))),
                length <= bytes.count - start
            else { return nil }
            self.bytes = bytes
            headerRange = start..<(start + length)
            offset = start + length
        }

        /// The JSON header, or nil when it does not decode as `Header`.
        public func header<Header: Decodable>(_: Header.Type) -> Header? {
            try? JSONDecoder().decode(Header.self, from: Data(bytes[headerRange]))
        }

        /// Bytes after the current position.
        public var remaining: Int { bytes.count - offset }

        /// The next `count` values, or nil when the count is negative, its byte size
        /// overflows, or the file holds fewer bytes than that.
        public mutating func take<T: BitwiseCopyable>(_ count: Int, as _: T.Type = T.self) -> [T]? {
            guard count >= 0 else { return nil }
            let (size, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
            guard !overflow, size <= remaining else { return nil }
            let start = offset
            offset += size
            return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + size)]))
                initialized = count
            }
        }
    }
}
