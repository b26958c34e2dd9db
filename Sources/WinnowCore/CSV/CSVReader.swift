/// A streaming RFC 4180 reader over bytes in memory (usually a memory-mapped file).
///
/// It yields one record at a time without allocating per field: fields are byte ranges
/// into the buffer, turned into `String`s (UTF-8 validated) only when asked. Handles a
/// UTF-8 BOM, CRLF / LF / CR line ends, quoted fields with embedded separators, newlines
/// and doubled quotes, and skips blank lines. `line` is the 1-based physical line on which
/// the current record starts, for error messages.
///
/// The reader borrows `bytes`: use it only while the buffer is alive.
public struct CSVReader {
    public struct Field: Sendable {
        public let start: Int
        public let end: Int
        /// The field was quoted and contains doubled quotes that need unescaping.
        public let hasEscapedQuotes: Bool
    }

    public let file: String
    public let bytes: UnsafeRawBufferPointer
    public private(set) var line = 0
    public private(set) var fields: [Field] = []
    private var position = 0
    private var physicalLine = 1

    public init(bytes: UnsafeRawBufferPointer, file: String) {
        self.bytes = bytes
        self.file = file
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        fields.reserveCapacity(16)
    }

    /// Bytes consumed so far, for progress reporting.
    public var bytesRead: Int { position }

    public var fieldCount: Int { fields.count }

    private static let quote: UInt8 = 0x22, comma: UInt8 = 0x2C, cr: UInt8 = 0x0D, lf: UInt8 = 0x0A

    /// Advances to the next record. Returns false at the end of the data.
    public mutating func nextRecord() throws(DataProblem) -> Bool {
        fields.removeAll(keepingCapacity: true)
        let count = bytes.count
        // Skip blank lines (including trailing ones).
        while position < count {
            let b = bytes[position]
            if b == Self.lf {
                position += 1; physicalLine += 1
            } else if b == Self.cr {
                position += 1
                if position < count, bytes[position] == Self.lf { position += 1 }
                physicalLine += 1
            } else {
                break
            }
        }
        guard position < count else { return false }
        line = physicalLine
        while true {
            if position < count, bytes[position] == Self.quote {
                try readQuotedField()
            } else {
                let start = position
                while position < count {
                    let b = bytes[position]
                    if b == Self.comma || b == Self.lf || b == Self.cr { break }
                    position += 1
                }
                fields.append(Field(start: start, end: position, hasEscapedQuotes: false))
            }
            // After a field: separator, line end, or end of data.
            if position >= count { return true }
            let b = bytes[position]
            if b == Self.comma {
                position += 1; if position >= count { fields.append(Field(start: position, end: position, hasEscapedQuotes: false)); return true };
                continue
            }
            if b == Self.lf { position += 1; physicalLine += 1; return true }
            if b == Self.cr {
                position += 1
                if position < count, bytes[position] == Self.lf { position += 1 }
                physicalLine += 1
                return true
            }
            throw DataProblem(
                file: file, line: physicalLine, column: fields.count,
                message: "unexpected character after a closing quote",
                hint: "a quoted field must end right before a comma or the end of the line; double any quote inside it (\"\")")
        }
    }

    private mutating func readQuotedField() throws(DataProblem) {
        let openLine = physicalLine
        position += 1
        let start = position
        var escaped = false
        let count = bytes.count
        while position < count {
            let b = bytes[position]
            if b == Self.quote {
                if position + 1 < count, bytes[position + 1] == Self.quote {
                    escaped = true
                    position += 2
                    continue
                }
                fields.append(Field(start: start, end: position, hasEscapedQuotes: escaped))
                position += 1
                return
            }
            if b == Self.lf {
                physicalLine += 1
            } else if b == Self.cr, !(position + 1 < count && bytes[position + 1] == Self.lf) {
                physicalLine += 1
            }
            position += 1
        }
        throw DataProblem(
            file: file, line: openLine, column: fields.count + 1,
            message: "a quoted field is never closed",
            hint: "add the missing closing quote (\"); quotes inside a quoted field are written twice (\"\")")
    }

    /// The raw bytes of field `index` (quotes removed, doubled quotes *not* unescaped).
    public func rawField(_ index: Int) -> UnsafeRawBufferPointer {
        let f = fields[index]
        return UnsafeRawBufferPointer(rebasing: bytes[f.start..<f.end])
    }

    public func isEmpty(_ index: Int) -> Bool { fields[index].start == fields[index].end }

    /// Field `index` as a validated UTF-8 string.
    /// - Parameter columnName: used in the error message when the bytes are not UTF-8.
    public func string(_ index: Int, columnName: String? = nil) throws(DataProblem) -> String {
        let f = fields[index]
        let raw = UnsafeRawBufferPointer(rebasing: bytes[f.start..<f.end])
        let decoded: String?
        if f.hasEscapedQuotes {
            var unescaped = [UInt8]()
            unescaped.reserveCapacity(raw.count)
            var i = 0
            while i < raw.count {
                unescaped.append(raw[i])
                i += (raw[i] == Self.quote && i + 1 < raw.count && raw[i + 1] == Self.quote) ? 2 : 1
            }
            decoded = String(validating: unescaped, as: UTF8.self)
        } else {
            decoded = String(validating: raw, as: UTF8.self)
        }
        guard let decoded else {
            throw DataProblem(
                file: file, line: line, column: index + 1, columnName: columnName,
                message: "the text is not valid UTF-8",
                hint: "save the file as UTF-8 (for example: iconv -f LATIN1 -t UTF-8)")
        }
        return decoded
    }

    /// Reads the header record: the column names, validated (non-empty, unique).
    public mutating func readHeader() throws(DataProblem) -> [String] {
        guard try nextRecord() else {
            throw DataProblem(
                file: file, line: 1, message: "the file is empty; a header line is required",
                hint: "add a header line naming the columns")
        }
        var names: [String] = []
        for i in 0..<fieldCount {
            let name = try string(i).trimmingASCIIWhitespace()
            if names.contains(name) {
                throw DataProblem(
                    file: file, line: line, column: i + 1,
                    message: "the column \"\(TerminalText.sanitize(name))\" appears twice in the header",
                    hint: "give every column a distinct name")
            }
            names.append(name)
        }
        return names
    }
}

extension String {
    /// Removes leading and trailing spaces and tabs (CSV headers often carry them).
    public func trimmingASCIIWhitespace() -> String {
        var scalars = Substring(self)
        while let c = scalars.first, c == " " || c == "\t" { scalars.removeFirst() }
        while let c = scalars.last, c == " " || c == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
