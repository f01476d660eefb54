/// Reads a fixed-width file (a bank's or an older system's export) in two streaming passes:
/// the first checks the records' order and the header's and trailer's counts and control
/// totals against the detail lines, and gathers what the values prove of date orders and
/// decimal marks; the second turns each detail line into one outcome.
///
/// A count or total that disagrees with the detail lines refuses the file whole: a file whose
/// own trailer contradicts it was cut short or padded, and no part of it can be trusted.
public final class FixedWidthAssignmentReader {
    public let path: String
    public let survey: FileSurvey
    public let profile: ClientProfile
    public let layout: FixedWidthLayout
    private var builder: AssignmentBuilder
    private var encoding = TextEncoding.utf8
    private var encodingNote = ""
    private var prepared = false

    /// A reader for one file laid out as `layout` says; nothing is read before `prepare()`.
    public init(
        path: String, survey: FileSurvey, profile: ClientProfile, layout: FixedWidthLayout,
        today: CalendarDate
    ) {
        self.path = path
        self.survey = survey
        self.profile = profile
        self.layout = layout
        builder = AssignmentBuilder(
            today: today, amountStyle: profile.amountStyle, defaultKind: profile.defaultKind)
        for (field, span) in layout.fields { builder.headings[field] = "\(field.rawValue) (\(span))" }
    }

    /// What one line is, by its record-type code.
    enum LineKind: Equatable {
        case detail, header, trailer, skipped
        case unknown(String)
    }

    /// A line cut into its fields, in the file's encoding.
    struct Line {
        let number: Int
        private let bytes: [UInt8]
        private let scalars: [Unicode.Scalar]?
        let encoding: TextEncoding

        init(number: Int, bytes: [UInt8], encoding: TextEncoding, countsBytes: Bool) {
            self.number = number
            self.bytes = bytes
            self.encoding = encoding
            // Only UTF-8 can make characters and bytes differ.
            scalars =
                encoding == .utf8 && !countsBytes && bytes.contains { $0 >= 0x80 }
                ? Array(String(decoding: bytes, as: UTF8.self).unicodeScalars) : nil
        }

        /// The text at a span, trimmed; what is past the end of a short line is empty.
        func text(_ span: FixedWidthSpan) -> String {
            let start = span.start - 1
            if let scalars {
                guard start < scalars.count else { return "" }
                var view = String.UnicodeScalarView()
                view.append(contentsOf: scalars[start..<min(scalars.count, start + span.length)])
                return String(view).trimmedField
            }
            guard start < bytes.count else { return "" }
            return bytes[start..<min(bytes.count, start + span.length)].withUnsafeBytes {
                encoding.decode($0).trimmedField
            }
        }

        /// Raw text (not trimmed) at a span, for record codes, which may be spaces.
        func code(_ span: FixedWidthSpan) -> String {
            let start = span.start - 1
            guard start < bytes.count else { return "" }
            return bytes[start..<min(bytes.count, start + span.length)].withUnsafeBytes {
                encoding.decode($0)
            }
        }
    }

    func kind(of line: Line) -> LineKind {
        guard let span = layout.recordType else { return .detail }
        let code = line.code(span)
        if layout.detailCodes.contains(code) { return .detail }
        if code == layout.header?.code { return .header }
        if code == layout.trailer?.code { return .trailer }
        if layout.skippedCodes.contains(code) { return .skipped }
        return .unknown(code)
    }

    private func values(of line: Line) -> [AssignmentField: String] {
        var values: [AssignmentField: String] = [:]
        for (field, span) in layout.fields {
            let text = line.text(span)
            if !text.isEmpty { values[field] = text }
        }
        return values
    }

    /// The amount a detail line counts for in the control total: its amount field, else the
    /// sum of its parts. Nil when unreadable.
    private func controlAmount(_ values: [AssignmentField: String], mark: Character?) -> Money? {
        let reader = AmountReader(style: profile.amountStyle, provenDecimalMark: mark)
        if let text = values[.amount] { return try? reader.read(text).get() }
        var sum = Money.zero
        for field in [AssignmentField.principal, .interest, .fees] {
            guard let text = values[field] else { continue }
            guard let part = try? reader.read(text).get() else { return nil }
            sum += part
        }
        return sum
    }

    /// The first pass. Throws a `FileRefusal` when the file as a whole cannot be taken.
    public func prepareFile() throws -> FileReading {
        guard survey.size > 0 else { throw FileRefusal("the file is empty") }
        if let offset = survey.firstNUL {
            throw FileRefusal("the file is not text: it has a NUL byte at offset \(offset)")
        }
        if survey.startsWithUTF16BOM {
            throw FileRefusal(
                "the file is in UTF-16; fixed-width files are read in UTF-8, Windows-1252 or ISO-8859-1")
        }
        (encoding, encodingNote) = try survey.encoding(for: profile)

        // Order of records, counts, totals (under each reading of the decimal mark, since the
        // whole file decides which one holds), and the fields' evidence.
        var evidence = ColumnEvidence()
        var details = 0
        var unreadable: [Int] = []
        var sums: [Character?: Money] = [nil: .zero, ",": .zero, ".": .zero]
        var header: (line: Int, count: String?, total: String?)?
        var trailer: (line: Int, count: String?, total: String?)?
        var records = 0
        try forEachLine { line in
            records += 1
            if let trailer {
                throw FileRefusal(
                    "line \(line.number): a record after the trailer record (line \(trailer.line)); "
                        + "the trailer must be the last line")
            }
            switch kind(of: line) {
            case .header:
                guard records == 1 else {
                    throw FileRefusal(
                        "line \(line.number): a header record where only the first line may be one")
                }
                header = (
                    line.number, layout.header?.count.map(line.text), layout.header?.total.map(line.text)
                )
            case .trailer:
                trailer = (
                    line.number, layout.trailer?.count.map(line.text), layout.trailer?.total.map(line.text)
                )
            case .detail:
                details += 1
                let values = values(of: line)
                evidence.note(values, line: line.number, reader: builder.dates)
                for mark in Array(sums.keys) {
                    if let amount = controlAmount(values, mark: mark) {
                        sums[mark]! += amount
                    } else if mark == nil, unreadable.count < 5 {
                        unreadable.append(line.number)
                    }
                }
            case .skipped, .unknown:
                break
            }
        }
        guard details > 0 else { throw FileRefusal("the file has no detail lines") }
        if let expected = layout.header?.code, header == nil {
            throw FileRefusal(
                "the file has no header record (code \"\(expected)\" on its first line), "
                    + "which the client profile says it has")
        }
        if let expected = layout.trailer?.code, trailer == nil {
            throw FileRefusal(
                "the file has no trailer record (code \"\(expected)\" on its last line), "
                    + "which the client profile says it has; was it cut short?")
        }
        evidence.apply(to: &builder, fields: layout.fields.keys, profileOrder: profile.dateOrder)
        let mark = [AssignmentField.amount, .principal].compactMap { builder.decimalMarks[$0] }.first
        let computed = sums[mark] ?? sums[nil]!

        for (name, record) in [("header", header), ("trailer", trailer)] {
            guard let record else { continue }
            try check(
                name, line: record.line, count: record.count, total: record.total, details: details,
                computed: computed, unreadable: unreadable)
        }
        prepared = true
        var reading = FileReading(format: "fixed-width", encoding: encoding.rawValue)
        reading.records = details
        return reading
    }

    /// Compares a header's or trailer's printed count and total with the detail lines.
    private func check(
        _ name: String, line: Int, count: String?, total: String?, details: Int, computed: Money,
        unreadable: [Int]
    ) throws {
        if let count {
            guard !count.isEmpty, count.allSatisfy(\.isASCII), count.allSatisfy(\.isNumber),
                let printed = Int(count)
            else {
                throw FileRefusal(
                    "line \(line): the \(name)'s record count \(count.quotedForReason) is not a number")
            }
            guard printed == details else {
                throw FileRefusal(
                    "line \(line): the \(name) counts \(printed) detail records, but the file has "
                        + "\(details); the file is refused whole")
            }
        }
        if let total {
            guard case .success(let printed) = AmountReader(style: profile.amountStyle).read(total) else {
                throw FileRefusal(
                    "line \(line): the \(name)'s control total \(total.quotedForReason) is not an amount")
            }
            guard printed == computed else {
                var reason =
                    "line \(line): the \(name)'s control total is \(printed.plain), but the detail lines "
                    + "add up to \(computed.plain); the file is refused whole"
                if !unreadable.isEmpty {
                    reason +=
                        " (lines \(unreadable.map(String.init).joined(separator: ", ")) "
                        + "have no readable amount)"
                }
                throw FileRefusal(reason)
            }
        }
    }

    /// The second pass: each detail line becomes exactly one outcome; the header and trailer
    /// are footers that carry the printed total; a line of an unknown type is refused.
    public func readLines(_ body: (RowOutcome) throws -> Void) throws {
        precondition(prepared, "prepare() must run before read()")
        try forEachLine { line in
            switch kind(of: line) {
            case .header, .trailer:
                let span = kind(of: line) == .header ? layout.header?.total : layout.trailer?.total
                let printed = span.flatMap {
                    try? AmountReader(style: profile.amountStyle).read(line.text($0)).get()
                }
                try body(.footer(line: line.number, printedTotal: printed))
            case .skipped:
                break
            case .unknown(let code):
                try body(
                    .rejected(
                        line: line.number,
                        problem: RowProblem(
                            field: "record type",
                            reason:
                                "record type \(code.quotedForReason) is not one the client "
                                + "profile describes"),
                        amount: nil))
            case .detail:
                let values = values(of: line)
                switch builder.build(values) {
                case .success(let assignment):
                    try body(.assignment(line: line.number, assignment))
                case .failure(let problem):
                    let mark = builder.decimalMarks[.amount] ?? builder.decimalMarks[.principal]
                    try body(
                        .rejected(
                            line: line.number, problem: problem, amount: controlAmount(values, mark: mark)))
                }
            }
        }
    }

    /// Each line that is not blank, with its physical line number, its terminator (and a
    /// carriage return before it) removed. A DOS end-of-file mark (0x1A) alone is blank.
    private func forEachLine(_ body: (Line) throws -> Void) throws {
        let file = try ReadableFile(path: path)
        defer { file.close() }
        let terminator = survey.lineTerminator
        var pending: [UInt8] = []
        var number = 0
        var skip = survey.startsWithUTF8BOM ? 3 : 0
        let countsBytes = layout.countsBytes

        func emit(_ bytes: [UInt8]) throws {
            number += 1
            var content = bytes
            if terminator == 0x0A, content.last == 0x0D { content.removeLast() }
            guard content.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x1A && $0 != 0x0D }) else {
                return
            }
            try body(Line(number: number, bytes: content, encoding: encoding, countsBytes: countsBytes))
        }

        try file.forEachChunk { chunk in
            var start = 0
            if skip > 0 {
                start = min(skip, chunk.count)
                skip -= start
            }
            while start < chunk.count {
                guard let end = chunk[start...].firstIndex(of: terminator) else {
                    pending.append(contentsOf: chunk[start...])
                    return
                }
                if pending.isEmpty {
                    try emit(Array(chunk[start..<end]))
                } else {
                    pending.append(contentsOf: chunk[start..<end])
                    let whole = pending
                    pending.removeAll(keepingCapacity: true)
                    try emit(whole)
                }
                start = end + 1
            }
        }
        if !pending.isEmpty { try emit(pending) }
    }

    /// The encoding and the layout, for the log.
    public var notes: [(String, String)] {
        [("encoding", encodingNote), ("layout", "fixed-width")]
    }
}

extension FixedWidthAssignmentReader: AssignmentFileReader {
    public func prepare() throws -> FileReading { try prepareFile() }
    public func read(_ body: (RowOutcome) throws -> Void) throws { try readLines(body) }
}
