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

    /// The amount, or why the text is not one. Empty text is not read here: callers decide
    /// whether the field is required. Works on the UTF-8 bytes: amounts are ASCII but for the
    /// no-break spaces between thousands, which read as plain spaces.
    public func read(_ raw: String) -> Result<Money, FieldProblem> {
        var shown: String { raw.trimmedField.quotedForReason }
        func failure(_ why: String) -> Result<Money, FieldProblem> {
            .failure(FieldProblem("\(shown) \(why)"))
        }

        // Bytes, with U+00A0, U+202F and U+2009 turned into spaces; anything else non-ASCII is
        // not part of an amount.
        var t: [UInt8] = []
        t.reserveCapacity(raw.utf8.count)
        var input = raw.utf8.makeIterator()
        while let b = input.next() {
            if b < 0x80 {
                t.append(b == 0x27 ? 0x20 : b)
                continue
            }
            if b == 0xC2, input.next() == 0xA0 {
                t.append(0x20)
                continue
            }
            if b == 0xE2, input.next() == 0x80, let c = input.next(), c == 0xAF || c == 0x89 {
                t.append(0x20)
                continue
            }
            return failure("is not an amount")
        }
        func trim() {
            while t.first == 0x20 || t.first == 0x09 { t.removeFirst() }
            while t.last == 0x20 || t.last == 0x09 { t.removeLast() }
        }
        func dropPrefix(_ p: [UInt8]) -> Bool {
            guard t.starts(with: p) else { return false }
            t.removeFirst(p.count)
            trim()
            return true
        }
        func dropSuffix(_ p: [UInt8]) -> Bool {
            guard t.count >= p.count, t[(t.count - p.count)...].elementsEqual(p) else { return false }
            t.removeLast(p.count)
            trim()
            return true
        }
        trim()

        // Sign: accounting parentheses, a leading or trailing minus; currency marks either side.
        var negative = false
        if t.first == UInt8(ascii: "("), t.last == UInt8(ascii: ")") {
            negative = true
            t.removeFirst()
            t.removeLast()
            trim()
        }
        // Currency marks start with `$` or `C`: most amounts have neither at either end.
        if t.first == 0x24 || t.first == 0x43 || t.last == 0x24 || t.last == 0x44 || t.last == 0x41 {
            for mark in Self.currencyMarks {
                _ = dropPrefix(mark)
                _ = dropSuffix(mark)
            }
        }
        if dropPrefix([UInt8(ascii: "-")]) || dropSuffix([UInt8(ascii: "-")]) {
            negative.toggle()
        } else {
            _ = dropPrefix([UInt8(ascii: "+")])
        }
        _ = dropPrefix([UInt8(ascii: "$")])

        guard !t.isEmpty else { return failure("is not an amount") }
        let isDigit = { (b: UInt8) in b >= 0x30 && b <= 0x39 }
        if t.contains(where: { $0 == 0x45 || $0 == 0x65 }), t.contains(where: isDigit) {
            return failure("is in scientific notation: the exact amount was lost by a spreadsheet")
        }
        let comma = UInt8(ascii: ",")
        let point = UInt8(ascii: ".")
        let space = UInt8(0x20)
        guard t.allSatisfy({ isDigit($0) || $0 == comma || $0 == point || $0 == space }),
            isDigit(t[0]) || t[0] == comma || t[0] == point
        else { return failure("is not an amount") }

        if style == .cents {
            guard t.allSatisfy(isDigit) else { return failure("is not a whole number of cents") }
            guard t.count <= 15 else { return failure("is too large to be an amount") }
            let cents = t.reduce(Int64(0)) { $0 * 10 + Int64($1 - 0x30) }
            return .success(Money(cents: negative ? -cents : cents))
        }

        // The decimal mark: by the style, by what the column proves, or by the value's shape.
        let commas = t.lazy.filter { $0 == comma }.count
        let points = t.lazy.filter { $0 == point }.count
        var decimalMark: UInt8? = nil
        switch style {
        case .english: decimalMark = points > 0 ? point : nil
        case .french: decimalMark = commas > 0 ? comma : nil
        case .auto, .cents:
            if commas > 0 && points > 0 {
                decimalMark = t.lastIndex(of: comma)! > t.lastIndex(of: point)! ? comma : point
            } else if commas + points == 1 {
                let mark = commas == 1 ? comma : point
                let after = t.count - t.firstIndex(of: mark)! - 1
                if let proven = provenDecimalMark {
                    decimalMark = proven == Character(Unicode.Scalar(mark)) ? mark : nil
                } else {
                    decimalMark = after == 3 ? nil : mark
                }
            }
        }

        var whole = t[...]
        var fraction: ArraySlice<UInt8> = []
        if let mark = decimalMark {
            guard t.lazy.filter({ $0 == mark }).count == 1 else {
                return failure("has more than one decimal mark")
            }
            let index = t.lastIndex(of: mark)!
            whole = t[..<index]
            fraction = t[(index + 1)...]
            guard fraction.allSatisfy(isDigit) else {
                return failure("is not an amount: unexpected characters after the decimal mark")
            }
            guard fraction.count <= 2 else { return failure("has more than two decimals") }
            guard !fraction.isEmpty else { return failure("has a decimal mark with no digits after it") }
        }

        // Left of the decimal mark: digits, in groups of three after the first when grouped,
        // by one kind of mark (spaces of any width count as one kind).
        let groups = whole.split(omittingEmptySubsequences: false) {
            $0 == space || $0 == comma || $0 == point
        }
        if groups.count > 1 {
            let marks = Set(whole.filter { !isDigit($0) })
            // A group of thousands after a leading zero (0,001) is no amount anyone writes.
            guard marks.count == 1, (1...3).contains(groups[0].count), groups[0].first != 0x30,
                groups.dropFirst().allSatisfy({ $0.count == 3 })
            else { return failure("is not an amount: its digits are not grouped by thousands") }
            if style == .french, marks.contains(comma) {
                return failure("is not an amount in the client's French style")
            }
            if style == .english, marks.contains(point) {
                return failure("is not an amount in the client's English style")
            }
        }
        let digitCount = groups.reduce(0) { $0 + $1.count }
        guard digitCount > 0 || !fraction.isEmpty else { return failure("is not an amount") }
        guard digitCount <= 13 else { return failure("is too large to be an amount") }
        var dollars: Int64 = 0
        for group in groups { for b in group { dollars = dollars * 10 + Int64(b - 0x30) } }
        var cents: Int64 = 0
        for b in fraction { cents = cents * 10 + Int64(b - 0x30) }
        if fraction.count == 1 { cents *= 10 }
        let total = dollars * 100 + cents
        return .success(Money(cents: negative ? -total : total))
    }

    static let currencyMarks: [[UInt8]] = ["CAD", "CA$", "$CA", "$", "CA"].map { Array($0.utf8) }

    /// What a value proves of its column's decimal mark: a lone mark followed by one or two digits,
    /// or both marks present, shows which is the decimal.
    static func decimalMarkEvidence(_ raw: String) -> Character? {
        let comma = UInt8(ascii: ",")
        let point = UInt8(ascii: ".")
        var commas = 0
        var points = 0
        var lastComma = -1
        var lastPoint = -1
        for (i, b) in raw.utf8.enumerated() {
            if b == comma {
                commas += 1
                lastComma = i
            } else if b == point {
                points += 1
                lastPoint = i
            }
        }
        if commas > 0 && points > 0 { return lastComma > lastPoint ? "," : "." }
        // Two or more of one mark: that mark groups thousands, so the other is the decimal.
        if commas > 1 { return "." }
        if points > 1 { return "," }
        guard commas + points == 1 else { return nil }
        let at = commas == 1 ? lastComma : lastPoint
        let digitsAfter = raw.utf8.dropFirst(at + 1).prefix { $0 >= 0x30 && $0 <= 0x39 }.count
        return (1...2).contains(digitsAfter) ? (commas == 1 ? "," : ".") : nil
    }
}
