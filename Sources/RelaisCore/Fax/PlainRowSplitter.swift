/// Splits a row of plain OCR text into fields when the spaces between columns are lost, as
/// tesseract's text output loses them: fields of a known shape (a reference, a date, an
/// amount, a phone) are taken from both ends of the row in header order, and the one free-text
/// field (the debtor's name) takes what is left in the middle.
///
/// A row with two free-text columns (a name and a city, say) cannot be split this way: it is
/// sent to review with that reason. A row typed with two or more spaces between every column
/// is split on those spaces instead.
enum PlainRowSplitter {
    static func fields(of row: OCRRow, anchors: [ColumnAnchor]) -> (
        cells: [Int: OCRCell], problems: [String]
    ) {
        // Columns typed apart: cells separated by at least two spaces, one per heading.
        var spaced: [[OCRWord]] = []
        for word in row.words {
            if let last = spaced.last?.last, word.left - last.right < 2 {
                spaced[spaced.count - 1].append(word)
            } else {
                spaced.append([word])
            }
        }
        if spaced.count == anchors.count {
            var cells: [Int: OCRCell] = [:]
            for (index, words) in spaced.enumerated() { cells[index] = FaxListLayout.cell(words) }
            return (cells, [])
        }

        let tokens = row.words.map(\.text)
        var low = 0
        var high = tokens.count
        var cells: [Int: [String]] = [:]
        var left = 0
        while left < anchors.count,
            let count = take(anchors[left].field, Array(tokens[low..<high]), fromLeft: true)
        {
            cells[left] = Array(tokens[low..<(low + count)])
            low += count
            left += 1
        }
        var right = anchors.count - 1
        while right > left,
            let count = take(anchors[right].field, Array(tokens[low..<high]), fromLeft: false)
        {
            cells[right] = Array(tokens[(high - count)..<high])
            high -= count
            right -= 1
        }
        var problems: [String] = []
        if left == right {
            cells[left] = Array(tokens[low..<high])
        } else if left < right {
            let free = anchors[left...right].map(\.heading.quotedForReason).joined(separator: ", ")
            problems.append(
                "the columns \(free) cannot be told apart in plain text without their spacing")
        } else if low < high {
            problems.append(
                "\(tokens[low..<high].joined(separator: " ").quotedForReason) is left over "
                    + "after every column was read")
        }
        return (
            cells.filter { !$0.value.isEmpty }.mapValues { words in
                OCRCell(text: words.joined(separator: " "), confidence: nil, lowestWord: "")
            }, problems
        )
    }

    /// How many tokens a field of known shape takes from that end of `tokens`, or nil for a
    /// free-text field (or when nothing is left).
    static func take(_ field: AssignmentField?, _ tokens: [String], fromLeft: Bool) -> Int? {
        guard let field, !tokens.isEmpty else { return nil }
        let ordered = fromLeft ? tokens : tokens.reversed()
        switch field {
        case .clientReference, .birthDate, .coDebtorBirthDate, .chargeOffDate,
            .firstDelinquencyDate,
            .lastPaymentDate, .email, .province, .language, .kind, .creditorClassification, .sin,
            .coDebtorSIN:
            return 1
        case .phoneHome, .phoneWork, .phoneMobile, .coDebtorPhone:
            // "(514) 555-0142" is two tokens.
            if fromLeft, ordered.count >= 2, ordered[0].hasPrefix("("), ordered[0].hasSuffix(")") {
                return 2
            }
            if !fromLeft, ordered.count >= 2, ordered[1].hasPrefix("("), ordered[1].hasSuffix(")") {
                return 2
            }
            return 1
        case .postalCode, .coDebtorPostalCode:
            let pair = fromLeft ? ordered.prefix(2).joined() : ordered.prefix(2).reversed().joined()
            return ordered.count >= 2 && pair.count == 6 && ordered[0].count == 3 ? 2 : 1
        case .amount, .principal, .interest, .fees:
            return amountLength(ordered, fromLeft: fromLeft)
        default:
            return nil
        }
    }

    static func isCurrency(_ token: String) -> Bool { ["$", "S", "$CA", "CAD"].contains(token) }

    /// A token made of digits as OCR may read them (O for 0, l for 1, S for 5...).
    static func digitCount(_ token: String) -> Int? {
        guard !token.isEmpty,
            token.allSatisfy({ $0.isNumber || OCRRepair.digitLookalikes[$0] != nil })
        else {
            return nil
        }
        return token.count
    }

    /// The tokens of an amount written with spaces between its thousands ("12 400,10 $"):
    /// a leading group of one to three digits, then groups of three, the last with its decimals.
    static func amountLength(_ ordered: [String], fromLeft: Bool) -> Int {
        var count = 0
        var index = 0
        if index < ordered.count, isCurrency(ordered[index]) {
            index += 1
            count += 1
        }
        guard index < ordered.count else { return max(count, 1) }
        if fromLeft {
            // First group, then three-digit groups while no decimal mark has been seen.
            var sawDecimal = ordered[index].contains { $0 == "," || $0 == "." }
            index += 1
            count += 1
            while index < ordered.count, !sawDecimal {
                let token = ordered[index]
                let integer = token.prefix { $0 != "," && $0 != "." }
                guard digitCount(String(integer)) == 3 else { break }
                sawDecimal = integer.count < token.count
                index += 1
                count += 1
            }
            if index < ordered.count, isCurrency(ordered[index]) { count += 1 }
            return count
        }
        // From the right: the token with the decimals, then groups before it.
        var integer = ordered[index].prefix { $0 != "," && $0 != "." }
        if integer.hasPrefix("$") { integer = integer.dropFirst() }
        index += 1
        count += 1
        var groupOfThree = digitCount(String(integer)) == 3
        while groupOfThree, index < ordered.count, let digits = digitCount(ordered[index]),
            digits <= 3
        {
            index += 1
            count += 1
            groupOfThree = digits == 3
        }
        if index < ordered.count, ordered[index] == "$" { count += 1 }
        return count
    }
}
