import WinnowCore

/// The neighbour graph's cache file: what `winnow analyze` keeps in the state folder so the
/// next command does not search again (the file's name carries the embeddings' fingerprint
/// and the search settings; this is only its content).
///
/// Layout, all little-endian:
///
///     "WINNOW-NEIGHBOURS-1\n"   magic (20 bytes)
///     count  UInt64             items
///     k      UInt64             neighbours per item
///     ids    count × k Int32    as `NeighbourGraph.ids`
///     sims   count × k Float32  as `NeighbourGraph.similarities`
///
/// The sizes come from a file: they are checked with overflow-checked arithmetic against the
/// file's length, so a damaged or hostile cache is refused (and rebuilt by the caller)
/// instead of trapping or allocating what it claims.
public enum NeighbourGraphFile {
    public static let magic = Array("WINNOW-NEIGHBOURS-1\n".utf8)

    /// The file is not a neighbour-graph cache of this format (damaged, cut short, other).
    public struct Damaged: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String { "bad cache" }
    }

    /// Writes `graph` in the layout above through `write`, in order, a few large pieces at
    /// a time (never the whole file in one more buffer).
    public static func write(_ graph: NeighbourGraph, to write: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try magic.withUnsafeBytes { try write($0) }
        try withUnsafeBytes(of: UInt64(graph.count).littleEndian) { try write($0) }
        try withUnsafeBytes(of: UInt64(graph.k).littleEndian) { try write($0) }
        try graph.ids.withUnsafeBytes { try write($0) }
        try graph.similarities.withUnsafeBytes { try write($0) }
    }

    /// The graph in `bytes` (a whole cache file).
    public static func read(_ bytes: UnsafeRawBufferPointer) throws(Damaged) -> NeighbourGraph {
        guard bytes.count >= magic.count + 16, Array(bytes.prefix(magic.count)) == magic else { throw Damaged() }
        guard let count = Int(exactly: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: magic.count, as: UInt64.self))),
            let k = Int(exactly: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: magic.count + 8, as: UInt64.self))),
            let size = NPYHeader.checkedByteCount([count, k], elementSize: 8)
        else { throw Damaged() }
        let start = magic.count + 16
        guard bytes.count - start == size else { throw Damaged() }
        let ids = [Int32](unsafeUninitializedCapacity: count * k) { buffer, initialized in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + count * k * 4)]))
            initialized = count * k
        }
        let sims = [Float](unsafeUninitializedCapacity: count * k) { buffer, initialized in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[(start + count * k * 4)...]))
            initialized = count * k
        }
        return NeighbourGraph(count: count, k: k, ids: ids, similarities: sims)
    }
}
