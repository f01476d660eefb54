/// How a client writes amounts, when its profile says; `auto` reads each value by its shape.
public enum AmountStyle: String, Sendable, CaseIterable {
    /// Decide per value: the last of `,` and `.` is the decimal mark; a lone mark followed by
    /// exactly three digits groups thousands.
    case auto
    /// `1 234,56 $`: decimal comma; space, no-break space or dot between thousands.
    case french
    /// `$1,234.56`: decimal point; comma between thousands.
    case english
    /// `123456` means 1 234,56 $: whole cents, as some mainframe exports write them.
    case cents
}

/// Reads an amount of money, in any of the ways creditors write one, into integer cents.
/// Never goes through floating point: `14 000,12` is 1 400 012 cents, not 0.12.
public struct AmountReader: Sendable {
    public var style: AmountStyle
    /// The decimal mark a column's values prove, when known: `,` or `.`.
    public var provenDecimalMark: Character?

    public init(style: AmountStyle = .auto, provenDecimalMark: Character? = nil) {
        self.style = style
        self.provenDecimalMark = provenDecimalMark
    }

    static let groupingSpaces: Set<Character> = [" ", "\u{00A0}", "\u{202F}", "\u{2009}", "'"]

    /// The amount, or why the text is not one. Empty text is not read here: callers decide
    /// whether the field is required.
    public func read(_ raw: String) -> Result<Money, FieldProblem> {
        let original = raw.trimmedField
        var text = Substring(original)
        let shown = original.quotedForReason

        // Sign: a leading or trailing minus, or accounting parentheses.
        var negative = false
        if text.hasPrefix("(") && text.hasSuffix(")") {
            negative = true
            text = text.dropFirst().dropLast()
        }
        text = Substring(String(text).trimmedField)
        // Currency marks before or after the number.
        for mark in ["CAD", "CA$", "$CA", "$", "CA"] {
            if text.hasPrefix(mark) { text = Substring(String(text.dropFirst(mark.count)).trimmedField) }
            if text.hasSuffix(mark) { text = Substring(String(text.dropLast(mark.count)).trimmedField) }
        }
        if text.hasPrefix("-") {
            negative.toggle()
            text = Substring(String(text.dropFirst()).trimmedField)
        } else if text.hasSuffix("-") {
            negative.toggle()
            text = Substring(String(text.dropLast()).trimmedField)
        } else if text.hasPrefix("+") {
            text = text.dropFirst()
        }
        if text.hasPrefix("$") { text = Substring(String(text.dropFirst()).trimmedField) }

        guard !text.isEmpty else { return .failure(FieldProblem("\(shown) is not an amount")) }
        if text.contains(where: { $0 == "E" || $0 == "e" }), text.contains(where: \.isNumber) {
            return .failure(FieldProblem(
                "\(shown) is in scientific notation: the exact amount was lost by a spreadsheet"))
        }
        guard text.allSatisfy({ $0.isASCII && $0.isNumber || $0 == "," || $0 == "." || Self.groupingSpaces.contains($0) }),
            text.first!.isNumber || text.first == "," || text.first == "."
        else { return .failure(FieldProblem("\(shown) is not an amount")) }

        if style == .cents {
            guard text.allSatisfy({ $0.isNumber }) else {
                return .failure(FieldProblem("\(shown) is not a whole number of cents"))
            }
            guard text.count <= 15, let cents = Int64(text) else {
                return .failure(FieldProblem("\(shown) is too large to be an amount"))
            }
            return .success(Money(cents: negative ? -cents : cents))
        }

        // Find the decimal mark: by the style, by what the column proves, or by the value's shape.
        let commas = text.filter { $0 == "," }.count
        let points = text.filter { $0 == "." }.count
        var decimalMark: Character? = nil
        switch style {
        case .english: decimalMark = points > 0 ? "." : nil
        case .french: decimalMark = commas > 0 ? "," : nil
        case .auto, .cents:
            if commas > 0 && points > 0 {
                decimalMark = text.lastIndex(of: ",")! > text.lastIndex(of: ".")! ? "," : "."
            } else if commas + points == 1 {
                let mark: Character = commas == 1 ? "," : "."
                let after = text.distance(from: text.firstIndex(of: mark)!, to: text.endIndex) - 1
                if let proven = provenDecimalMark {
                    decimalMark = proven == mark ? mark : nil
                } else {
                    decimalMark = after == 3 ? nil : mark
                }
            }
        }
        if style == .english && commas > 0 && decimalMark == nil && points > 0 { decimalMark = "." }

        var whole = Substring(text)
        var fraction: Substring = ""
        if let mark = decimalMark {
            guard text.filter({ $0 == mark }).count == 1 else {
                return .failure(FieldProblem("\(shown) has more than one decimal mark"))
            }
            let index = text.lastIndex(of: mark)!
            whole = text[..<index]
            fraction = text[text.index(after: index)...]
        }
        guard fraction.allSatisfy({ $0.isNumber }) else {
            return .failure(FieldProblem("\(shown) is not an amount: unexpected characters after the decimal mark"))
        }
        guard fraction.count <= 2 else {
            return .failure(FieldProblem("\(shown) has more than two decimals"))
        }
        if decimalMark != nil && fraction.isEmpty {
            return .failure(FieldProblem("\(shown) has a decimal mark with no digits after it"))
        }

        // What is left of the decimal mark: digits, in groups of three after the first when
        // grouped. The grouping mark is whichever of space, comma or point is not the decimal.
        let groups = whole.split(omittingEmptySubsequences: false) {
            Self.groupingSpaces.contains($0) || $0 == "," || $0 == "."
        }
        if groups.count > 1 {
            let groupingMarks = Set(whole.filter { !$0.isNumber })
            guard groupingMarks.count == 1 || groupingMarks.isSubset(of: Self.groupingSpaces),
                (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 })
            else {
                return .failure(FieldProblem("\(shown) is not an amount: its digits are not grouped by thousands"))
            }
            if style == .french, groupingMarks.contains(",") {
                return .failure(FieldProblem("\(shown) is not an amount in the client's French style"))
            }
            if style == .english, groupingMarks.contains(".") {
                return .failure(FieldProblem("\(shown) is not an amount in the client's English style"))
            }
        }
        let digits = groups.joined()
        guard !digits.isEmpty || !fraction.isEmpty else { return .failure(FieldProblem("\(shown) is not an amount")) }
        guard digits.count <= 13 else { return .failure(FieldProblem("\(shown) is too large to be an amount")) }
        let dollars = Int64(digits.isEmpty ? "0" : digits)!
        let cents = fraction.isEmpty ? 0 : Int64(fraction.count == 1 ? fraction + "0" : String(fraction))!
        let total = dollars * 100 + cents
        return .success(Money(cents: negative ? -total : total))
    }

    /// What a value proves of its column's decimal mark: a lone mark followed by one or two digits,
    /// or both marks present, shows which is the decimal.
    static func decimalMarkEvidence(_ raw: String) -> Character? {
        let text = raw.trimmedField
        let commas = text.filter { $0 == "," }.count
        let points = text.filter { $0 == "." }.count
        if commas > 0 && points > 0 {
            return text.lastIndex(of: ",")! > text.lastIndex(of: ".")! ? "," : "."
        }
        guard commas + points == 1 else {
            // Two or more of one mark: that mark groups thousands, so the other is the decimal.
            if commas > 1 { return "." }
            if points > 1 { return "," }
            return nil
        }
        let mark: Character = commas == 1 ? "," : "."
        let digitsAfter = text[text.index(after: text.firstIndex(of: mark)!)...].prefix(while: \.isNumber).count
        return (1...2).contains(digitsAfter) ? mark : nil
    }
}
