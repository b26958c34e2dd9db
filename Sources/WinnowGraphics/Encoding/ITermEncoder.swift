import WinnowCore

/// Encodes images as iTerm2 inline images (OSC 1337 `File=`), which WezTerm shows too.
///
/// The protocol carries a whole image file; PNG keeps pixels exact. The image is shrunk
/// to the layout first when larger (fewer bytes over SSH) and the terminal scales it to
/// the cells, keeping its aspect ratio.
public struct ITermEncoder: Sendable {
    public var pngEncode: PNGEncode

    public init(pngEncode: @escaping PNGEncode = PNGEncoding.standard) {
        self.pngEncode = pngEncode
    }

    /// `ESC ] 1337 ; File=inline=1;size=N;width=Ncols;height=Nrows;preserveAspectRatio=1: base64 BEL`
    public func encode(_ image: RGBImage, layout: ImageLayout) throws -> [UInt8] {
        let png = try pngEncode(KittyEncoder.pixelsToSend(image, layout: layout))
        return Self.sequence(file: png, columns: layout.cells.width, rows: layout.cells.height)
    }

    /// The OSC 1337 sequence for an image file shown inline over `columns` × `rows` cells.
    public static func sequence(file: [UInt8], columns: Int, rows: Int) -> [UInt8] {
        let arguments = "inline=1;size=\(file.count);width=\(columns);height=\(rows);preserveAspectRatio=1"
        var out: [UInt8] = [0x1B, UInt8(ascii: "]")] + Array("1337;File=\(arguments):".utf8)
        out += Base64.encode(file)
        out.append(0x07)
        return out
    }
}
