/// Why a whole file is refused before any of its rows is looked at. The reason is what the
/// `.reason` file beside the kept original says.
public struct FileRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// What became of one record of a creditor's file.
public enum RowOutcome: Sendable {
    case assignment(line: Int, Assignment)
    /// A row that is not a case; its amount, when readable, still counts toward the control total.
    case rejected(line: Int, problem: RowProblem, amount: Money?)
    /// A total or trailer row: not a case; its printed amount, when it has one, is a control
    /// total for the file.
    case footer(line: Int, printedTotal: Money?)
    /// A row read without certainty (a faxed list after OCR): it waits for a person.
    case review(ReviewDraft)
    /// A change to a case already assigned (a payment to the creditor, a recall…).
    case update(line: Int, ClientUpdate)
}

/// How a delimited file was read: what the first pass decided, for the ledger and the reports.
public struct CSVLayout: Sendable {
    public var encoding: TextEncoding
    public var encodingNote: String
    public var delimiter: UInt8
    public var hasHeader: Bool
    /// Column index (0-based) of each field.
    public var columns: [AssignmentField: Int]
    public var headings: [String]
    /// Headings the dictionary does not know; their values are not used.
    public var unusedHeadings: [String]
    public var dataRecords: Int

    public var delimiterName: String {
        switch delimiter {
        case 0x2C: return "comma"
        case 0x3B: return "semicolon"
        case 0x09: return "tab"
        case 0x7C: return "pipe"
        default: return "byte \(delimiter)"
        }
    }
}

/// Reads a creditor's CSV file into assignments in two streaming passes: the first decides the
/// layout (encoding, delimiter, header, each date column's day/month order, each amount
/// column's decimal mark), the second turns every record into exactly one outcome.
public final class CSVAssignmentReader {
    public let path: String
    public let survey: FileSurvey
    public let profile: ClientProfile
    public private(set) var layout: CSVLayout! {
        didSet { columnList = layout.map { Array($0.columns) } ?? [] }
    }
    /// The layout's columns as a list, walked once per row.
    private var columnList: [(key: AssignmentField, value: Int)] = []
    private var builder: AssignmentBuilder

    public init(path: String, survey: FileSurvey, profile: ClientProfile, today: CalendarDate) {
        self.path = path
        self.survey = survey
        self.profile = profile
        self.builder = AssignmentBuilder(
            today: today, amountStyle: profile.amountStyle, defaultKind: profile.defaultKind)
    }

    static let candidateDelimiters: [UInt8] = [0x2C, 0x3B, 0x09, 0x7C]

    private func recordReader(_ delimiter: UInt8) -> CSVRecordReader {
        CSVRecordReader(
            path: path, delimiter: delimiter, lineTerminator: survey.lineTerminator,
            skipBytes: survey.startsWithUTF8BOM ? 3 : 0)
    }

    /// The first pass. Throws a `FileRefusal` when the file as a whole cannot be read.
    @discardableResult
    public func prepareLayout() throws -> CSVLayout {
        guard survey.size > 0 else { throw FileRefusal("the file is empty") }
        if survey.startsWithUTF16BOM {
            throw FileRefusal("the file is in UTF-16; save it as CSV in UTF-8 or Windows-1252")
        }
        if let offset = survey.firstNUL {
            throw FileRefusal("the file is not text: it has a NUL byte at offset \(offset)")
        }

        let (encoding, encodingNote) = try survey.encoding(for: profile)

        let delimiter = profile.delimiter ?? Self.sniffDelimiter(survey.head)

        // Find the first record that is not blank: the header, or the first row.
        var first: CSVRecord?
        try recordReader(delimiter).read { item in
            if case .record(let record) = item, !Self.isBlank(record) {
                first = record
                return false
            }
            return true
        }
        guard let firstRecord = first else {
            throw FileRefusal("the file has no records, only blank lines")
        }
        let headings = firstRecord.fields.map { encoding.decode($0).trimmedField }
        var columns: [AssignmentField: Int] = [:]
        var hasHeader: Bool
        var unused: [String] = []

        let positional = profile.columns.values.contains {
            if case .position = $0 { return true } else { return false }
        }
        if !profile.columns.isEmpty {
            // The profile names or positions the columns.
            hasHeader = profile.hasHeader ?? !positional
            for (field, selector) in profile.columns {
                switch selector {
                case .position(let position):
                    columns[field] = position - 1
                case .name(let name):
                    guard hasHeader else {
                        throw FileRefusal(
                            "the client profile names column \"\(name)\" but says the file has no header")
                    }
                    guard
                        let index = headings.firstIndex(where: {
                            HeaderDictionary.fold($0) == HeaderDictionary.fold(name)
                        })
                    else {
                        throw FileRefusal(
                            "the header has no column \"\(name)\", which the client profile "
                                + "gives for \(field.rawValue)"
                        )
                    }
                    columns[field] = index
                }
            }
            // Columns the profile does not mention are still read from the dictionary.
            if hasHeader {
                for (index, heading) in headings.enumerated() where !columns.values.contains(index) {
                    if let field = HeaderDictionary.field(forHeading: heading), columns[field] == nil {
                        columns[field] = index
                    } else if !heading.isEmpty {
                        unused.append(heading)
                    }
                }
            }
        } else {
            // The built-in dictionary, when the first record is a header it recognises.
            var matches: [AssignmentField: [Int]] = [:]
            for (index, heading) in headings.enumerated() {
                if let field = HeaderDictionary.field(forHeading: heading) {
                    matches[field, default: []].append(index)
                } else if !heading.isEmpty {
                    unused.append(heading)
                }
            }
            hasHeader = profile.hasHeader ?? (matches.count >= 2)
            guard hasHeader, matches.count >= 2 else {
                let shown = headings.prefix(6).map(\.quotedForReason).joined(separator: ", ")
                throw FileRefusal(
                    "no usable header: the first record (\(shown)) names no known columns, "
                        + "and the client has no profile that says what each column is")
            }
            for (field, indexes) in matches {
                if indexes.count > 1 {
                    let names = indexes.map { "\($0 + 1) (\(headings[$0]))" }.joined(separator: " and ")
                    throw FileRefusal(
                        "columns \(names) both read as \(field.rawValue); "
                            + "the client profile must say which one to use")
                }
                columns[field] = indexes[0]
            }
        }

        // A file with a column for the kind of update is a file of client updates: each row
        // names its case and what changes.
        if columns[.updateKind] != nil {
            if columns[.clientReference] == nil && columns[.ourReference] == nil {
                throw FileRefusal(
                    "a file of updates needs a column for the client reference or ours "
                        + "(expected one of: \(HeaderDictionary.examples(.clientReference)), "
                            + "\(HeaderDictionary.examples(.ourReference)))"
                )
            }
        } else if columns[.clientReference] == nil {
            // The fields without which no row can become a case.
            throw FileRefusal(
                "no column for the client reference (expected one of: "
                    + "\(HeaderDictionary.examples(.clientReference)))"
            )
        }
        if columns[.updateKind] == nil && columns[.amount] == nil && columns[.principal] == nil {
            throw FileRefusal(
                "no column for the amount assigned (expected one of: \(HeaderDictionary.examples(.amount)))")
        }
        if columns[.updateKind] == nil,
            [.debtorName, .lastName, .companyName].allSatisfy({ columns[$0] == nil })
        {
            throw FileRefusal(
                "no column for the debtor's name (expected one of: \(HeaderDictionary.examples(.debtorName)))"
            )
        }
        for (field, index) in columns where hasHeader && index < headings.count {
            builder.headings[field] = headings[index]
        }

        var layout = CSVLayout(
            encoding: encoding, encodingNote: encodingNote, delimiter: delimiter, hasHeader: hasHeader,
            columns: columns, headings: hasHeader ? headings : [], unusedHeadings: unused, dataRecords: 0)
        self.layout = layout

        // Whole-column evidence: day/month order of each date column, decimal mark of each
        // amount column.
        var evidence = ColumnEvidence()
        let evidenceColumns = columns.filter { $0.key.isDate || $0.key.isAmount }
        var dataRecords = 0
        var skippedHeader = false
        try recordReader(delimiter).read { item in
            guard case .record(let record) = item, !Self.isBlank(record) else { return true }
            if hasHeader && !skippedHeader {
                skippedHeader = true
                return true
            }
            if self.footerTotal(record) != nil { return true }
            dataRecords += 1
            for (field, index) in evidenceColumns where index < record.fields.count {
                evidence.note(field, encoding.decode(record.fields[index]), line: record.line, reader: builder.dates)
            }
            return true
        }
        guard dataRecords > 0 else {
            throw FileRefusal(
                hasHeader ? "the file has a header and no data rows" : "the file has no data rows")
        }
        layout.dataRecords = dataRecords
        self.layout = layout

        // A column that proves its order uses it; one that proves nothing follows the profile,
        // else the order the file's other date columns prove.
        evidence.apply(to: &builder, fields: columns.keys, profileOrder: profile.dateOrder)
        return layout
    }

    /// The second pass: each record in file order becomes exactly one outcome. Blank records
    /// and the header are not rows.
    public func read(_ body: (RowOutcome) throws -> Void) throws {
        guard let layout else { preconditionFailure("prepare() must run before read()") }
        var skippedHeader = false
        let width = layout.hasHeader ? layout.headings.count : (layout.columns.values.max() ?? 0) + 1
        try recordReader(layout.delimiter).read { item in
            switch item {
            case .malformed(let line, let reason):
                try body(.rejected(line: line, problem: RowProblem(field: nil, reason: reason), amount: nil))
            case .record(let record):
                if Self.isBlank(record) { return true }
                if layout.hasHeader && !skippedHeader {
                    skippedHeader = true
                    return true
                }
                if let total = footerTotal(record) {
                    try body(.footer(line: record.line, printedTotal: total.printedTotal))
                    return true
                }
                try body(outcome(of: record, width: width))
            }
            return true
        }
    }

    private func outcome(of record: CSVRecord, width: Int) -> RowOutcome {
        let encoding = layout.encoding
        if record.fields.count > width {
            let extra = record.fields[width...].contains { !$0.allSatisfy { $0 == 0x20 || $0 == 0x09 } }
            if extra {
                return .rejected(
                    line: record.line,
                    problem: RowProblem(
                        field: nil,
                        reason: "the row has \(record.fields.count) fields where the header has \(width); "
                            + "is a \(layout.delimiterName) inside a field that is not quoted?"), amount: nil)
            }
        }
        var values = FieldValues()
        for (field, index) in columnList where index < record.fields.count {
            values[field] = encoding.decode(record.fields[index]).trimmedField
        }
        return builder.outcome(values, line: record.line, updates: layout.columns[.updateKind] != nil)
    }

    /// The file's heading of each field it has.
    var fieldHeadings: [AssignmentField: String] { builder.headings }

    static func isBlank(_ record: CSVRecord) -> Bool {
        record.fields.allSatisfy { $0.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D } }
    }

    private struct Footer { let printedTotal: Money? }

    static let footerWords = [
        "total", "totaux", "grand total", "sous total", "subtotal", "sub total",
        "nombre", "count", "fin", "end", "eof", "trailer",
    ]
    static let footerInitials = Set(footerWords.map { $0.utf8.first! })

    /// A total or trailer row: its first non-empty field begins with a footer word and its client
    /// reference is empty or is that word. The printed amount is the row's amount field, or else
    /// the last field that reads as an amount.
    private func footerTotal(_ record: CSVRecord) -> Footer? {
        let encoding = layout.encoding
        func blank(_ bytes: [UInt8]) -> Bool { bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 } }
        guard let firstIndex = record.fields.firstIndex(where: { !blank($0) }) else { return nil }
        // Cheap tests first, since every row passes here: a footer's client reference is empty or
        // is the footer word itself, and its first field begins with a footer word's letter.
        if let referenceIndex = layout.columns[.clientReference], referenceIndex != firstIndex,
            referenceIndex < record.fields.count, !blank(record.fields[referenceIndex])
        {
            return nil
        }
        guard let initial = record.fields[firstIndex].first(where: { $0 != 0x20 && $0 != 0x09 }),
            Self.footerInitials.contains(initial | 0x20)
        else { return nil }
        let first = HeaderDictionary.fold(encoding.decode(record.fields[firstIndex]))
        guard Self.footerWords.contains(where: { first == $0 || first.hasPrefix($0 + " ") }) else {
            return nil
        }
        let reader = AmountReader(style: profile.amountStyle)
        if let index = layout.columns[.amount], index < record.fields.count,
            case .success(let money) = reader.read(encoding.decode(record.fields[index]))
        {
            return Footer(printedTotal: money)
        }
        for field in record.fields.reversed() {
            let text = encoding.decode(field)
            if text.contains(where: { $0 == "," || $0 == "." || $0 == "$" }),
                case .success(let money) = reader.read(text)
            {
                return Footer(printedTotal: money)
            }
        }
        return Footer(printedTotal: nil)
    }

    /// The delimiter that splits the first lines most consistently into more than one field,
    /// counting only outside quotes.
    static func sniffDelimiter(_ head: [UInt8]) -> UInt8 {
        var lines: [[UInt8: Int]] = []
        var counts: [UInt8: Int] = [:]
        var quoted = false
        for byte in head {
            if byte == 0x22 {
                quoted.toggle()
                continue
            }
            if quoted { continue }
            if byte == 0x0A || byte == 0x0D {
                if !counts.isEmpty || lines.isEmpty == false { lines.append(counts) }
                counts = [:]
                if lines.count >= 30 { break }
                continue
            }
            if candidateDelimiters.contains(byte) { counts[byte, default: 0] += 1 }
        }
        if !counts.isEmpty { lines.append(counts) }
        lines = lines.filter { !$0.isEmpty }
        guard let header = lines.first else { return 0x2C }
        var best: (delimiter: UInt8, score: Int, count: Int) = (0x2C, -1, 0)
        for delimiter in candidateDelimiters {
            let expected = header[delimiter] ?? 0
            guard expected > 0 else { continue }
            let agreeing = lines.filter { ($0[delimiter] ?? 0) == expected }.count
            if agreeing > best.score || (agreeing == best.score && expected > best.count) {
                best = (delimiter, agreeing, expected)
            }
        }
        return best.delimiter
    }
}
