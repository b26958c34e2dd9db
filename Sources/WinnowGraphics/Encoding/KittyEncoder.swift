import WinnowCore

/// Encodes images for the kitty graphics protocol.
///
/// Each image is sent with transmit-and-display (`a=T`) under an image id chosen by the
/// caller, so sending another image under the same id replaces it, and ``delete(imageID:)``
/// removes it. Pixels go as raw 24-bit RGB (`f=24`) by default: no compression to spend
/// time on and nothing that can fail, and since the image is first shrunk to the cells it
/// will cover, the size stays bounded (4/3 × width × height × 3 bytes of base64). Over a
/// slow link `.png` (`f=100`) trades five times the encoder time for a third to a half fewer
/// bytes on photos; see ``PixelFormat-swift.enum/recommended(overSSH:)``.
///
/// Replies are suppressed (`q=2`): they would reach the TUI as keystrokes. The cursor is
/// not moved (`C=1`).
public struct KittyEncoder: Sendable {
    public enum PixelFormat: Sendable {
        /// `f=24` with `s=`/`v=`.
        case rgb
        /// `f=100`: a PNG file made by the given encoder.
        case png(PNGEncode)

        /// Raw RGB locally; PNG over SSH, where bytes cost more than encoder time. On a
        /// 400×400 photo raw RGB is ≈ 640 KB of base64 in ≈ 10 ms, PNG ≈ 340–420 KB in ≈ 50 ms.
        public static func recommended(overSSH: Bool) -> PixelFormat {
            overSSH ? .png(PNGEncoding.standard) : .rgb
        }

        /// A short name, part of cache keys.
        public var name: String {
            switch self {
            case .rgb: return "rgb"
            case .png: return "png"
            }
        }
    }

    public var pixelFormat: PixelFormat

    /// The protocol's limit for the base64 data in one escape sequence.
    public static let chunkSize = 4096

    public init(pixelFormat: PixelFormat = .rgb) {
        self.pixelFormat = pixelFormat
    }

    /// The escape sequences that delete image `imageID`, then transmit `image` under that
    /// id and show it over `layout.cells` at the cursor.
    ///
    /// An image larger than the layout is shrunk to it first; a smaller one is sent as it
    /// is and the terminal enlarges it. The size is given as columns (`c=`) when the image
    /// fills the width, or rows (`r=`) when it fills the height, never both: kitty derives
    /// the other from the image's aspect ratio, so it is neither stretched nor spills out.
    /// One sequence per chunk, so a multiplexer wrapper can frame each one on its own.
    public func encode(_ image: RGBImage, layout: ImageLayout, imageID: UInt32, placementID: UInt32 = 1) throws -> [[UInt8]] {
        precondition(imageID > 0 && placementID > 0, "kitty image and placement ids start at 1")
        let sent = Self.pixelsToSend(image, layout: layout)
        var keys = ["a=T"]
        let data: [UInt8]
        switch pixelFormat {
        case .rgb:
            keys += ["f=24", "s=\(sent.width)", "v=\(sent.height)"]
            data = sent.pixels
        case .png(let pngEncode):
            keys.append("f=100")
            data = try pngEncode(sent)
        }
        keys += ["i=\(imageID)", "p=\(placementID)", "q=2", "C=1"]
        if layout.fillsWidth {
            keys.append("c=\(layout.cells.width)")
        } else if layout.fillsHeight {
            keys.append("r=\(layout.cells.height)")
        }
        return [Self.delete(imageID: imageID)] + Self.chunks(controlKeys: keys.joined(separator: ","), payload: Base64.encode(data))
    }

    /// `image` shrunk to the layout when it is larger; unchanged otherwise.
    static func pixelsToSend(_ image: RGBImage, layout: ImageLayout) -> RGBImage {
        guard image.width > layout.pixelSize.width || image.height > layout.pixelSize.height else { return image }
        return image.resized(width: layout.pixelSize.width, height: layout.pixelSize.height)
    }

    /// Splits base64 data into APC sequences: the control keys and `m=1` on the first,
    /// `m=1` on the middle ones and `m=0` on the last (only `m` and `q` may follow the first).
    static func chunks(controlKeys: String, payload: [UInt8]) -> [[UInt8]] {
        var sequences: [[UInt8]] = []
        var start = 0
        repeat {
            let end = min(start + chunkSize, payload.count)
            let more = end < payload.count
            let keys = (start == 0 ? controlKeys + "," : "") + "m=\(more ? 1 : 0),q=2"
            var sequence: [UInt8] = [0x1B, UInt8(ascii: "_"), UInt8(ascii: "G")]
            sequence += Array(keys.utf8)
            sequence.append(UInt8(ascii: ";"))
            sequence += payload[start..<end]
            sequence += [0x1B, UInt8(ascii: "\\")]
            sequences.append(sequence)
            start = end
        } while start < payload.count
        return sequences
    }

    /// Deletes image `imageID` and frees its data (`d=I`).
    public static func delete(imageID: UInt32) -> [UInt8] {
        apc("a=d,d=I,i=\(imageID),q=2")
    }

    /// Deletes one placement of an image, keeping the image (`d=i` with `p=`).
    public static func delete(imageID: UInt32, placementID: UInt32) -> [UInt8] {
        apc("a=d,d=i,i=\(imageID),p=\(placementID),q=2")
    }

    /// Deletes every image on screen and frees their data (`d=A`).
    public static let deleteAll: [UInt8] = apc("a=d,d=A,q=2")

    private static func apc(_ keys: String) -> [UInt8] {
        [0x1B, UInt8(ascii: "_"), UInt8(ascii: "G")] + Array(keys.utf8) + [0x1B, UInt8(ascii: "\\")]
    }
}
