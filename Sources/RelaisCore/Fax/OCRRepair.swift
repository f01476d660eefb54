/// The characters OCR confuses, repaired only inside fields that must be numeric or dates,
/// where a letter cannot be meant. A repaired field is never taken on its own word: the row
/// becomes a case only when the list's printed total confirms the amounts.
struct OCRRepair: Sendable, Equatable {
    /// The text to validate, in a form `AssignmentBuilder` reads without guessing.
    var text: String
    /// Each character changed, as `"O→0"`.
    var changes: [String] = []
    /// Why the field cannot be read with certainty even once repaired.
    var doubts: [String] = []

    /// Letters OCR reads where a digit was printed (O↔0, l/I→1, S→5, B→8, Z→2, T→7, G→6).
    static let digitLookalikes: [Character: Character] = [
        "O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "i": "1", "|": "1", "!": "1",
        "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "T": "7", "G": "6", "b": "6",
    ]

    /// An amount as OCR read it: currency marks dropped (`$` may come out as `S`), lookalike
    /// letters turned to digits, and the decimal mark found from the shape (two digits after
    /// the last comma or point), since OCR reads a decimal comma as a point and back.
    static func amount(_ raw: String) -> OCRRepair {
        var tokens = raw.split(whereSeparator: \.isWhitespace).map(String.init)
        var repair = OCRRepair(text: "")
        // A lone S at either end is the dollar sign.
        if let last = tokens.last, PlainRowSplitter.isCurrency(last) { tokens.removeLast() }
        if let first = tokens.first, PlainRowSplitter.isCurrency(first) { tokens.removeFirst() }
        var body = tokens.joined()
        if body.hasSuffix("$") { body.removeLast() }
        if body.hasPrefix("$") {
            body.removeFirst()
        } else if body.hasPrefix("S"), body.count > 1 {
            // "S12,00": the dollar sign, or a 5? Both are read; neither is taken.
            repair.doubts.append("\(raw.quotedForReason) begins with S, which may be $ or 5")
            body.removeFirst()
        }
        if body.hasSuffix("S") && body.count > 1 {
            repair.doubts.append("\(raw.quotedForReason) ends with S, which may be $ or 5")
            body.removeLast()
        }
        var digits = ""
        for character in body {
            if character.isASCII && character.isNumber || character == "," || character == "." {
                digits.append(character)
            } else if let digit = digitLookalikes[character] {
                digits.append(digit)
                repair.changes.append("\(character)→\(digit)")
            } else {
                repair.doubts.append(
                    "\(raw.quotedForReason) has \"\(character)\" inside the amount")
            }
        }
        guard !digits.isEmpty else {
            repair.doubts.append("\(raw.quotedForReason) is not an amount")
            repair.text = raw
            return repair
        }

        // The decimal mark: the last comma or point when two digits follow it. Every other mark
        // must separate groups of three.
        let marks = digits.indices.filter { digits[$0] == "," || digits[$0] == "." }
        var integer = digits
        var cents = "00"
        if let last = marks.last, digits.distance(from: last, to: digits.endIndex) == 3 {
            integer = String(digits[..<last])
            cents = String(digits[digits.index(after: last)...])
        } else if let last = marks.last {
            let after = digits.distance(from: last, to: digits.endIndex) - 1
            if after != 3 {
                repair.doubts.append(
                    "\(raw.quotedForReason) has \(after) digits after its last mark")
            }
        }
        let groups = integer.split(whereSeparator: { $0 == "," || $0 == "." })
        if groups.count > 1,
            groups.dropFirst().contains(where: { $0.count != 3 }) || groups[0].count > 3
        {
            repair.doubts.append(
                "\(raw.quotedForReason) has thousands groups that are not of three digits")
        }
        repair.text = groups.joined() + "." + cents
        return repair
    }

    /// A date or a phone number: lookalike letters turned to digits; separators kept. A date
    /// written with its month's name ("15 mai 2023") has real letters and is left as it is.
    static func numeric(_ raw: String) -> OCRRepair {
        var repair = OCRRepair(text: "")
        var run = 0
        for character in raw {
            run = character.isLetter ? run + 1 : 0
            if run >= 3 { return OCRRepair(text: raw) }
        }
        for character in raw {
            if let digit = digitLookalikes[character] {
                repair.text.append(digit)
                repair.changes.append("\(character)→\(digit)")
            } else {
                repair.text.append(character)
            }
        }
        return repair
    }
}
