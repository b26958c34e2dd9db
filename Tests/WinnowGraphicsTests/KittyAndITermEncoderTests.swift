import Testing
import WinnowCore
@testable import WinnowGraphics

/// The control keys of one kitty APC, and its payload.
private func parseKitty(_ sequence: [UInt8]) -> (keys: [String: String], payload: [UInt8])? {
    guard sequence.starts(with: bytes("\\e_G")), sequence.suffix(2).elementsEqual(bytes("\\e\\")) else { return nil }
    let body = Array(sequence.dropFirst(3).dropLast(2))
    let semicolon = body.firstIndex(of: UInt8(ascii: ";")) ?? body.endIndex
    var keys: [String: String] = [:]
    for pair in String(decoding: body[..<semicolon], as: UTF8.self).split(separator: ",") {
        let parts = pair.split(separator: "=", maxSplits: 1)
        keys[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
    }
    return (keys, semicolon < body.endIndex ? Array(body[(semicolon + 1)...]) : [])
}

@Suite("Kitty and iTerm2 encoders")
struct KittyAndITermEncoderTests {
    let cell = PixelSize(width: 10, height: 20)

    @Test func chunksAreAtMost4096AndCarryTheRightFlags() throws {
        let image = TestImages.noise(width: 120, height: 80)
        let layout = try #require(ImageLayout.fitting(imageSize: image.size, in: Rect(x: 0, y: 0, width: 12, height: 20), cellSize: cell))
        #expect(layout.pixelSize == image.size, "fits exactly: sent as is")
        let sequences = try KittyEncoder().encode(image, layout: layout, imageID: 7, placementID: 2)

        #expect(sequences[0] == KittyEncoder.delete(imageID: 7), "the old image under this id goes first")
        let chunks = try sequences.dropFirst().map { try #require(parseKitty($0)) }
        #expect(chunks.count == (120 * 80 * 3 + 2) / 3 * 4 / 4096 + 1)
        let first = chunks[0].keys
        #expect(first["a"] == "T" && first["f"] == "24" && first["s"] == "120" && first["v"] == "80")
        #expect(first["i"] == "7" && first["p"] == "2" && first["q"] == "2" && first["C"] == "1")
        #expect(first["c"] == "12" && first["r"] == nil, "fills the width: columns only, kitty derives the rows")
        for (index, chunk) in chunks.enumerated() {
            #expect(chunk.payload.count <= 4096)
            #expect(chunk.keys["m"] == (index == chunks.count - 1 ? "0" : "1"))
            if index > 0 { #expect(Set(chunk.keys.keys) == ["m", "q"], "later chunks carry only m and q") }
            if index < chunks.count - 1 { #expect(chunk.payload.count % 4 == 0) }
        }
        let payload = chunks.flatMap(\.payload)
        #expect(base64Decode(payload) == image.pixels)
    }

    @Test func aLargeImageIsShrunkToItsCellsAndSizedByRows() throws {
        let image = TestImages.gradient(width: 400, height: 800)
        let rect = Rect(x: 1, y: 1, width: 30, height: 10) // 300×200 px
        let layout = try #require(ImageLayout.fitting(imageSize: image.size, in: rect, cellSize: cell))
        #expect(layout.pixelSize == PixelSize(width: 100, height: 200))
        let chunks = try KittyEncoder().encode(image, layout: layout, imageID: 1).dropFirst().map { try #require(parseKitty($0)) }
        #expect(chunks[0].keys["s"] == "100" && chunks[0].keys["v"] == "200")
        #expect(chunks[0].keys["r"] == "10" && chunks[0].keys["c"] == nil)
        #expect(base64Decode(chunks.flatMap(\.payload))?.count == 100 * 200 * 3)
    }

    @Test func aSmallImageIsOneChunkAndTheTerminalEnlargesIt() throws {
        let image = TestImages.quadrants(width: 8, height: 8)
        let layout = try #require(ImageLayout.fitting(imageSize: image.size, in: Rect(x: 0, y: 0, width: 20, height: 10), cellSize: cell))
        let chunks = try KittyEncoder().encode(image, layout: layout, imageID: 3).dropFirst().map { try #require(parseKitty($0)) }
        #expect(chunks.count == 1)
        #expect(chunks[0].keys["m"] == "0")
        #expect(chunks[0].keys["s"] == "8", "sent at its own size")
        #expect(chunks[0].keys["c"] == "20", "a square in a square: fills both, sized by columns")
        #expect(base64Decode(chunks[0].payload) == image.pixels)
    }

    @Test func pngFormatSendsTheEncodersFile() throws {
        let fakePNG: [UInt8] = Array("\u{89}PNG fake file".utf8)
        let image = TestImages.quadrants()
        let layout = try #require(ImageLayout.fitting(imageSize: image.size, in: Rect(x: 0, y: 0, width: 8, height: 4), cellSize: cell))
        let chunks = try KittyEncoder(pixelFormat: .png({ _ in fakePNG })).encode(image, layout: layout, imageID: 1).dropFirst().map {
            try #require(parseKitty($0))
        }
        #expect(chunks[0].keys["f"] == "100" && chunks[0].keys["s"] == nil)
        #expect(base64Decode(chunks.flatMap(\.payload)) == fakePNG)
    }

    @Test func deleteSequences() {
        #expect(visible(KittyEncoder.delete(imageID: 9)) == "\\e_Ga=d,d=I,i=9,q=2\\e\\")
        #expect(visible(KittyEncoder.delete(imageID: 9, placementID: 4)) == "\\e_Ga=d,d=i,i=9,p=4,q=2\\e\\")
        #expect(visible(KittyEncoder.deleteAll) == "\\e_Ga=d,d=A,q=2\\e\\")
    }

    @Test func base64MatchesFoundation() {
        for length in 0..<20 {
            let data = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            #expect(base64Decode(Base64.encode(data)) == data)
            #expect(Base64.encode(data).count == Base64.encodedCount(length))
        }
    }

    @Test func iTermFraming() throws {
        let fakePNG: [UInt8] = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let image = TestImages.gradient(width: 50, height: 40)
        let layout = try #require(ImageLayout.fitting(imageSize: image.size, in: Rect(x: 0, y: 0, width: 40, height: 10), cellSize: cell))
        let sequence = try ITermEncoder(pngEncode: { sent in
            // Smaller than its cells: the file is made from the image as it is.
            #expect(sent.size == PixelSize(width: 50, height: 40))
            return fakePNG
        }).encode(image, layout: layout)
        let header = "\\e]1337;File=inline=1;size=1000;width=\(layout.cells.width);height=\(layout.cells.height);preserveAspectRatio=1:"
        #expect(sequence.starts(with: bytes(header)))
        #expect(sequence.last == 0x07)
        let payload = sequence.dropFirst(bytes(header).count).dropLast()
        #expect(base64Decode(payload) == fakePNG)
        #expect(layout.cells.width == 25 && layout.cells.height == 10)
    }
}
