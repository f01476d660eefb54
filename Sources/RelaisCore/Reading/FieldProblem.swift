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
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first.properties.isWhitespace || first == "\u{FEFF}" {
            scalars.removeFirst()
        }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }

    /// Lowercased, accents folded, punctuation turned into single spaces: how column names and
    /// code words are compared.
    var foldedForComparison: String {
        let folded = self.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
        var result = ""
        var pendingSpace = false
        for scalar in folded.unicodeScalars {
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                if pendingSpace && !result.isEmpty { result.append(" ") }
                pendingSpace = false
                result.unicodeScalars.append(scalar)
            } else if scalar == "#" || scalar == "°" || scalar == "º" {
                if !result.isEmpty { result.append(" ") }
                result.append("no")
                pendingSpace = true
            } else {
                pendingSpace = true
            }
        }
        return result
    }

    /// Quoted for a reason text, shortened if long.
    var quotedForReason: String {
        let shown = count > 60 ? String(prefix(57)) + "..." : self
        return "\"\(shown)\""
    }
}
