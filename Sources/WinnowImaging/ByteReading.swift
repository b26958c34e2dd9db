/// Bounds-checked integer reads for walking file structures whose offsets and lengths come
/// from the (possibly hostile) file itself: every read returns nil instead of trapping when
/// it would reach outside the buffer.
extension UnsafeRawBufferPointer {
    func byte(at offset: Int) -> UInt8? {
        offset >= 0 && offset < count ? self[offset] : nil
    }

    func uint16(at offset: Int, bigEndian: Bool) -> UInt16? {
        guard offset >= 0, offset <= count - 2 else { return nil }
        let (first, second) = (UInt16(self[offset]), UInt16(self[offset + 1]))
        return bigEndian ? first << 8 | second : second << 8 | first
    }

    func uint32(at offset: Int, bigEndian: Bool) -> UInt32? {
        guard offset >= 0, offset <= count - 4 else { return nil }
        var value: UInt32 = 0
        for index in 0..<4 {
            let byte = UInt32(self[offset + (bigEndian ? index : 3 - index)])
            value = value << 8 | byte
        }
        return value
    }

    /// Whether the bytes at `offset` are `ascii` (a chunk type or signature).
    func matches(_ ascii: String, at offset: Int) -> Bool {
        let expected = Array(ascii.utf8)
        guard offset >= 0, offset <= count - expected.count else { return false }
        return expected.indices.allSatisfy { self[offset + $0] == expected[$0] }
    }

    /// The bytes `range`, rebased to start at index 0, or nil when it reaches outside.
    func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer? {
        guard range.lowerBound >= 0, range.upperBound <= count else { return nil }
        return UnsafeRawBufferPointer(rebasing: self[range])
    }
}
