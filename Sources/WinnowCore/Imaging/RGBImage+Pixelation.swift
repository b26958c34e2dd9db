extension RGBImage {
    /// This image as a mosaic: every `blockSize` × `blockSize` tile (counted from the top-left;
    /// tiles on the right and bottom edges may be smaller) painted in its mean colour.
    ///
    /// The other way to hide sensitive content: unlike a blur it keeps no soft outline, and
    /// block sizes of a tenth of the image or more leave only the layout of colours. A block
    /// size of 1 returns the image unchanged.
    public func pixelated(blockSize: Int) -> RGBImage {
        precondition(blockSize >= 1, "pixelation block size must be at least 1, not \(blockSize)")
        if blockSize == 1 || isEmpty { return self }
        let columns = (width + blockSize - 1) / blockSize
        var output = [UInt8](repeating: 0, count: pixels.count)
        var sums = [Int](repeating: 0, count: columns * 3)
        let rowLength = width * 3
        pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                sums.withUnsafeMutableBufferPointer { sums in
                    for bandTop in stride(from: 0, to: height, by: blockSize) {
                        let bandBottom = min(bandTop + blockSize, height)
                        for index in 0..<sums.count { sums[index] = 0 }
                        // Sum each block of the band, one source row at a time.
                        for y in bandTop..<bandBottom {
                            let row = source.baseAddress! + y * rowLength
                            for column in 0..<columns {
                                var red = 0, green = 0, blue = 0
                                for x in column * blockSize..<min(column * blockSize + blockSize, width) {
                                    red += Int(row[x * 3]); green += Int(row[x * 3 + 1]); blue += Int(row[x * 3 + 2])
                                }
                                sums[column * 3] += red; sums[column * 3 + 1] += green; sums[column * 3 + 2] += blue
                            }
                        }
                        // Paint the band's first row with the block means, then copy it down.
                        let firstRow = destination.baseAddress! + bandTop * rowLength
                        for column in 0..<columns {
                            let left = column * blockSize, right = min(left + blockSize, width)
                            let count = (right - left) * (bandBottom - bandTop)
                            let red = UInt8((sums[column * 3] + count / 2) / count)
                            let green = UInt8((sums[column * 3 + 1] + count / 2) / count)
                            let blue = UInt8((sums[column * 3 + 2] + count / 2) / count)
                            for x in left..<right {
                                firstRow[x * 3] = red; firstRow[x * 3 + 1] = green; firstRow[x * 3 + 2] = blue
                            }
                        }
                        for y in bandTop + 1..<bandBottom {
                            (destination.baseAddress! + y * rowLength).update(from: firstRow, count: rowLength)
                        }
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: output)
    }
}
