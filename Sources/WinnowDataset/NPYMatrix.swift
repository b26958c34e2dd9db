import WinnowCore

/// A 2-D `.npy` matrix, memory-mapped. Values are read in place (never copied whole).
public struct NPYMatrix: Sendable {
    public let file: MappedFile
    public let header: NPYHeader

    public var rows: Int { header.rows }
    public var columns: Int { header.columns }

    public init(path: String, displayName: String) throws(DataProblem) {
        let file = try MappedFile(path: path, displayName: displayName)
        do {
            header = try NPYHeader.parse(file.bytes, fileSize: file.size)
        } catch {
            let (message, hint) = error.explanation
            throw DataProblem(file: displayName, message: message, hint: hint)
        }
        self.file = file
    }

    /// The value at (`row`, `column`), widened to `Double`.
    @inline(__always)
    public func value(row: Int, column: Int) -> Double {
        let offset = header.dataOffset + (row * header.columns + column) * header.scalarType.byteSize
        switch header.scalarType {
        case .float32: return Double(Float(bitPattern: file.bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian))
        case .float64: return Double(bitPattern: file.bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian)
        }
    }

    /// The data region's raw bytes.
    public var dataBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: file.bytes[header.dataOffset..<(header.dataOffset + header.dataByteCount)])
    }

    /// The first (row, column) holding NaN or ±infinity, if any. One sequential pass.
    public func firstNonFinite() -> (row: Int, column: Int)? {
        let data = dataBytes
        switch header.scalarType {
        case .float32:
            let count = data.count / 4
            for i in 0..<count where data.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self) & 0x7F80_0000 == 0x7F80_0000 {
                return (i / max(columns, 1), i % max(columns, 1))
            }
        case .float64:
            let count = data.count / 8
            for i in 0..<count where data.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self) & 0x7FF0_0000_0000_0000 == 0x7FF0_0000_0000_0000 {
                return (i / max(columns, 1), i % max(columns, 1))
            }
        }
        return nil
    }

    /// A fast 64-bit fingerprint of the header and data, to notice when the file changes.
    public func fingerprint() -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(file.size)
        let bytes = file.bytes
        let words = bytes.count / 8
        var i = 0
        while i < words {
            hash = (hash ^ bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) &* 0x0000_0100_0000_01B3
            hash ^= hash >> 29
            i += 1
        }
        for j in (words * 8)..<bytes.count { hash = (hash ^ UInt64(bytes[j])) &* 0x0000_0100_0000_01B3 }
        return hash
    }
}
