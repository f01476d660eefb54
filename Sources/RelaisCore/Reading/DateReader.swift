/// The order of day and month in dates such as `03/04/2024`.
public enum DateOrder: String, Sendable, CaseIterable {
    /// `31/12/2024`, as Québec writes dates.
    case dayMonthYear = "DMY"
    /// `12/31/2024`, as American software writes them.
    case monthDayYear = "MDY"
    /// `2024-12-31`; always unambiguous.
    case yearMonthDay = "YMD"
}

/// A date as written, split into its parts before the day/month order is known.
struct WrittenDate: Equatable {
    enum Shape: Equatable {
        /// The year comes first, or the month is a word: only one reading.
        case unambiguous(CalendarDate)
        /// `A/B/Y`: A and B are the day and the month, in an order the column must prove.
        case numeric(first: Int, second: Int, year: Int)
    }
    let shape: Shape
}

/// Reads the dates creditors write: ISO, `JJ/MM/AAAA` or `MM/DD/YYYY` with the order decided by
/// the whole column, compact `AAAAMMJJ`, and month names in French or English. Two-digit years
/// are placed in the century that puts them in the past, never in year 0091.
public struct DateReader: Sendable {
    public let today: CalendarDate

    public init(today: CalendarDate) { self.today = today }

    static let monthNames: [String: Int] = {
        var names: [String: Int] = [:]
        let lists: [[String]] = [
            ["janvier", "janv", "jan", "january"], ["fevrier", "fevr", "fev", "february", "feb"],
            ["mars", "mar", "march"], ["avril", "avr", "april", "apr"], ["mai", "may"],
            ["juin", "june", "jun"], ["juillet", "juil", "july", "jul"], ["aout", "august", "aug"],
            ["septembre", "sept", "sep", "september"], ["octobre", "oct", "october"],
            ["novembre", "nov", "november"], ["decembre", "dec", "december"],
        ]
        for (index, list) in lists.enumerated() { for name in list { names[name] = index + 1 } }
        return names
    }()

    /// Splits a written date into its parts, or says why it is not a date.
    func parse(_ raw: String) -> Result<WrittenDate, FieldProblem> {
        var text = raw.trimmedField
        var shown: String { raw.trimmedField.quotedForReason }
        // A time after the date (`2024-03-15 00:00:00`, `2024-03-15T08:30`) is dropped.
        if text.utf8.contains(UInt8(ascii: ":")),
            let cut = text.firstIndex(where: { $0 == "T" || $0 == " " }),
            text[..<cut].contains(where: { $0 == "-" || $0 == "/" }),
            text[text.index(after: cut)...].contains(":")
        {
            text = String(text[..<cut])
        }

        let bytes = Array(text.utf8)
        let isDigit = { (b: UInt8) in b >= 0x30 && b <= 0x39 }
        if !bytes.isEmpty, bytes.allSatisfy(isDigit) {
            if bytes.count == 8 {
                let n = bytes.map { Int($0 - 0x30) }
                let y = n[0] * 1000 + n[1] * 100 + n[2] * 10 + n[3]
                if y >= 1800 { return make(y, n[4] * 10 + n[5], n[6] * 10 + n[7], shown) }
            }
            if (3...5).contains(bytes.count) {
                return .failure(FieldProblem("\(shown) looks like a spreadsheet serial number, not a date"))
            }
            return .failure(FieldProblem("\(shown) is not a date"))
        }

        if bytes.contains(where: { $0 >= 0x41 }) {
            // `15 mars 2024`, `March 15 2024`, `15-Mar-2024`, `1er avril 2020`: the ordinal mark
            // on the first of the month is dropped.
            let words = text.foldedForComparison.split(separator: " ").map { word -> String in
                word.count > 2 && word.hasSuffix("er") && word.dropLast(2).allSatisfy(\.isNumber)
                    ? String(word.dropLast(2)) : String(word)
            }
            let numbers = words.compactMap { Int($0) }
            guard words.count == 3, numbers.count == 2,
                let month = words.compactMap({ Self.monthNames[$0] }).first
            else {
                return .failure(FieldProblem("\(shown) is not a date"))
            }
            let (day, year) = numbers[0] > 31 ? (numbers[1], numbers[0]) : (numbers[0], numbers[1])
            guard let fullYear = expandYear(year, digits: String(year).count) else {
                return .failure(FieldProblem("\(shown) has an implausible year"))
            }
            return make(fullYear, month, day, shown)
        }

        // Three groups of digits separated by `/`, `-` or `.`.
        var numbers: [Int] = []
        var lengths: [Int] = []
        var current = 0
        var length = 0
        for b in bytes + [UInt8(ascii: "/")] {
            if isDigit(b) {
                current = current * 10 + Int(b - 0x30)
                length += 1
                guard length <= 4 else { return .failure(FieldProblem("\(shown) is not a date")) }
            } else if b == UInt8(ascii: "/") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") {
                guard length > 0 else { return .failure(FieldProblem("\(shown) is not a date")) }
                numbers.append(current)
                lengths.append(length)
                current = 0
                length = 0
            } else {
                return .failure(FieldProblem("\(shown) is not a date"))
            }
        }
        guard numbers.count == 3 else { return .failure(FieldProblem("\(shown) is not a date")) }
        if lengths[0] == 4 {
            return make(numbers[0], numbers[1], numbers[2], shown)
        }
        guard lengths[2] == 4 || lengths[2] == 2, lengths[0] <= 2, lengths[1] <= 2,
            let year = expandYear(numbers[2], digits: lengths[2])
        else {
            return .failure(FieldProblem("\(shown) is not a date"))
        }
        guard year >= 1900 else { return .failure(FieldProblem("\(shown) has an implausible year \(year)")) }
        let (a, b) = (numbers[0], numbers[1])
        if a == b || a > 12 || b > 12 {
            // Only one reading is possible, or both readings are the same day.
            if a > 12 && b > 12 { return .failure(FieldProblem("\(shown) is not a date")) }
            let (day, month) = b > 12 ? (b, a) : (a, b)
            return make(year, month, day, shown).map { _ in
                WrittenDate(shape: .numeric(first: a, second: b, year: year))
            }
        }
        return .success(WrittenDate(shape: .numeric(first: a, second: b, year: year)))
    }

    /// A two-digit year goes in the century that puts the date no later than this year.
    private func expandYear(_ year: Int, digits: Int) -> Int? {
        guard digits == 2 else { return year }
        let century = today.year / 100 * 100
        return century + year <= today.year ? century + year : century - 100 + year
    }

    private func make(_ y: Int, _ m: Int, _ d: Int, _ shown: String) -> Result<WrittenDate, FieldProblem> {
        guard y >= 1900 else { return .failure(FieldProblem("\(shown) has an implausible year \(y)")) }
        guard let date = CalendarDate(year: y, month: m, day: d) else {
            return .failure(FieldProblem("\(shown) is not a real calendar day"))
        }
        return .success(WrittenDate(shape: .unambiguous(date)))
    }

    /// The calendar date of a written date, given the column's order when it needs one.
    func resolve(_ written: WrittenDate, order: DateOrder?, raw: String) -> Result<CalendarDate, FieldProblem>
    {
        var shown: String { raw.trimmedField.quotedForReason }
        switch written.shape {
        case .unambiguous(let date): return .success(date)
        case .numeric(let a, let b, let year):
            let (day, month): (Int, Int)
            switch order {
            case .dayMonthYear: (day, month) = (a, b)
            case .monthDayYear: (day, month) = (b, a)
            case .yearMonthDay, nil:
                if a == b {
                    (day, month) = (a, b)
                } else if a > 12 {
                    (day, month) = (a, b)
                } else if b > 12 {
                    (day, month) = (b, a)
                } else {
                    return .failure(
                        FieldProblem(
                            "\(shown): the order of day and month cannot be decided (no date of the column "
                                + "has a day above 12); the client profile must give dateOrder"))
                }
            }
            guard let date = CalendarDate(year: year, month: month, day: day) else {
                let orderName = order == .monthDayYear ? "month/day/year" : "day/month/year"
                return .failure(FieldProblem("\(shown) is not a real calendar day read as \(orderName)"))
            }
            return .success(date)
        }
    }
}

/// What the values of one date column prove about its day/month order.
struct DateColumnEvidence {
    var dayFirstLine: Int?
    var monthFirstLine: Int?

    mutating func note(_ written: WrittenDate, line: Int) {
        guard case .numeric(let a, let b, _) = written.shape else { return }
        if a > 12 && b <= 12 && dayFirstLine == nil { dayFirstLine = line }
        if b > 12 && a <= 12 && monthFirstLine == nil { monthFirstLine = line }
    }

    var proven: DateOrder? {
        switch (dayFirstLine, monthFirstLine) {
        case (.some, nil): return .dayMonthYear
        case (nil, .some): return .monthDayYear
        default: return nil
        }
    }

    var isContradictory: Bool { dayFirstLine != nil && monthFirstLine != nil }
}
