import Glibc

/// One fault in a Metro 2 file: the record (counted from 1, the Header being record 1), the
/// segment and field, and what is wrong. A finding never quotes a SIN or a date of birth.
public struct Metro2Finding: Sendable, Equatable, CustomStringConvertible {
    public var record: Int
    public var segment: String
    public var field: String
    public var message: String

    public var description: String { "record \(record), \(segment), \(field): \(message)" }
}

/// Reads any Metro 2 character-format file (ours or another system's, with or without line
/// ends) and checks its layout, its trailer totals and the collection-reporting rules Relais
/// follows. It reads record by record; only the account numbers are kept, to find repeats.
///
/// The file is read by Record Descriptor Words; line ends between records (LF or CRLF) are
/// accepted. A Record Descriptor Word that is not a number stops the reading, since nothing
/// after it can be placed.
public final class Metro2Checker {
    public private(set) var findings: [Metro2Finding] = []
    /// Per account number: status and date of first delinquency, for comparing two months.
    public private(set) var accounts: [String: (status: String, firstDelinquency: String)] = [:]
    private var counted = Metro2Totals()
    private var recordNumber = 0
    private var activityDate: CalendarDate?

    public init() {}

    /// Checks the file at `path`; the findings are in `findings`, in file order.
    public static func check(path: String) throws -> Metro2Checker {
        let checker = Metro2Checker()
        let reader = try ByteFileReader(path: path)
        defer { reader.close() }
        try checker.read(reader)
        return checker
    }

    /// Findings from comparing this month with the month before: a changed date of first
    /// delinquency, or an account reported again after 62 or DA.
    public func compare(previous: Metro2Checker) -> [Metro2Finding] {
        var result: [Metro2Finding] = []
        for (account, now) in accounts.sorted(by: { $0.key < $1.key }) {
            guard let before = previous.accounts[account] else { continue }
            if before.firstDelinquency != now.firstDelinquency && before.firstDelinquency != "00000000" {
                result.append(
                    Metro2Finding(
                        record: 0, segment: "Base", field: Metro2Layout.Base.firstDelinquency.label,
                        message: "account \(account): the date of first delinquency changed from the "
                            + "previous month"
                    ))
            }
            if before.status == "62" || before.status == "DA" {
                result.append(
                    Metro2Finding(
                        record: 0, segment: "Base", field: Metro2Layout.Base.accountStatus.label,
                        message: "account \(account): reported again after status \(before.status)"))
            }
        }
        return result
    }

    private func find(_ segment: String, _ field: Metro2Field, _ message: String) {
        findings.append(
            Metro2Finding(record: recordNumber, segment: segment, field: field.label, message: message))
    }

    private func findRecord(_ message: String) {
        findings.append(Metro2Finding(record: recordNumber, segment: "Record", field: "—", message: message))
    }

    // MARK: Reading records

    private func read(_ reader: ByteFileReader) throws {
        var sawTrailer = false
        var sawHeader = false
        while true {
            try reader.skipLineEnds()
            guard let rdwBytes = try reader.read(4) else { break }
            recordNumber += 1
            guard rdwBytes.count == 4, rdwBytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                find(
                    "Record", Metro2Layout.Base.rdw,
                    "not a four-digit length; the rest of the file cannot be read")
                return
            }
            let length = rdwBytes.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            guard length >= Metro2Layout.recordLength else {
                find("Record", Metro2Layout.Base.rdw, "\(length) is shorter than the 426-byte record")
                return
            }
            guard let rest = try reader.read(length - 4), rest.count == length - 4 else {
                findRecord("the file ends inside the record (Record Descriptor Word \(length))")
                return
            }
            let record = rdwBytes + rest
            let identifier = String(decoding: record[4..<10], as: UTF8.self)
            if sawTrailer {
                findRecord("a record follows the Trailer")
            }
            if identifier == "HEADER" {
                if recordNumber != 1 { findRecord("a Header record that is not the first record") }
                sawHeader = true
                checkHeader(record)
            } else if String(decoding: record[4..<11], as: UTF8.self) == "TRAILER" {
                sawTrailer = true
                checkTrailer(record)
            } else {
                if !sawHeader && recordNumber == 1 {
                    findRecord("the file does not start with a Header record")
                }
                checkBase(record)
            }
        }
        if recordNumber == 0 { findRecord("the file is empty") }
        if !sawTrailer {
            findings.append(
                Metro2Finding(
                    record: recordNumber, segment: "File", field: "—",
                    message: "no Trailer record"))
        }
    }

    // MARK: Fields

    private func text(_ record: ArraySlice<UInt8>, _ field: Metro2Field) -> String {
        let start = record.startIndex + field.offset
        return String(decoding: record[start..<(start + field.length)], as: UTF8.self)
    }

    /// Every byte printable ASCII, no lowercase letter.
    private func checkAlphanumeric(_ record: ArraySlice<UInt8>, _ field: Metro2Field, _ segment: String) {
        let start = record.startIndex + field.offset
        for b in record[start..<(start + field.length)] {
            if b < 0x20 || b > 0x7E {
                find(segment, field, "holds a byte that is not printable ASCII (0x\(String(b, radix: 16)))")
                return
            }
            if b >= 0x61 && b <= 0x7A {
                find(segment, field, "holds lowercase letters; alphanumeric fields are uppercase")
                return
            }
        }
    }

    private func number(_ record: ArraySlice<UInt8>, _ field: Metro2Field, _ segment: String) -> Int64? {
        let start = record.startIndex + field.offset
        var value: Int64 = 0
        for b in record[start..<(start + field.length)] {
            guard b >= 0x30 && b <= 0x39 else {
                find(segment, field, "expected \(field.length) digits, zero-filled")
                return nil
            }
            value = value * 10 + Int64(b - 0x30)
        }
        return value
    }

    /// A date MMDDYYYY; nil for zeros or after a finding. `required` zeros are a finding.
    private func date(
        _ record: ArraySlice<UInt8>, _ field: Metro2Field, _ segment: String,
        required: Bool = false
    ) -> CalendarDate? {
        guard let n = number(record, field, segment) else { return nil }
        if n == 0 {
            if required { find(segment, field, "required, but zero") }
            return nil
        }
        let month = Int(n / 1_000_000)
        let day = Int(n / 10_000 % 100)
        let year = Int(n % 10_000)
        guard let value = CalendarDate(year: year, month: month, day: day) else {
            find(segment, field, "not a real date in MMDDYYYY")
            return nil
        }
        return value
    }

    private func blank(_ record: ArraySlice<UInt8>, _ field: Metro2Field) -> Bool {
        text(record, field).allSatisfy { $0 == " " }
    }

    // MARK: Header

    private func checkHeader(_ record: [UInt8]) {
        typealias H = Metro2Layout.Header
        let r = record[...]
        if record.count != Metro2Layout.recordLength {
            find("Header", H.rdw, "the Header is \(record.count) bytes, not 426")
        }
        for field in [
            H.identifier, H.cycle, H.innovis, H.equifax, H.experian, H.transUnion, H.reporterName,
            H.reporterAddress, H.vendorName, H.vendorVersion, H.prbc, H.reserved,
        ] {
            checkAlphanumeric(r, field, "Header")
        }
        activityDate = date(r, H.activityDate, "Header", required: true)
        _ = date(r, H.dateCreated, "Header", required: true)
        _ = date(r, H.programDate, "Header")
        _ = date(r, H.programRevisionDate, "Header")
        _ = number(r, H.reporterPhone, "Header")
        if blank(r, H.reporterName) { find("Header", H.reporterName, "required, but blank") }
    }

    // MARK: Base and appended segments

    private static let statuses: Set<String> = [
        "05", "11", "13", "61", "62", "63", "64", "65", "71", "78", "80", "82", "83", "84", "88", "89", "93",
        "94",
        "95", "96", "97", "DA", "DF",
    ]
    private static let complianceCodes: Set<String> = [
        "  ", "XA", "XB", "XC", "XD", "XE", "XF", "XG", "XH", "XJ", "XR",
    ]

    private func checkBase(_ record: [UInt8]) {
        typealias B = Metro2Layout.Base
        let r = record[0..<Metro2Layout.recordLength]
        let seg = "Base"
        for field in [
            B.identificationNumber, B.cycle, B.accountNumber, B.portfolioType, B.accountType,
            B.termsDuration, B.termsFrequency, B.accountStatus, B.paymentRating, B.paymentHistory,
            B.specialComment, B.compliance, B.reserved, B.transactionType, B.surname, B.firstName,
            B.middleName,
            B.generation, B.ecoa, B.consumerInformation, B.country, B.address1, B.address2, B.city,
            B.province,
            B.postalCode, B.addressIndicator, B.residence,
        ] {
            checkAlphanumeric(r, field, seg)
        }
        if text(r, B.processingIndicator) != "1" { find(seg, B.processingIndicator, "expected 1") }
        _ = number(r, B.timeStamp, seg)
        let accountNumber = text(r, B.accountNumber).trimmingTrailingSpaces
        if accountNumber.isEmpty { find(seg, B.accountNumber, "required, but blank") }
        if blank(r, B.identificationNumber) { find(seg, B.identificationNumber, "required, but blank") }
        if !"CIMOR".contains(text(r, B.portfolioType)) {
            find(seg, B.portfolioType, "not one of C, I, M, O, R")
        }

        let status = text(r, B.accountStatus)
        if !Self.statuses.contains(status) {
            find(seg, B.accountStatus, "\"\(status)\" is not an account status")
        }
        counted.baseRecords += 1
        counted.statuses[status, default: 0] += 1

        let opened = date(r, B.dateOpened, seg, required: true)
        let informed = date(r, B.accountInformationDate, seg, required: true)
        let firstDelinquency = date(r, B.firstDelinquency, seg)
        let closed = date(r, B.dateClosed, seg)
        let lastPayment = date(r, B.lastPayment, seg)
        let creditLimit = number(r, B.creditLimit, seg)
        let highestCredit = number(r, B.highestCredit, seg)
        _ = number(r, B.scheduledPayment, seg)
        _ = number(r, B.actualPayment, seg)
        let balance = number(r, B.currentBalance, seg)
        _ = number(r, B.amountPastDue, seg)
        _ = number(r, B.chargeOff, seg)
        let comment = text(r, B.specialComment)
        let compliance = text(r, B.compliance)
        if !Self.complianceCodes.contains(compliance) {
            find(seg, B.compliance, "\"\(compliance)\" is not a compliance condition code")
        }
        if comment == "AU" && status != "62" {
            find(seg, B.specialComment, "AU (settled for less) goes with 62 only")
        }

        // The collection-agency rules.
        if text(r, B.accountType) == "48" {
            if text(r, B.portfolioType) != "O" {
                find(seg, B.portfolioType, "a collection account is portfolio O")
            }
            if let creditLimit, creditLimit != 0 {
                find(seg, B.creditLimit, "a collection account reports 0")
            }
            if let highestCredit, highestCredit == 0 {
                find(seg, B.highestCredit, "a collection account reports the amount assigned, more than 0")
            }
            if text(r, B.termsDuration) != "001" {
                find(seg, B.termsDuration, "a collection account reports 001")
            }
            if !["93", "62", "DA"].contains(status) {
                find(seg, B.accountStatus, "a collection account is reported 93, 62 or DA, not \(status)")
            }
        }
        if status == "93" || status == "62" {
            if firstDelinquency == nil { find(seg, B.firstDelinquency, "required with status \(status)") }
        }
        if status == "93" {
            if let balance, balance == 0 { find(seg, B.currentBalance, "status 93 with a zero balance") }
            if closed != nil { find(seg, B.dateClosed, "status 93 with a date closed") }
        }
        if status == "62", let balance, balance != 0 {
            find(seg, B.currentBalance, "status 62 (paid) with a balance of \(balance)")
        }
        if (status == "62" || status == "DA") && closed == nil {
            find(seg, B.dateClosed, "status \(status) needs the date closed")
        }
        if let firstDelinquency, let opened, firstDelinquency > opened {
            find(seg, B.firstDelinquency, "after the date opened")
        }
        if let opened, let informed, opened > informed {
            find(seg, B.dateOpened, "after the date of account information")
        }
        if let closed, let informed, closed > informed {
            find(seg, B.dateClosed, "after the date of account information")
        }
        if let closed, let opened, closed < opened { find(seg, B.dateClosed, "before the date opened") }
        if let lastPayment, let informed, lastPayment > informed {
            find(seg, B.lastPayment, "after the date of account information")
        }
        if let firstDelinquency, let reference = informed ?? activityDate,
            firstDelinquency < reference.minus(years: 6)
        {
            find(seg, B.firstDelinquency, "more than six years before the date of account information")
        }
        if let informed, let activityDate, informed > activityDate {
            find(seg, B.accountInformationDate, "after the Header's activity date")
        }

        // The consumer.
        checkConsumer(
            r, seg: seg, surname: B.surname, firstName: B.firstName, sin: B.sin, birthDate: B.birthDate,
            phone: B.phone, informed: informed, base: true)
        if text(r, B.ecoa) == "Z" { counted.ecoaZ += 1 }
        checkAddress(
            r, seg: seg, country: B.country, line1: B.address1, city: B.city, province: B.province,
            postal: B.postalCode)

        if !accountNumber.isEmpty {
            if accounts[accountNumber] != nil {
                find(seg, B.accountNumber, "account \(accountNumber) is reported twice")
            }
            accounts[accountNumber] = (status, text(r, B.firstDelinquency))
        }

        checkSegments(record, isCollection: text(r, B.accountType) == "48", informed: informed)
    }

    private func checkSegments(_ record: [UInt8], isCollection: Bool, informed: CalendarDate?) {
        var offset = Metro2Layout.recordLength
        var k1 = 0
        while offset < record.count {
            guard offset + 2 <= record.count else {
                findRecord("\(record.count - offset) byte(s) after the last segment")
                return
            }
            let id = String(decoding: record[offset..<(offset + 2)], as: UTF8.self)
            guard let length = Metro2Layout.segmentLengths[id] else {
                findRecord("at byte \(offset + 1): \"\(id)\" is not a segment identifier")
                return
            }
            guard offset + length <= record.count else {
                findRecord("the \(id) segment at byte \(offset + 1) runs past the Record Descriptor Word")
                return
            }
            let s = record[offset..<(offset + length)]
            switch id {
            case "J1", "J2": checkAssociated(s, id: id, informed: informed)
            case "K1":
                k1 += 1
                counted.k1 += 1
                typealias K = Metro2Layout.OriginalCreditor
                checkAlphanumeric(s, K.name, "K1")
                if blank(s, K.name) { find("K1", K.name, "required, but blank") }
                let classification = text(s, K.classification)
                if !BureauValidator.classifications.contains(classification) {
                    find(
                        "K1", K.classification, "\"\(classification)\" is not a classification from 01 to 15")
                }
            default:
                counted.otherSegments[id, default: 0] += 1
            }
            offset += length
        }
        if isCollection && k1 == 0 {
            findRecord("a collection account (type 48) without its K1 original creditor segment")
        }
    }

    private func checkAssociated(_ s: ArraySlice<UInt8>, id: String, informed: CalendarDate?) {
        typealias A = Metro2Layout.Associated
        if id == "J1" { counted.j1 += 1 } else { counted.j2 += 1 }
        for field in [
            A.reserved, A.surname, A.firstName, A.middleName, A.generation, A.ecoa, A.consumerInformation,
        ] {
            checkAlphanumeric(s, field, id)
        }
        checkConsumer(
            s, seg: id, surname: A.surname, firstName: A.firstName, sin: A.sin, birthDate: A.birthDate,
            phone: A.phone, informed: informed, base: false)
        if text(s, A.ecoa) == "Z" { counted.ecoaZ += 1 }
        if id == "J2" {
            for field in [
                A.country, A.address1, A.address2, A.city, A.province, A.postalCode, A.addressIndicator,
                A.residence, A.j2Reserved,
            ] {
                checkAlphanumeric(s, field, id)
            }
            checkAddress(
                s, seg: id, country: A.country, line1: A.address1, city: A.city, province: A.province,
                postal: A.postalCode)
        }
    }

    private func checkConsumer(
        _ r: ArraySlice<UInt8>, seg: String, surname: Metro2Field, firstName: Metro2Field,
        sin: Metro2Field, birthDate: Metro2Field, phone: Metro2Field, informed: CalendarDate?, base: Bool
    ) {
        if blank(r, surname) { find(seg, surname, "required, but blank") }
        if blank(r, firstName) { find(seg, firstName, "required, but blank") }
        if let n = number(r, sin, seg), n != 0 {
            if SIN(text(r, sin)) == nil { find(seg, sin, "fails the SIN checksum") }
            switch seg {
            case "J1": counted.sinJ1 += 1
            case "J2": counted.sinJ2 += 1
            default: counted.sinBase += 1
            }
        }
        if let born = date(r, birthDate, seg) {
            if let informed, born >= informed {
                find(seg, birthDate, "not before the date of account information")
            }
            switch seg {
            case "J1": counted.birthJ1 += 1
            case "J2": counted.birthJ2 += 1
            default: counted.birthBase += 1
            }
        }
        if let n = number(r, phone, seg), n != 0 { counted.phones += 1 }
    }

    private func checkAddress(
        _ r: ArraySlice<UInt8>, seg: String, country: Metro2Field, line1: Metro2Field,
        city: Metro2Field, province: Metro2Field, postal: Metro2Field
    ) {
        if blank(r, line1) { find(seg, line1, "required, but blank") }
        if blank(r, city) { find(seg, city, "required, but blank") }
        guard text(r, country) == "CA" else { return }
        let code = text(r, province)
        if !BureauValidator.provinces.contains(code) {
            find(seg, province, "\"\(code)\" is not a Canadian province or territory code")
        }
        let postalText = text(r, postal).trimmingTrailingSpaces
        if !BureauValidator.isPostalCode(postalText) || postalText.contains(" ") {
            find(seg, postal, "\"\(postalText)\" is not a postal code A1A1A1")
        }
    }

    // MARK: Trailer

    private func checkTrailer(_ record: [UInt8]) {
        typealias T = Metro2Layout.Trailer
        let r = record[...]
        if record.count != Metro2Layout.recordLength {
            find("Trailer", T.rdw, "the Trailer is \(record.count) bytes, not 426")
        }
        for (field, expected) in counted.fieldValues {
            guard let given = number(r, field, "Trailer") else { continue }
            if given != Int64(expected) {
                find("Trailer", field, "the trailer says \(given), the records count \(expected)")
            }
        }
    }
}

extension String {
    fileprivate var trimmingTrailingSpaces: String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}

/// Reads a file in large blocks and hands out byte runs: for files too large for memory.
final class ByteFileReader {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    let path: String

    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, operation: "open", errno: errno) }
    }

    func close() { Glibc.close(fd) }

    private func fill(_ count: Int) throws {
        while buffer.count - position < count && !atEnd {
            if position > 0 {
                buffer.removeFirst(position)
                position = 0
            }
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, operation: "read", errno: errno)
            }
            if n == 0 { atEnd = true } else { buffer.append(contentsOf: chunk[0..<n]) }
        }
    }

    /// Up to `count` bytes; nil at the end of the file.
    func read(_ count: Int) throws -> [UInt8]? {
        try fill(count)
        guard position < buffer.count else { return nil }
        let end = min(buffer.count, position + count)
        let result = Array(buffer[position..<end])
        position = end
        return result
    }

    func skipLineEnds() throws {
        while true {
            try fill(1)
            guard position < buffer.count, buffer[position] == 0x0A || buffer[position] == 0x0D else {
                return
            }
            position += 1
        }
    }
}
