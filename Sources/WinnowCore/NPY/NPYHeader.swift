/// The header of a NumPy `.npy` file (format versions 1.0, 2.0 and 3.0).
///
/// Winnow reads matrices of little-endian `float32` / `float64` in C order; everything
/// else is rejected with a message saying how to convert the file with numpy.
public struct NPYHeader: Sendable, Equatable {
    public enum ScalarType: String, Sendable {
        case float32 = "<f4", float64 = "<f8"
        public var byteSize: Int { self == .float32 ? 4 : 8 }
    }

    public var version: String
    public var scalarType: ScalarType
    public var rows: Int
    public var columns: Int
    /// Offset of the first data byte.
    public var dataOffset: Int

    public var dataByteCount: Int { rows * columns * scalarType.byteSize }

    public enum Failure: Error, Sendable, Equatable {
        case badMagic, truncated, unsupportedVersion(String), malformed(String)
        case fortranOrder, bigEndian(String), unsupportedType(String), structured, notTwoDimensional(Int)
        /// The shape's size in bytes does not fit in a 64-bit integer (a hostile or broken header).
        case tooLarge(String)

        /// A sentence for the user: what is wrong and what to do.
        public var explanation: (message: String, hint: String) {
            let save = "re-save it with numpy: np.save(path, np.ascontiguousarray(a, dtype=np.float32))"
            switch self {
            case .badMagic: return ("not a .npy file (it does not start with \\x93NUMPY)", "write the file with numpy.save")
            case .truncated: return ("the file is truncated: it is shorter than its header says", "write the file again; it was cut off")
            case .unsupportedVersion(let v): return ("unsupported .npy format version \(v) (1.0, 2.0 and 3.0 are read)", save)
            case .malformed(let why): return ("the .npy header is malformed: \(why)", save)
            case .fortranOrder: return ("the array is stored in Fortran (column-major) order", save)
            case .bigEndian(let d): return ("the array is big-endian (\(d)); only little-endian is read", "convert it: " + save)
            case .unsupportedType(let d): return ("the element type \(d) is not supported (float32 or float64 are read)", save)
            case .structured: return ("the array has a structured (record) dtype", "store a plain N×D float matrix: " + save)
            case .notTwoDimensional(let n):
                return (
                    "the array has \(n) dimension\(n == 1 ? "" : "s"); a 2-D matrix (rows × columns) is required",
                    "reshape it to (rows, columns) before saving"
                )
            case .tooLarge(let shape):
                return (
                    "the shape \(shape) is too large: its data would not fit in any file",
                    "the header is damaged or was not written by numpy; write the file again with numpy.save"
                )
            }
        }
    }

    /// The raw description of any `.npy` file: dtype string, order, shape and data offset.
    public struct Description: Sendable, Equatable {
        public var version: String
        public var descr: String
        public var fortranOrder: Bool
        public var shape: [Int]
        public var dataOffset: Int
    }

    /// Reads the header's fields without judging them (any dtype, any number of dimensions).
    public static func describe(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> Description {
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard bytes.count >= 6 else { throw bytes.count == 0 || !zip(bytes, magic).allSatisfy({ $0 == $1 }) ? .badMagic : .truncated }
        guard zip(bytes.prefix(6), magic).allSatisfy({ $0 == $1 }) else { throw .badMagic }
        guard bytes.count >= 10 else { throw .truncated }
        let major = bytes[6], minor = bytes[7]
        let version = "\(major).\(minor)"
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw .truncated }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw .unsupportedVersion(version)
        }
        guard bytes.count >= headerStart + headerLength else { throw .truncated }
        let headerBytes = UnsafeRawBufferPointer(rebasing: bytes[headerStart..<(headerStart + headerLength)])
        // v1/v2 headers are latin-1, v3 UTF-8; the keys and values we need are ASCII either way.
        let text =
            String(validating: headerBytes, as: UTF8.self)
            ?? String(decoding: headerBytes.map { $0 < 0x80 ? $0 : 0x3F }, as: UTF8.self)
        let dictionary = try PythonLiteral.parseHeaderDictionary(text)
        guard let descrValue = dictionary["descr"] else { throw .malformed("no 'descr' key") }
        guard case .string(let descr) = descrValue else {
            if case .list = descrValue { throw .structured }
            throw .malformed("'descr' is not a string")
        }
        guard case .bool(let fortran)? = dictionary["fortran_order"] else { throw .malformed("no 'fortran_order' flag") }
        guard case .tuple(let shape)? = dictionary["shape"] else { throw .malformed("no 'shape' tuple") }
        return Description(version: version, descr: descr, fortranOrder: fortran, shape: shape, dataOffset: headerStart + headerLength)
    }

    /// Parses the header of a float matrix at the start of `bytes`; `fileSize` is the whole
    /// file's size, used to check that the data is all there.
    public static func parse(_ bytes: UnsafeRawBufferPointer, fileSize: Int) throws(Failure) -> NPYHeader {
        let d = try describe(bytes)
        let scalarType: ScalarType
        switch d.descr {
        case "<f4": scalarType = .float32
        case "<f8": scalarType = .float64
        case ">f4", ">f8": throw .bigEndian(d.descr)
        default: throw .unsupportedType(d.descr)
        }
        if d.fortranOrder, d.shape.count > 1, d.shape.allSatisfy({ $0 > 1 }) { throw .fortranOrder }
        guard d.shape.count == 2 else { throw .notTwoDimensional(d.shape.count) }
        let header = NPYHeader(version: d.version, scalarType: scalarType, rows: d.shape[0], columns: d.shape[1], dataOffset: d.dataOffset)
        // Every size from the header is checked before it is used: a hostile shape such as
        // (2**62, 2**62) must be an error, never an arithmetic trap.
        guard let needed = checkedByteCount(d.shape, elementSize: scalarType.byteSize),
            case let (end, overflow) = header.dataOffset.addingReportingOverflow(needed), !overflow
        else {
            throw .tooLarge(shapeText(d.shape))
        }
        guard fileSize >= end else { throw .truncated }
        return header
    }
}

extension NPYHeader {
    /// The byte count of an array of `shape` with elements of `elementSize` bytes, or nil
    /// when it overflows (the dimensions come from an untrusted file).
    public static func checkedByteCount(_ shape: [Int], elementSize: Int) -> Int? {
        var total = elementSize
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            let (product, overflow) = total.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            total = product
        }
        return total
    }

    /// A shape as Python writes it: `(3, 4)`, `(5,)`.
    public static func shapeText(_ shape: [Int]) -> String {
        "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
    }
}

/// Just enough of Python's literal syntax for `.npy` headers:
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
enum PythonLiteral {
    enum Value: Equatable { case string(String), bool(Bool), tuple([Int]), list }

    static func parseHeaderDictionary(_ text: String) throws(NPYHeader.Failure) -> [String: Value] {
        var s = Substring(text)
        func skipSpace() { while let c = s.first, c == " " || c == "\n" || c == "\t" || c == "\r" { s.removeFirst() } }
        func expect(_ c: Character) throws(NPYHeader.Failure) {
            skipSpace()
            guard s.first == c else { throw .malformed("expected '\(c)'") }
            s.removeFirst()
        }
        func quoted() throws(NPYHeader.Failure) -> String {
            skipSpace()
            guard let q = s.first, q == "'" || q == "\"" else { throw .malformed("expected a quoted string") }
            s.removeFirst()
            guard let end = s.firstIndex(of: q) else { throw .malformed("unterminated string") }
            let value = String(s[..<end])
            s = s[s.index(after: end)...]
            return value
        }
        func integer() throws(NPYHeader.Failure) -> Int {
            skipSpace()
            let digits = s.prefix(while: { $0.isASCII && $0.isNumber })
            guard !digits.isEmpty else { throw .malformed("expected a dimension") }
            guard let value = Int(digits) else { throw .tooLarge("with the dimension \(digits.prefix(40))") }
            s = s.dropFirst(digits.count)
            skipSpace()
            if s.first == "L" { s.removeFirst() } // Python 2 longs
            return value
        }
        func value() throws(NPYHeader.Failure) -> Value {
            skipSpace()
            switch s.first {
            case "'", "\"": return .string(try quoted())
            case "T": guard s.hasPrefix("True") else { break }; s = s.dropFirst(4); return .bool(true)
            case "F": guard s.hasPrefix("False") else { break }; s = s.dropFirst(5); return .bool(false)
            case "(":
                s.removeFirst()
                var dims: [Int] = []
                while true {
                    skipSpace()
                    if s.first == ")" { s.removeFirst(); return .tuple(dims) }
                    dims.append(try integer())
                    skipSpace()
                    if s.first == "," { s.removeFirst() }
                }
            case "[":
                // A structured dtype description; skip to the matching bracket.
                var depth = 0
                while let c = s.first {
                    s.removeFirst()
                    if c == "[" { depth += 1 } else if c == "]" { depth -= 1; if depth == 0 { return .list } }
                }
                throw .malformed("unterminated list")
            default: break
            }
            throw .malformed("unexpected value")
        }

        try expect("{")
        var result: [String: Value] = [:]
        while true {
            skipSpace()
            if s.first == "}" { break }
            let key = try quoted()
            try expect(":")
            result[key] = try value()
            skipSpace()
            if s.first == "," { s.removeFirst() } else { skipSpace(); guard s.first == "}" else { throw .malformed("expected ',' or '}'") } }
        }
        return result
    }
}
