/// Why one field of one row cannot be taken: what it held and what was expected.
/// The text is what a client reads in a reject report, so it is plain and specific.
public struct FieldProblem: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

extension String {
    /// Trimmed of every kind of space a spreadsheet leaves, the no-break ones included.
    var trimmedField: String {
        // Most fields have no space at either end: answer that from the first and last bytes.
        let utf8 = self.utf8
        guard let first = utf8.first, let last = utf8.last else { return self }
        if Self.isPlainEdge(first) && Self.isPlainEdge(last) { return self }
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first.properties.isWhitespace || first == "\u{FEFF}" {
            scalars.removeFirst()
        }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }

    /// A byte that can neither be nor start a space: printable ASCII other than the space.
    @inline(__always)
    private static func isPlainEdge(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }

    /// Lowercased, accents folded, punctuation turned into single spaces: how column names and
    /// code words are compared. `N°`, `º` and `#` read as the word `no`.
    var foldedForComparison: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var pendingSpace = false
        @inline(__always) func word(_ letters: UInt8...) {
            if pendingSpace && !bytes.isEmpty { bytes.append(0x20) }
            pendingSpace = false
            bytes.append(contentsOf: letters)
        }
        func append(_ text: String) {
            if pendingSpace && !bytes.isEmpty { bytes.append(0x20) }
            pendingSpace = false
            bytes.append(contentsOf: text.utf8)
        }
        for scalar in unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                let b = UInt8(v)
                let lower = b >= 0x41 && b <= 0x5A ? b + 0x20 : b
                if (lower >= 0x61 && lower <= 0x7A) || (lower >= 0x30 && lower <= 0x39) {
                    word(lower)
                } else if b == 0x23 {
                    if !bytes.isEmpty { bytes.append(0x20) }
                    bytes.append(contentsOf: [0x6E, 0x6F])
                    pendingSpace = true
                } else {
                    pendingSpace = true
                }
            } else if v == 0xB0 || v == 0xBA {
                if !bytes.isEmpty { bytes.append(0x20) }
                bytes.append(contentsOf: [0x6E, 0x6F])
                pendingSpace = true
            } else if let base = latinFolding[v] {
                append(base)
            } else if scalar.properties.isAlphabetic {
                append(String(scalar).lowercased())
            } else {
                pendingSpace = true
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether the text has a letter: an ASCII letter, or any character beyond ASCII.
    var hasLetter: Bool {
        utf8.contains { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A || $0 >= 0x80 }
    }

    /// Quoted for a reason text, shortened if long. A value that looks like a SIN or a full
    /// date is masked first: a column shifted by a missing field can put a date of birth or a
    /// SIN where an amount was expected, and reasons reach reports and result lines.
    var quotedForReason: String {
        let safe = maskedPersonalData
        let shown = safe.utf8.count > 60 && safe.count > 60 ? String(safe.prefix(57)) + "..." : safe
        return "\"\(shown)\""
    }

    /// Nine digits (in groups or not) keep their last three; a full date keeps its year only.
    var maskedPersonalData: String {
        let digits = filter { $0.isASCII && $0.isNumber }
        if digits.count == 9, allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == " " || $0 == "-" }) {
            return "***-***-" + String(digits.suffix(3))
        }
        let parts = split(whereSeparator: { $0 == "/" || $0 == "-" || $0 == "." })
        if parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            parts.contains(where: { $0.count == 4 })
        {
            return parts.map { $0.count == 4 ? String($0) : String(repeating: "*", count: $0.count) }
                .joined(separator: String(first(where: { $0 == "/" || $0 == "-" || $0 == "." }) ?? "-"))
        }
        return self
    }
}

/// The accented Latin letters of French and its neighbours, folded to their base letters.
private let latinFolding: [UInt32: String] = {
    var table: [UInt32: String] = [:]
    let groups: [(String, String)] = [
        ("ÀÁÂÃÄÅàáâãäå", "a"), ("Çç", "c"), ("ÈÉÊËèéêë", "e"), ("ÌÍÎÏìíîï", "i"), ("Ññ", "n"),
        ("ÒÓÔÕÖØòóôõöø", "o"), ("ÙÚÛÜùúûü", "u"), ("ÝýÿŸ", "y"), ("Ðð", "d"), ("Šš", "s"), ("Žž", "z"),
        ("Ææ", "ae"), ("Œœ", "oe"), ("ß", "ss"), ("Þþ", "th"),
    ]
    for (letters, base) in groups { for scalar in letters.unicodeScalars { table[scalar.value] = base } }
    return table
}()
