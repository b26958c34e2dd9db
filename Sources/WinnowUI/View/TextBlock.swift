import WinnowCore

/// Styled lines drawn top to bottom into a rectangle, clipped; long text wraps at words.
struct TextBlock {
    struct Span {
        var text: String
        var style: CellStyle
    }
    typealias Line = [Span]

    private(set) var lines: [Line] = []
    let width: Int

    init(width: Int) { self.width = max(0, width) }

    mutating func add(_ spans: Span...) { lines.append(spans) }
    mutating func add(line: Line) { lines.append(line) }
    mutating func blank() { if !(lines.last?.isEmpty ?? true) { lines.append([]) } }

    /// `text` wrapped to the width, every line after the first indented by `indent`.
    mutating func wrapped(_ text: String, style: CellStyle, prefix: Span? = nil, indent: Int = 2) {
        let first = prefix.map { DisplayWidth.of($0.text) } ?? 0
        var line: Line = prefix.map { [$0] } ?? []
        var used = first
        var current = ""
        for word in text.split(separator: " ").map(String.init) {
            let w = DisplayWidth.of(word)
            let separator = current.isEmpty ? 0 : 1
            if used + separator + w > width, !current.isEmpty {
                line.append(Span(text: current, style: style))
                lines.append(line)
                line = [Span(text: String(repeating: " ", count: indent), style: style)]
                current = word
                used = indent + w
            } else {
                current += separator == 1 ? " " + word : word
                used += separator + w
            }
        }
        line.append(Span(text: current, style: style))
        lines.append(line)
    }

    /// Draws the lines from `rect`'s top; returns how many rows were used.
    @discardableResult
    func draw(into buffer: inout CellBuffer, _ rect: Rect, scroll: Int = 0) -> Int {
        var y = rect.y
        for line in lines.dropFirst(scroll) where y < rect.maxY {
            var x = rect.x
            for span in line where x < rect.maxX {
                x = buffer.write(span.text, x: x, y: y, style: span.style, maxWidth: rect.maxX - x)
            }
            y += 1
        }
        return y - rect.y
    }
}

extension TextBlock.Span {
    init(_ text: String, _ style: CellStyle) {
        self.init(text: text, style: style)
    }
}

/// A horizontal bar of `fraction` (0…1) in `width` columns, with eighth-block precision.
func bar(_ fraction: Double, width: Int) -> String { BarChart.bar(fraction, width: width) }

/// Small Unicode bar charts, for the stats view and `winnow stats`' table.
public enum BarChart {
    /// A horizontal bar of `fraction` (clamped to 0…1) in at most `width` columns, with
    /// eighth-block precision; empty for a value that is not a number.
    public static func bar(_ fraction: Double, width: Int) -> String {
        guard width > 0, fraction.isFinite else { return "" }
        let eighths = Int((min(max(fraction, 0), 1) * Double(width * 8)).rounded())
        let partials = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        return String(repeating: "█", count: eighths / 8) + partials[eighths % 8]
    }
}

/// A number with two decimals ("0.91"), locale-independent.
func decimal(_ x: Double, digits: Int = 2) -> String {
    guard x.isFinite else { return "–" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (x * scale).rounded() / scale
    var text = String(rounded)
    if let dot = text.firstIndex(of: ".") {
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
    } else {
        text += "." + String(repeating: "0", count: digits)
    }
    return text
}
