/// The analysis of one faxed list: its header, its rows, its printed total, row count and
/// page marks, and for each row whether it is read with certainty.
struct FaxList {
    var outcomes: [RowOutcome] = []
    var notes: [(String, String)] = []

    /// One data row as read, before the list-level checks decide what becomes of it.
    private struct Row {
        var number: Int
        var page: Int
        var raw: String
        var asRead: [AssignmentField: String] = [:]
        var proposed: [AssignmentField: String] = [:]
        var doubts: [String] = []
        /// Doubts a printed total that reconciles clears: repaired or low-confidence amounts.
        var amountDoubts: [String] = []
        var amount: Money?
        var built: Result<Assignment, RowProblem>?
    }

    static func read(_ text: OCRText, profile: ClientProfile, today: CalendarDate) throws -> FaxList {
        var list = FaxList()
        let rows = FaxListLayout.rows(text)

        // The header: the first row naming the reference, the debtor and the amount. Rows above
        // a page's header (a letterhead, the fax machine's banner line) are not data.
        let headers = rows.indices.compactMap { index in
            FaxListLayout.header(rows[index]).map { (index, $0) }
        }
        guard let first = headers.first else {
            throw FileRefusal(
                "no header line: no row names the client reference, the debtor's name and the "
                    + "amount (expected, for the reference, one of: "
                    + "\(HeaderDictionary.examples(.clientReference)))"
            )
        }
        let headerIndexes = Set(headers.map(\.0))
        var pagesWithHeader: [Int: Int] = [:]
        for (index, _) in headers where pagesWithHeader[rows[index].page] == nil {
            pagesWithHeader[rows[index].page] = index
        }
        for (index, anchors) in headers {
            let fields = anchors.compactMap(\.field)
            if Set(fields).count != fields.count {
                throw FileRefusal(
                    "row \(rows[index].number): two headings read as the same field "
                        + "(\(anchors.map(\.heading).joined(separator: " | ")))")
            }
        }
        list.notes.append(
            (
                "columns",
                first.1.map { $0.field?.rawValue ?? "(\($0.heading))" }.joined(separator: "|")
            ))

        var builder = AssignmentBuilder(
            today: today, amountStyle: .auto, defaultKind: profile.defaultKind)
        for anchor in first.1 {
            guard let field = anchor.field else { continue }
            builder.headings[field] = anchor.heading
            // Repaired amounts are written with a point for decimals.
            if field.isAmount { builder.decimalMarks[field] = "." }
        }

        var anchors = first.1
        var data: [Row] = []
        var totals: [(row: OCRRow, amount: Money?, subtotal: Bool, raw: String)] = []
        var counts: [(row: OCRRow, count: Int?)] = []
        var pageMarks: [(row: OCRRow, page: Int?, of: Int?)] = []
        var textLines: [OCRRow] = []
        for (index, row) in rows.enumerated() where index > first.0 {
            if headerIndexes.contains(index) {
                anchors = headers.first { $0.0 == index }!.1
                continue
            }
            if let headerOfPage = pagesWithHeader[row.page], index < headerOfPage { continue }
            let folded = HeaderDictionary.fold(row.text)
            if let mark = Self.pageMark(folded) {
                pageMarks.append((row, mark.page, mark.of))
                continue
            }
            if let total = Self.totalLine(row, folded: folded) {
                totals.append((row, total.amount, total.subtotal, total.raw))
                continue
            }
            if let count = Self.countLine(folded) {
                counts.append((row, count))
                continue
            }
            if row.text.filter({ $0.isLetter || $0.isNumber }).count < 3 { continue }
            if !row.words.contains(where: { $0.text.contains(where: \.isNumber) }) {
                // No digit at all: a remark, a signature; not an account, which has at least a
                // reference or an amount.
                textLines.append(row)
                continue
            }
            data.append(Self.row(row, anchors: anchors, kind: text.kind, builder: builder))
        }

        // Date columns: the day/month order the whole column proves, else the profile's.
        for field in Set(data.flatMap(\.proposed.keys)) where field.isDate {
            var evidence = DateColumnEvidence()
            for row in data {
                if let text = row.proposed[field],
                    case .success(let written) = builder.dates.parse(text)
                {
                    evidence.note(written, line: row.number)
                }
            }
            if let order = profile.dateOrder ?? evidence.proven {
                builder.dateOrders[field] = order
            }
        }
        for index in data.indices { Self.validate(&data[index], builder: builder) }
        Self.checkReferenceShapes(&data)
        Self.checkNameStyles(&data)

        // The list as a whole: total, count, pages. Any doubt here holds every row.
        var held: [String] = []
        let finalTotals = totals.filter { !$0.subtotal }
        var printed: Money?
        if finalTotals.count > 1 {
            held.append(
                "the list prints \(finalTotals.count) totals (rows "
                    + finalTotals.map { String($0.row.number) }.joined(separator: ", ")
                    + "); which one holds is unclear"
            )
        } else if let total = finalTotals.first {
            if let amount = total.amount {
                printed = amount
                let unreadable = data.filter { $0.amount == nil }
                let sum = data.compactMap(\.amount).reduce(Money.zero, +)
                if !unreadable.isEmpty {
                    held.append(
                        "the printed total \(amount.plain) cannot be checked: row "
                            + unreadable.map { String($0.number) }.joined(separator: ", ")
                            + " has no readable amount"
                    )
                } else if sum != amount {
                    held.append(
                        "the rows add up to \(sum.plain), not the printed total \(amount.plain)")
                }
            } else {
                held.append("the printed total \(total.raw.quotedForReason) cannot be read")
            }
        }
        if let count = counts.last {
            if let value = count.count {
                if value != data.count {
                    held.append("the list says \(value) accounts; \(data.count) rows were read")
                }
            } else {
                held.append("the printed count \(count.row.text.quotedForReason) cannot be read")
            }
        }
        held += Self.pageProblems(pageMarks, pagesRead: Set(rows.map(\.page)).count)
        if printed == nil && text.kind == .text {
            held.append(
                "plain OCR text carries no confidence, and the list prints no total to confirm its rows"
            )
        }
        if !held.isEmpty || printed == nil {
            // Lines without a digit may be an account whose every digit was lost: with nothing to
            // prove otherwise, a person looks at them too.
            for row in textLines {
                data.append(
                    Row(
                        number: row.number, page: row.page, raw: row.text,
                        doubts: ["the line has no reference or amount that could be read"]))
            }
            data.sort { $0.number < $1.number }
        }
        let reconciled = printed != nil && held.isEmpty

        for row in data {
            var reasons = held + row.doubts
            if !reconciled { reasons += row.amountDoubts }
            if reasons.isEmpty, case .success(let assignment) = row.built {
                list.outcomes.append(.assignment(line: row.number, assignment))
                continue
            }
            if case .failure(let problem) = row.built {
                reasons.append((problem.field.map { "\($0): " } ?? "") + problem.reason)
            }
            let fields = AssignmentField.allCases.compactMap { field -> ReviewDraft.Field? in
                guard let read = row.asRead[field] ?? row.proposed[field] else { return nil }
                return ReviewDraft.Field(
                    field: field, asRead: read, proposed: row.proposed[field] ?? read)
            }
            list.outcomes.append(
                .review(
                    ReviewDraft(
                        line: row.number, page: row.page, rawText: row.raw,
                        fields: fields, reasons: Self.unique(reasons), amount: row.amount)))
        }
        if let total = finalTotals.first {
            list.outcomes.append(.footer(line: total.row.number, printedTotal: printed))
        }
        list.notes.append(("rows", String(data.count)))
        list.notes.append(("reconciled", reconciled ? "yes" : "no"))
        return list
    }

    static func unique(_ reasons: [String]) -> [String] {
        var seen: Set<String> = []
        return reasons.filter { seen.insert($0).inserted }
    }

    /// A data row split into its fields, numeric fields repaired, confidence checked.
    private static func row(
        _ row: OCRRow, anchors: [ColumnAnchor], kind: OCRText.Kind, builder: AssignmentBuilder
    )
        -> Row
    {
        var result = Row(number: row.number, page: row.page, raw: row.text)
        let split =
            kind == .tsv
            ? FaxListLayout.fields(of: row, anchors: anchors)
            : PlainRowSplitter.fields(of: row, anchors: anchors)
        result.doubts += split.problems
        for (index, cell) in split.cells {
            guard let field = anchors[index].field else { continue }
            let text = cell.text.trimmedField
            guard !text.isEmpty else { continue }
            result.asRead[field] = text
            var proposed = text
            if field.isAmount {
                let repair = OCRRepair.amount(text)
                proposed = repair.text
                result.doubts += repair.doubts
                if !repair.changes.isEmpty {
                    result.amountDoubts.append(
                        "\(text.quotedForReason) was repaired (\(repair.changes.joined(separator: ", ")))"
                    )
                }
            } else if field.isDate || Self.phoneFields.contains(field) {
                let repair = OCRRepair.numeric(text)
                proposed = repair.text
                if !repair.changes.isEmpty {
                    result.doubts.append(
                        "\(anchors[index].heading): \(text.quotedForReason) was repaired "
                            + "(\(repair.changes.joined(separator: ", ")))")
                }
            }
            result.proposed[field] = proposed

            // What tesseract was unsure of.
            if let confidence = cell.confidence {
                let bar =
                    field == .clientReference
                    ? FaxListReader.referenceConfidence
                    : Self.nameFields.contains(field)
                        ? FaxListReader.nameConfidence : FaxListReader.otherConfidence
                if confidence < bar {
                    let doubt =
                        "\(anchors[index].heading): OCR is unsure of \(cell.lowestWord.quotedForReason) "
                        + "(confidence \(Int(confidence)))"
                    if field.isAmount {
                        result.amountDoubts.append(doubt)
                    } else {
                        result.doubts.append(doubt)
                    }
                }
            }
            if Self.nameFields.contains(field), let doubt = Self.nameDoubt(text) {
                result.doubts.append("\(anchors[index].heading): \(doubt)")
            }
        }
        if let amountText = result.proposed[.amount],
            case .success(let money) = AmountReader(style: .auto, provenDecimalMark: ".").read(
                amountText)
        {
            result.amount = money
        } else if result.proposed[.amount] == nil {
            let parts = [AssignmentField.principal, .interest, .fees].compactMap {
                result.proposed[$0]
            }
            let amounts = parts.compactMap {
                try? AmountReader(style: .auto, provenDecimalMark: ".").read($0).get()
            }
            if !parts.isEmpty, amounts.count == parts.count {
                result.amount = amounts.reduce(Money.zero, +)
            }
        }
        return result
    }

    private static func validate(_ row: inout Row, builder: AssignmentBuilder) {
        row.built = builder.build(row.proposed)
    }

    static let nameFields: Set<AssignmentField> = [
        .debtorName, .firstName, .lastName, .companyName, .coDebtorName,
    ]
    static let phoneFields: Set<AssignmentField> = [
        .phoneHome, .phoneWork, .phoneMobile, .coDebtorPhone,
    ]
    static let particles: Set<String> = [
        "de", "du", "des", "la", "le", "van", "von", "der", "di", "da", "et",
        "and", "of", "d", "l", "st", "ste", "y", "e", "dos", "del",
    ]

    /// Why a name, as OCR read it, may not be the printed one: a digit or a sign no name has,
    /// a word starting in lower case, a capital inside a word (`l` and `I` are confused).
    static func nameDoubt(_ name: String) -> String? {
        if name.contains(where: \.isNumber) {
            return "\(name.quotedForReason) has a digit in a name"
        }
        let allowed: Set<Character> = [" ", "-", "'", "’", ".", ",", "&"]
        if let odd = name.first(where: { !$0.isLetter && !allowed.contains($0) }) {
            return "\(name.quotedForReason) has \"\(odd)\", which no name has"
        }
        for word in name.split(whereSeparator: { $0 == " " || $0 == "-" || $0 == "," }) {
            let letters = word.filter(\.isLetter)
            guard let initial = letters.first else { continue }
            let lowerWord = letters.lowercased()
            if initial.isLowercase && !particles.contains(lowerWord) {
                return "\(name.quotedForReason): \"\(word)\" starts with a lower-case letter"
            }
            if letters.allSatisfy(\.isUppercase) { continue }
            var previous: Character = initial
            for (offset, letter) in letters.enumerated() where offset > 0 {
                let prefix = String(letters.prefix(offset)).lowercased()
                if letter.isUppercase && previous.isLowercase
                    && !["mc", "mac", "o", "d", "l"].contains(prefix)
                {
                    return "\(name.quotedForReason): \"\(word)\" has a capital inside the word"
                }
                previous = letter
            }
        }
        return nil
    }

    /// A reference unlike the list's usual shape (`CP-999999`) was likely misread: letters and
    /// digits OCR confuses are not repaired in a reference, which is text.
    private static func checkReferenceShapes(_ rows: inout [Row]) {
        func shape(_ reference: String) -> String {
            String(reference.map { $0.isLetter ? "A" : $0.isNumber ? "9" : $0 })
        }
        let shapes = rows.compactMap { $0.proposed[.clientReference].map(shape) }
        guard shapes.count >= 3 else { return }
        var tally: [String: Int] = [:]
        for s in shapes { tally[s, default: 0] += 1 }
        guard let usual = tally.max(by: { $0.value < $1.value }), usual.value * 2 > shapes.count
        else { return }
        for index in rows.indices {
            guard let reference = rows[index].proposed[.clientReference],
                shape(reference) != usual.key
            else { continue }
            rows[index].doubts.append(
                "the reference \(reference.quotedForReason) does not have the list's "
                    + "usual shape \(usual.key.quotedForReason)")
        }
    }

    /// A name written unlike the list's others lost something to OCR: a one-word name where the
    /// list writes first and last names, a name without the comma the list puts after the family
    /// name ("Smithjohn" for "Smith, John").
    private static func checkNameStyles(_ rows: inout [Row]) {
        let names = rows.compactMap { $0.proposed[.debtorName] }
        guard !names.isEmpty else { return }
        let withComma = names.filter { $0.contains(",") }.count
        let listUsesComma = withComma * 2 > names.count
        for index in rows.indices {
            guard let name = rows[index].proposed[.debtorName] else { continue }
            let words = name.split(whereSeparator: { $0 == " " || $0 == "," }).count
            if let comma = name.firstIndex(of: ","), name.index(after: comma) < name.endIndex,
                !name[name.index(after: comma)].isWhitespace
            {
                rows[index].doubts.append(
                    "the name \(name.quotedForReason) has no space after its comma; "
                        + "OCR lost a space there, and may have lost more")
            } else if words < 2 && !name.contains(where: { $0 == "&" }) {
                rows[index].doubts.append(
                    "the name \(name.quotedForReason) is a single word; a space may have been lost")
            } else if listUsesComma && !name.contains(",") {
                rows[index].doubts.append(
                    "the name \(name.quotedForReason) has no comma, where the list writes "
                        + "\"Family name, first name\"")
            }
        }
    }

    /// `Page 1 de 2`, `Page 1 of 2`, `Page 1/2`, as folded text; OCR may glue or misread the
    /// digits ("page lof 1"). nil when the row is not a page mark.
    static func pageMark(_ folded: String) -> (page: Int?, of: Int?)? {
        let words = folded.split(separator: " ").map(String.init)
        guard let first = words.first, first == "page" || first == "p", words.count >= 2,
            words.count <= 8
        else {
            return nil
        }
        // The page is the last token before the separator, the count the first after it: OCR
        // adds specks around them.
        let rest = words.dropFirst().joined(separator: " ")
        for separator in [" de ", " of ", " sur ", "de", "of", "sur", " "] {
            guard let range = rest.range(of: separator) else { continue }
            let left = rest[..<range.lowerBound].split(separator: " ").last.flatMap {
                digits(String($0))
            }
            let right = rest[range.upperBound...].split(separator: " ").first.flatMap {
                digits(String($0))
            }
            if left != nil && right != nil { return (left, right) }
        }
        return (digits(rest), nil)
    }

    static func digits(_ text: String) -> Int? {
        let cleaned = text.filter { !$0.isWhitespace }
        guard !cleaned.isEmpty, cleaned.count <= 4 else { return nil }
        var result = ""
        for character in cleaned {
            if character.isNumber {
                result.append(character)
            } else if let digit = OCRRepair.digitLookalikes[character] {
                result.append(digit)
            } else if character.uppercased() == "L" || character == "I" {
                result.append("1")
            } else {
                return nil
            }
        }
        return Int(result)
    }

    static let totalWords = [
        "total", "totaux", "grand total", "total general", "sous total", "subtotal",
        "sub total", "montant total", "total des comptes", "total du",
    ]

    /// A total line: its first words say total; its amount is the amount at its right end.
    private static func totalLine(_ row: OCRRow, folded: String) -> (
        amount: Money?, subtotal: Bool, raw: String
    )? {
        // Specks before the word (two letters at most) do not hide it.
        var words = folded.split(separator: " ").map(String.init)
        while let first = words.first, first.count <= 2, !first.contains(where: \.isNumber),
            !totalWords.contains(first)
        {
            words.removeFirst()
        }
        let folded = words.joined(separator: " ")
        guard totalWords.contains(where: { folded == $0 || folded.hasPrefix($0 + " ") }) else {
            return nil
        }
        let subtotal =
            folded.hasPrefix("sous total") || folded.hasPrefix("subtotal")
            || folded.hasPrefix("sub total")
        let tokens = row.words.map(\.text)
        let length = PlainRowSplitter.amountLength(tokens.reversed(), fromLeft: false)
        let raw = tokens.suffix(length).joined(separator: " ")
        let repair = OCRRepair.amount(raw)
        guard repair.doubts.isEmpty, raw.contains(where: \.isNumber),
            case .success(let money) = AmountReader(style: .auto, provenDecimalMark: ".").read(
                repair.text)
        else { return (nil, subtotal, row.text) }
        return (money, subtotal, raw)
    }

    /// `Nombre de comptes : 6`, `Number of accounts: 6`, `Count 6`.
    static func countLine(_ folded: String) -> Int?? {
        let words = folded.split(separator: " ").map(String.init)
        guard let first = words.first, ["nombre", "nb", "number", "count", "no"].contains(first),
            words.contains(where: {
                ["comptes", "compte", "dossiers", "accounts", "files", "count"].contains($0)
            })
                || first == "count"
        else { return nil }
        return .some(words.reversed().lazy.compactMap { digits($0) }.first)
    }

    private static func pageProblems(_ marks: [(row: OCRRow, page: Int?, of: Int?)], pagesRead: Int)
        -> [String]
    {
        guard !marks.isEmpty else { return [] }
        var problems: [String] = []
        if let bad = marks.first(where: { $0.page == nil || $0.of == nil }) {
            problems.append("the page mark \(bad.row.text.quotedForReason) cannot be read")
            return problems
        }
        let totals = Set(marks.compactMap(\.of))
        guard totals.count == 1, let of = totals.first else {
            return [
                "the page marks disagree on the number of pages ("
                    + totals.sorted().map(String.init).joined(separator: ", ") + ")"
            ]
        }
        let seen = Set(marks.compactMap(\.page))
        let missing = (1...max(1, of)).filter { !seen.contains($0) }
        if !missing.isEmpty {
            problems.append(
                "the list has \(of) pages; page \(missing.map(String.init).joined(separator: ", ")) "
                    + "did not arrive")
        }
        if pagesRead > of {
            problems.append("\(pagesRead) pages were read where the list says \(of)")
        }
        return problems
    }
}
