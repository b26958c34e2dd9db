/// Which class each digit key relabels to: the legend under the review screen.
///
/// Ten slots, one per `Command.relabel(slot)`; slot `s` is the key `(s + 1) % 10` ("1" … "9",
/// then "0"). Usually the slots are the first ten classes in taxonomy order. When the class
/// names are digits ("0" … "9") or number words ("zero" … "nine"), each digit key picks the
/// class that names it instead: on a handwriting dataset "1" must mean "one", never "the
/// first class of the list" (which is "zero", or "eight" when the list is alphabetical).
public enum ClassLegend {
    static let numberWords = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]

    /// The class of each of the ten slots (nil: the key picks nothing).
    public static func slots(for classes: [String]) -> [String?] {
        if let numeric = numericSlots(for: classes) { return numeric }
        return (0..<10).map { $0 < classes.count ? classes[$0] : nil }
    }

    /// The slots of a taxonomy whose every class names one digit, once; nil otherwise.
    static func numericSlots(for classes: [String]) -> [String?]? {
        guard !classes.isEmpty, classes.count <= 10 else { return nil }
        var slots = [String?](repeating: nil, count: 10)
        for name in classes {
            guard let digit = digit(named: name) else { return nil }
            let slot = (digit + 9) % 10
            guard slots[slot] == nil else { return nil }
            slots[slot] = name
        }
        return slots
    }

    /// 0…9 for "0"…"9" and the English number words (any case, spaces around ignored).
    static func digit(named name: String) -> Int? {
        let trimmed = name.trimmingSpaces().lowercased()
        if trimmed.count == 1, let value = trimmed.first?.wholeNumberValue, trimmed.first?.isASCII == true { return value }
        return numberWords.firstIndex(of: trimmed)
    }

    /// The digit key of a slot, as shown in the legend ("1" … "9", "0").
    public static func digitKey(ofSlot slot: Int) -> String { String((slot + 1) % 10) }
}

private extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
