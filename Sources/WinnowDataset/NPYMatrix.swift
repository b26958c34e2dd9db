import Dispatch
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

    /// The first (row, column) holding NaN or ±infinity, if any.
    public func firstNonFinite() -> (row: Int, column: Int)? { scan().firstNonFinite }

    /// One pass over the file, split across cores: the fingerprint, and the first
    /// non-finite value. A 1M × 128 float32 matrix is half a gigabyte, so it is read once.
    public func scan() -> (fingerprint: UInt64, firstNonFinite: (row: Int, column: Int)?) {
        let file = self.file // Sendable; its mapping outlives the workers
        let chunkSize = 16 << 20 // a multiple of 8
        let chunks = max(1, (file.size + chunkSize - 1) / chunkSize)
        var hashes = [UInt64](repeating: 0, count: chunks)
        var firstBad = [Int](repeating: Int.max, count: chunks) // element index
        let dataStart = header.dataOffset, dataEnd = header.dataOffset + header.dataByteCount
        let elementSize = header.scalarType.byteSize
        let isFloat32 = header.scalarType == .float32
        hashes.withUnsafeMutableBufferPointer { hashOut in
            firstBad.withUnsafeMutableBufferPointer { badOut in
                let outputs = UnsafeSendable((hashOut, badOut))
                DispatchQueue.concurrentPerform(iterations: chunks) { c in
                    let bytes = file.bytes
                    let lower = c * chunkSize, upper = min(bytes.count, lower + chunkSize)
                    var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(c)
                    var i = lower
                    while i + 8 <= upper {
                        hash = (hash ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x0000_0100_0000_01B3
                        hash ^= hash >> 29
                        i += 8
                    }
                    while i < upper { hash = (hash ^ UInt64(bytes[i])) &* 0x0000_0100_0000_01B3; i += 1 }
                    outputs.value.0[c] = hash
                    // Non-finite check on whole elements of the data region inside this chunk.
                    var e = max(lower, dataStart)
                    e += (elementSize - (e - dataStart) % elementSize) % elementSize
                    let end = min(upper, dataEnd)
                    while e + elementSize <= end {
                        let nonFinite =
                            isFloat32
                            ? bytes.loadUnaligned(fromByteOffset: e, as: UInt32.self) & 0x7F80_0000 == 0x7F80_0000
                            : bytes.loadUnaligned(fromByteOffset: e, as: UInt64.self) & 0x7FF0_0000_0000_0000 == 0x7FF0_0000_0000_0000
                        if nonFinite { outputs.value.1[c] = (e - dataStart) / elementSize; break }
                        e += elementSize
                    }
                }
            }
        }
        var fingerprint: UInt64 = UInt64(file.size)
        for h in hashes { fingerprint = (fingerprint ^ h) &* 0x0000_0100_0000_01B3 }
        let bad = firstBad.min() ?? Int.max
        let columns = max(self.columns, 1)
        return (fingerprint, bad == Int.max ? nil : (bad / columns, bad % columns))
    }
}

/// A `.npy` array of little-endian integers (int64 or int32), e.g. class labels written by
/// numpy, read flat in C order (1-D, or 2-D with `allowMatrix`).
public enum NPYIntegerVector {
    public static func read(path: String, displayName: String, allowMatrix: Bool = false) throws(DataProblem) -> [Int64] {
        let file = try MappedFile(path: path, displayName: displayName)
        let description: NPYHeader.Description
        do { description = try NPYHeader.describe(file.bytes) } catch {
            let (message, hint) = error.explanation
            throw DataProblem(file: displayName, message: message, hint: hint)
        }
        let width: Int
        switch description.descr {
        case "<i8": width = 8
        case "<i4": width = 4
        default:
            throw DataProblem(
                file: displayName, message: "the element type \(description.descr) is not a little-endian integer type",
                hint: "save the labels with np.save(path, labels.astype(np.int64))")
        }
        guard description.shape.count == 1 || (allowMatrix && description.shape.count == 2 && !description.fortranOrder) else {
            throw DataProblem(file: displayName, message: "a 1-D array is required (shape \(description.shape))", hint: "save a flat array of labels")
        }
        // The shape comes from the file: its byte count is checked, never trusted to fit.
        guard let byteCount = NPYHeader.checkedByteCount(description.shape, elementSize: width),
            byteCount <= Int.max - description.dataOffset
        else {
            throw DataProblem(
                file: displayName, message: "the shape \(NPYHeader.shapeText(description.shape)) is too large: its data would not fit in any file",
                hint: "the header is damaged or was not written by numpy; write the file again with numpy.save")
        }
        let count = byteCount / width
        guard file.size >= description.dataOffset + byteCount else {
            throw DataProblem(file: displayName, message: "the file is truncated", hint: "write the file again; it was cut off")
        }
        let bytes = file.bytes
        return (0..<count).map { i in
            let offset = description.dataOffset + i * width
            return width == 8
                ? Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int64.self))
                : Int64(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
        }
    }
}
