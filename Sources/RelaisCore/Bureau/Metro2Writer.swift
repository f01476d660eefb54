/// Writes a Metro 2 character-format file (426-byte base segment) for Equifax Canada: a
/// Header, one Base segment per account with its J1, J2 and K1 segments, and a Trailer whose
/// every total is counted from the records written.
///
/// Choices where the public layout leaves a byte open, made here once:
/// - Records are variable length: the Record Descriptor Word counts the base segment and its
///   appended segments (426 + 100 per J1 + 200 per J2 + 34 for K1); no Block Descriptor Word.
///   The newline, when configured, ends each record and is not counted.
/// - Time Stamp (6–19) is the moment the file is created, the same for every record.
/// - Correction Indicator (20) is `0`; Cycle Identifier, Innovis, Experian, TransUnion and
///   PRBC identifiers are blank.
/// - 214–230 are blank: Equifax Canada's currency code is left blank, which its variant reads
///   as Canadian dollars (an inference; no public text says so). Consumer Transaction Type
///   (231) is `1` (new) on an account's first report, blank afterwards.
/// - Terms Frequency is `P` (deferred), Payment History Profile 24 × `D` (no history): a
///   collection agency has no payment history with the consumer. Scheduled Monthly Payment
///   and Original Charge-off Amount are 0.
/// - Amounts are whole dollars, cents truncated. Postal codes are written without their
///   space (`H2X1Y4`). The primary consumer's ECOA code is `1`, an associated consumer's `2`.
/// - Trailer reserved fields are blank, Block Count 0.
public final class Metro2Writer {
    /// When the file is made: the Header's Date Created and every Time Stamp.
    public struct Moment: Sendable {
        public var date: CalendarDate
        public var hour: Int
        public var minute: Int
        public var second: Int

        public init(date: CalendarDate, hour: Int = 0, minute: Int = 0, second: Int = 0) {
            self.date = date
            self.hour = hour
            self.minute = minute
            self.second = second
        }
    }

    /// The date this layout was implemented and last revised: Header Program Date fields.
    static let programDate = CalendarDate(year: 2026, month: 12, day: 1)!

    private let sink: FileSink
    private let newline: Bool
    private let identificationNumber: [UInt8]
    private let timeStamp: Int64
    private var counted = Metro2Totals()
    // Status counts kept apart from the dictionary: one increment a record, no hashing.
    private var collections = 0
    private var paid = 0
    private var deleted = 0

    /// The totals of the records written so far.
    public var totals: Metro2Totals {
        var t = counted
        for (code, n) in [("93", collections), ("62", paid), ("DA", deleted)] where n > 0 {
            t.statuses[code] = n
        }
        return t
    }
    private var record = FixedRecord(length: Metro2Layout.recordLength)
    private var k1 = FixedRecord(length: Metro2Layout.OriginalCreditor.length)
    private var j1: [BureauConsumer] = []
    private var j2: [BureauConsumer] = []
    private var line: [UInt8] = []

    public init(sink: FileSink, identificationNumber: String, created: Moment, newline: Bool) {
        self.sink = sink
        self.newline = newline
        self.identificationNumber = BureauText.fold(identificationNumber)
        let d = created.date
        timeStamp =
            Int64(d.month * 1_000_000 + d.day * 10_000 + d.year) * 1_000_000
            + Int64(created.hour * 10_000 + created.minute * 100 + created.second)
        line.reserveCapacity(1024)
    }

    /// The Header record.
    public func writeHeader(
        activityDate: CalendarDate, created: CalendarDate, programIdentifier: String,
        reporterName: String, reporterAddress: String, reporterPhone: String?
    ) throws {
        typealias H = Metro2Layout.Header
        var header = FixedRecord(length: Metro2Layout.recordLength)
        header.put(H.rdw, number: Int64(Metro2Layout.recordLength))
        header.put(H.identifier, text: "HEADER")
        header.put(H.equifax, text: programIdentifier)
        header.put(H.activityDate, date: activityDate)
        header.put(H.dateCreated, date: created)
        header.put(H.programDate, date: Self.programDate)
        header.put(H.programRevisionDate, date: Self.programDate)
        header.put(H.reporterName, text: reporterName)
        header.put(H.reporterAddress, text: reporterAddress)
        header.put(H.reporterPhone, digits: reporterPhone)
        header.put(H.vendorName, text: "RELAIS")
        header.put(H.vendorVersion, text: RelaisCommandLine.version)
        try emit(header.bytes)
    }

    /// One Base segment with its J1 / J2 and K1 segments. The account was validated: every
    /// value fits its field.
    public func write(_ account: BureauAccount) throws {
        let consumer = account.consumer
        j1.removeAll(keepingCapacity: true)
        j2.removeAll(keepingCapacity: true)
        for other in account.associated {
            if other.livesWith(consumer) { j1.append(other) } else { j2.append(other) }
        }
        let length =
            Metro2Layout.recordLength + 100 * j1.count + 200 * j2.count + Metro2Layout.OriginalCreditor.length

        // One exclusive access to the reused record for all its fields: a class property
        // written field by field pays a dynamic exclusivity check each time.
        Self.fill(
            &record, account, length: length, identificationNumber: identificationNumber,
            timeStamp: timeStamp)

        line.removeAll(keepingCapacity: true)
        line.append(contentsOf: record.bytes)
        for other in j1 { line.append(contentsOf: Self.associated(other, length: 100)) }
        for other in j2 { line.append(contentsOf: Self.associated(other, length: 200)) }
        k1.put(Metro2Layout.OriginalCreditor.identifier, text: "K1")
        k1.put(Metro2Layout.OriginalCreditor.name, text: account.originalCreditor)
        k1.put(Metro2Layout.OriginalCreditor.classification, digits: account.creditorClassification)
        line.append(contentsOf: k1.bytes)
        try emit(line)

        // The totals, from what was just written.
        counted.baseRecords += 1
        switch account.status {
        case .collection: collections += 1
        case .paid: paid += 1
        case .delete: deleted += 1
        }
        counted.j1 += j1.count
        counted.j2 += j2.count
        counted.k1 += 1
        if consumer.sin != nil { counted.sinBase += 1 }
        if consumer.birthDate != nil { counted.birthBase += 1 }
        if consumer.phone != nil { counted.phones += 1 }
        for other in j1 {
            if other.sin != nil { counted.sinJ1 += 1 }
            if other.birthDate != nil { counted.birthJ1 += 1 }
            if other.phone != nil { counted.phones += 1 }
        }
        for other in j2 {
            if other.sin != nil { counted.sinJ2 += 1 }
            if other.birthDate != nil { counted.birthJ2 += 1 }
            if other.phone != nil { counted.phones += 1 }
        }
    }

    /// The Trailer record, from the totals counted while writing.
    public func writeTrailer() throws {
        typealias T = Metro2Layout.Trailer
        var trailer = FixedRecord(length: Metro2Layout.recordLength)
        trailer.put(T.rdw, number: Int64(Metro2Layout.recordLength))
        trailer.put(T.identifier, text: "TRAILER")
        for (field, value) in totals.fieldValues { trailer.put(field, number: Int64(value)) }
        try emit(trailer.bytes)
    }

    /// The Base segment's fields, in layout order.
    private static func fill(
        _ r: inout FixedRecord, _ account: BureauAccount, length: Int,
        identificationNumber: [UInt8], timeStamp: Int64
    ) {
        typealias B = Metro2Layout.Base
        let consumer = account.consumer
        r.put(B.rdw, number: Int64(length))
        r.put(B.processingIndicator, number: 1)
        r.put(B.timeStamp, number: timeStamp)
        r.put(B.correctionIndicator, number: 0)
        r.put(B.identificationNumber, bytes: identificationNumber)
        r.put(B.cycle, bytes: [])
        r.put(B.accountNumber, text: account.ourReference)
        r.put(B.portfolioType, text: "O")
        r.put(B.accountType, text: "48")
        r.put(B.dateOpened, date: account.dateOpened)
        r.put(B.creditLimit, number: 0)
        r.put(B.highestCredit, number: Self.dollars(account.highestCredit))
        r.put(B.termsDuration, text: "001")
        r.put(B.termsFrequency, text: "P")
        r.put(B.scheduledPayment, number: 0)
        r.put(B.actualPayment, number: Self.dollars(account.paymentThisMonth))
        r.put(B.accountStatus, text: account.status.rawValue)
        r.put(B.paymentRating, bytes: [])
        r.put(B.paymentHistory, bytes: Self.noHistory)
        r.put(B.specialComment, text: account.specialComment)
        r.put(B.compliance, text: account.compliance)
        r.put(B.currentBalance, number: Self.dollars(account.balance))
        r.put(B.amountPastDue, number: Self.dollars(account.amountPastDue))
        r.put(B.chargeOff, number: 0)
        r.put(B.accountInformationDate, date: account.accountInformationDate)
        r.put(B.firstDelinquency, date: account.firstDelinquency)
        r.put(B.dateClosed, date: account.dateClosed)
        r.put(B.lastPayment, date: account.lastPayment)
        r.put(B.reserved, bytes: [])
        r.put(B.transactionType, text: account.firstReport ? "1" : "")
        r.put(B.surname, text: consumer.surname)
        r.put(B.firstName, text: consumer.firstName)
        r.put(B.middleName, bytes: [])
        r.put(B.generation, bytes: [])
        r.put(B.sin, digits: consumer.sin)
        r.put(B.birthDate, date: consumer.birthDate)
        r.put(B.phone, digits: consumer.phone)
        r.put(B.ecoa, text: "1")
        r.put(B.consumerInformation, bytes: [])
        r.put(B.country, text: consumer.country)
        r.put(B.address1, text: consumer.address1 ?? "")
        r.put(B.address2, text: consumer.address2 ?? "")
        r.put(B.city, text: consumer.city ?? "")
        r.put(B.province, text: consumer.province ?? "")
        r.put(B.postalCode, text: Self.postalWithoutSpace(consumer.postalCode))
        r.put(B.addressIndicator, bytes: [])
        r.put(B.residence, bytes: [])
    }

    private func emit(_ bytes: [UInt8]) throws {
        try sink.write(bytes)
        if newline { try sink.write(Self.newlineByte) }
    }

    private static let newlineByte: [UInt8] = [0x0A]
    private static let noHistory = [UInt8](repeating: 0x44, count: 24)

    /// Whole dollars, cents truncated; never negative.
    static func dollars(_ money: Money) -> Int64 { max(0, money.cents) / 100 }

    static func postal(_ code: String?) -> [UInt8] { BureauText.fold(code ?? "").filter { $0 != 0x20 } }

    /// The postal code without its space, cheaply when it has none.
    static func postalWithoutSpace(_ code: String?) -> String {
        guard let code else { return "" }
        return code.utf8.contains(0x20)
            ? String(decoding: code.utf8.filter { $0 != 0x20 }, as: UTF8.self) : code
    }

    static func associated(_ consumer: BureauConsumer, length: Int) -> [UInt8] {
        typealias A = Metro2Layout.Associated
        var segment = FixedRecord(length: length)
        segment.put(A.identifier, text: length == 100 ? "J1" : "J2")
        segment.put(A.surname, text: consumer.surname)
        segment.put(A.firstName, text: consumer.firstName)
        segment.put(A.sin, digits: consumer.sin)
        segment.put(A.birthDate, date: consumer.birthDate)
        segment.put(A.phone, digits: consumer.phone)
        segment.put(A.ecoa, text: "2")
        if length == 200 {
            segment.put(A.country, text: consumer.country)
            segment.put(A.address1, text: consumer.address1 ?? "")
            segment.put(A.address2, text: consumer.address2 ?? "")
            segment.put(A.city, text: consumer.city ?? "")
            segment.put(A.province, text: consumer.province ?? "")
            segment.put(A.postalCode, bytes: postal(consumer.postalCode))
        }
        return segment.bytes
    }
}
