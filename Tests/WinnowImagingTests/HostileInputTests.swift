import Foundation
import Testing
import WinnowCore
@testable import WinnowImaging

@Suite("Hostile input: refused before allocating, with a message that says what is wrong")
struct HostileInputTests {
    @Test func aPNGClaimingTenGigapixelsIsRefusedOnItsHeader() {
        #expect(throws: ImageDecodeError.sideTooLong(PixelSize(width: 100_000, height: 100_000), limit: 16_384)) {
            try Fixture.decode("huge-ihdr.png")
        }
        #expect(
            ImageDecodeError.sideTooLong(PixelSize(width: 100_000, height: 100_000), limit: 16_384).description
                == "image is 100000×100000 pixels, over the 16384-pixel limit")
    }

    @Test func aJPEGClaimingHugeDimensionsIsRefusedOnItsHeader() {
        #expect(throws: ImageDecodeError.sideTooLong(PixelSize(width: 60_000, height: 60_000), limit: 16_384)) {
            try Fixture.decode("huge-dimensions.jpg")
        }
    }

    @Test func thePixelCountLimitAppliesToo() {
        let limits = DecodeLimits(maxSide: 1000, maxPixels: 2000)
        #expect(throws: ImageDecodeError.tooManyPixels(PixelSize(width: 64, height: 32), limit: 2000)) {
            try Fixture.decode("baseline.jpg", limits: limits)
        }
        #expect(
            ImageDecodeError.tooManyPixels(PixelSize(width: 10_000, height: 9_000), limit: 64 << 20).description
                == "image is 10000×9000 pixels (90.0 megapixels), over the 67.1-megapixel limit")
        #expect(throws: Never.self) { try Fixture.decode("rgb.png", limits: limits) }
    }

    @Test(arguments: ["rgb.png", "baseline.jpg", "lossy.webp"])
    func limitsApplyToEveryFormat(name: String) throws {
        let size = try ImageDecoder.info(data: Fixture.bytes(name)).storedSize
        let limits = DecodeLimits(maxSide: size.width - 1)
        #expect(throws: ImageDecodeError.sideTooLong(size, limit: size.width - 1)) { try Fixture.decode(name, limits: limits) }
    }

    @Test func aZeroWidthImageIsRefused() {
        #expect(throws: ImageDecodeError.emptyImage(.png, PixelSize(width: 0, height: 6))) {
            try Fixture.decode("zero-width.png")
        }
    }

    @Test func aTruncatedPNGIsAnError() {
        #expect {
            try Fixture.decode("truncated.png")
        } throws: { error in
            guard case .damaged(.png, _) = error as? ImageDecodeError else { return false }
            return "\(error)".hasPrefix("PNG data is truncated or corrupt: ")
        }
    }

    @Test func aPNGCutOffAfterItsPixelsIsStillAnError() throws {
        // Everything up to IEND is intact: libpng alone would decode it.
        let bytes = Fixture.bytes("rgb.png")
        let withoutEnd = Array(bytes.dropLast(12))
        #expect(throws: ImageDecodeError.damaged(.png, detail: "the data ends before the IEND chunk (after \(withoutEnd.count) bytes)")) {
            try ImageDecoder.decode(data: withoutEnd)
        }
    }

    @Test func aPNGWithACorruptBodyIsAnError() {
        var bytes = Fixture.bytes("rgb.png")
        let idat = bytes.indices.first { bytes[$0...].starts(with: Array("IDAT".utf8)) }!
        bytes[idat + 10] ^= 0xFF
        #expect(throws: ImageDecodeError.self) { try ImageDecoder.decode(data: bytes) }
    }

    @Test func randomBytesBehindAPNGSignatureAreRefused() {
        #expect(throws: ImageDecodeError.damaged(.png, detail: "the first chunk is not a valid IHDR header")) {
            try Fixture.decode("random-after-signature.png")
        }
    }

    @Test func emptyDataAndUnknownFormatsAreNamed() {
        #expect(throws: ImageDecodeError.empty) { try ImageDecoder.decode(data: []) }
        #expect(throws: ImageDecodeError.unrecognisedFormat(leadingBytes: Array("GIF89a\u{1}\0".utf8), knownFormat: "GIF")) {
            try ImageDecoder.decode(data: Array("GIF89a\u{1}\0\u{1}\0".utf8))
        }
        let html = ImageDecodeError.unrecognisedFormat(leadingBytes: Array("<!doctyp".utf8), knownFormat: "text (HTML or SVG?)")
        #expect(throws: html) { try ImageDecoder.decode(data: Array("<!doctype html>".utf8)) }
        #expect(
            ImageDecodeError.unrecognisedFormat(leadingBytes: [0, 1, 0xAB], knownFormat: nil).description
                == "not a PNG, JPEG or WebP image (it starts with 00 01 AB)")
        // The extension means nothing: a PNG named .jpg is a PNG.
        #expect(ImageFormat(sniffing: Fixture.bytes("rgb.png")) == .png)
        #expect(ImageFormat(sniffing: Array("RIFF\0\0\0\0WAVE".utf8)) == nil)
    }

    @Test func oversizedFilesAreRefusedBeforeTheyAreRead() {
        let limits = DecodeLimits(maxFileBytes: 100)
        #expect(throws: ImageDecodeError.fileTooLarge(byteCount: 725, limit: 100)) {
            try ImageDecoder.decode(contentsOf: Fixture.path("baseline.jpg"), limits: limits)
        }
        #expect(throws: ImageDecodeError.fileTooLarge(byteCount: 725, limit: 100)) {
            try ImageDecoder.decode(data: Fixture.bytes("baseline.jpg"), limits: limits)
        }
    }

    @Test func unreadablePathsSayWhy() {
        #expect(throws: ImageDecodeError.unreadableFile(path: "/nonexistent/x.png", reason: "No such file or directory")) {
            try ImageDecoder.decode(contentsOf: "/nonexistent/x.png")
        }
        #expect(throws: ImageDecodeError.unreadableFile(path: Fixture.directory, reason: "it is a directory")) {
            try ImageDecoder.decode(contentsOf: Fixture.directory)
        }
    }

    @Test func decodingFromAPathMatchesDecodingBytes() throws {
        let fromPath = try ImageDecoder.decode(contentsOf: Fixture.path("progressive.jpg"))
        #expect(fromPath == (try Fixture.decode("progressive.jpg")))
    }
}
