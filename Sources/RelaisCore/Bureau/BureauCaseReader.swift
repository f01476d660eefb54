/// Reads, one case at a time and in case order, what the store knows of every consumer case
/// for a bureau and month: the case, its debtor, co-debtors, payments, disputes, deletion
/// request and the last report to this bureau. Co-debtors and payments come from their own
/// cursors in case order, merged as the cases go by; nothing but the current case is held,
/// except the open disputes and deletion requests, which are few.
final class BureauCaseReader {
    private let cases: SQLiteStatement
    private let coDebtors: SQLiteStatement
    private var coDebtorPending: Bool
    private let payments: SQLiteStatement
    private var paymentPending: Bool
    private let disputes: Set<Int64>
    private let deletions: [Int64: CalendarDate]
    /// Client names, for the K1 segment of a case without an original creditor: few clients.
    private let clientNames: [String: String]

    init(db: SQLiteConnection, bureau: Bureau, month: ReportMonth) throws {
        let end = SQLiteValue.text(month.lastDay.iso)
        cases = try db.prepare(
            """
            SELECT c.id, c.our_ref, c.client_id, c.client_ref, NULL, c.opened_on, c.assigned_cents,
                c.balance_cents, c.status, c.sub_status, c.closed_on, c.original_creditor,
                c.creditor_classification, c.first_delinquency_date, c.last_payment_date, NULL,
                d.first_name, d.last_name, d.address_line1, d.address_line2, d.city, d.province,
                d.postal_code, d.country, d.phone_home, d.phone_mobile, d.phone_work, d.birth_date, d.sin,
                a.last_month, a.last_status, a.last_compliance, a.first_delinquency_date
            FROM cases c
            JOIN debtors d ON d.case_id = c.id AND d.role = 'debtor'
            LEFT JOIN bureau_accounts a ON a.bureau = ?2 AND a.case_id = c.id
            WHERE c.kind = 'consumer' AND c.opened_on <= ?1
            ORDER BY c.id
            """)
        try cases.bind([end, .text(bureau.rawValue)])
        coDebtors = try db.prepare(
            """
            SELECT d.case_id, d.first_name, d.last_name, d.address_line1, d.address_line2, d.city, d.province,
                d.postal_code, d.country, d.phone_home, d.phone_mobile, d.phone_work, d.birth_date, d.sin
            FROM debtors d WHERE d.role = 'co-debtor' ORDER BY d.case_id, d.id
            """)
        coDebtorPending = try coDebtors.step()

        // Per case with payments: the latest payment up to month end, and the month's total.
        payments = try db.prepare(
            """
            SELECT case_id, MAX(CASE WHEN on_date <= ?2 THEN on_date END),
                SUM(CASE WHEN on_date BETWEEN ?1 AND ?2 THEN amount_cents ELSE 0 END)
            FROM transactions WHERE kind IN ('payment', 'direct-payment')
            GROUP BY case_id ORDER BY case_id
            """)
        try payments.bind([.text(month.firstDay.iso), end])
        paymentPending = try payments.step()

        var disputes = Set<Int64>()
        let open = try db.prepare(
            "SELECT case_id FROM disputes WHERE opened_on <= ?1 AND (resolved_on IS NULL OR resolved_on > ?1)"
        )
        try open.bind([end])
        while try open.step() { disputes.insert(open.int(0)) }
        self.disputes = disputes

        var deletions: [Int64: CalendarDate] = [:]
        let asked = try db.prepare("SELECT case_id, requested_at FROM bureau_deletions")
        while try asked.step() {
            deletions[asked.int(0)] = CalendarDate(iso: String((asked.text(1) ?? "").prefix(10)))
        }
        self.deletions = deletions

        var names: [String: String] = [:]
        for row in try db.rows("SELECT id, name FROM clients") {
            if let id = row[0].text { names[id] = row[1].text ?? id }
        }
        clientNames = names
    }

    /// The next case, or nil when every case was read.
    func next() throws -> BureauCaseFacts? {
        guard try cases.step() else { return nil }
        let s = cases
        let caseID = s.int(0)
        func date(_ column: Int32) -> CalendarDate? { s.text(column).flatMap(Self.date) }
        let (consumer, rawSIN) = Self.consumer(s, from: 16)
        var facts = BureauCaseFacts(
            caseID: caseID, ourReference: s.text(1) ?? "", clientID: s.text(2) ?? "",
            clientReference: s.text(3) ?? "",
            clientName: clientNames[s.text(2) ?? ""] ?? "", openedOn: date(5),
            assigned: Money(cents: s.int(6)),
            balance: Money(cents: s.int(7)), status: s.text(8) ?? "", subStatus: s.text(9) ?? "",
            closedOn: date(10),
            originalCreditor: s.text(11), classification: s.text(12), firstDelinquency: date(13),
            clientLastPayment: date(14), lastPayment: nil,
            paymentThisMonth: .zero, consumer: consumer, rawSIN: rawSIN,
            associated: [], disputeOpen: disputes.contains(caseID), deletionRequested: deletions[caseID],
            prior: nil)
        if let last = s.text(29), let reportedDate = date(32) {
            facts.prior = PriorReport(
                month: last, status: s.text(30) ?? "", compliance: s.text(31) ?? "",
                firstDelinquency: reportedDate)
        }

        while paymentPending && payments.int(0) < caseID { paymentPending = try payments.step() }
        if paymentPending && payments.int(0) == caseID {
            facts.lastPayment = payments.text(1).flatMap(Self.date)
            facts.paymentThisMonth = Money(cents: payments.int(2))
            paymentPending = try payments.step()
        }

        // Co-debtors come in case order too: skip those of cases not read (commercial ones).
        while coDebtorPending && coDebtors.int(0) < caseID { coDebtorPending = try coDebtors.step() }
        while coDebtorPending && coDebtors.int(0) == caseID {
            let (other, otherSIN) = Self.consumer(coDebtors, from: 1)
            facts.associated.append((other, otherSIN))
            coDebtorPending = try coDebtors.step()
        }
        return facts
    }

    /// A consumer from 13 columns starting at `first`: first name, last name, address lines,
    /// city, province, postal code, country, three phones, date of birth, SIN.
    private static func consumer(_ s: SQLiteStatement, from first: Int32) -> (BureauConsumer, String?) {
        func text(_ offset: Int32) -> String? { s.text(first + offset) }
        let phone = [text(8), text(9), text(10)].lazy.compactMap(Self.phone).first
        let rawSIN = text(12)
        let consumer = BureauConsumer(
            surname: text(1) ?? "", firstName: text(0) ?? "", sin: rawSIN.flatMap(Self.sin),
            birthDate: text(11).flatMap(Self.date), phone: phone, address1: text(2), address2: text(3),
            city: text(4), province: text(5)?.uppercased(), postalCode: text(6), country: text(7) ?? "CA")
        return (consumer, rawSIN)
    }

    /// `YYYY-MM-DD` read from its bytes: six dates a case, a million cases.
    static func date(_ text: String) -> CalendarDate? {
        let parts =
            text.utf8.withContiguousStorageIfAvailable { b -> (Int, Int, Int)? in
                guard b.count == 10, b[4] == 0x2D, b[7] == 0x2D else { return nil }
                func number(_ from: Int, _ to: Int) -> Int? {
                    var n = 0
                    for i in from..<to {
                        guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                        n = n * 10 + Int(b[i] - 0x30)
                    }
                    return n
                }
                guard let y = number(0, 4), let m = number(5, 7), let d = number(8, 10) else { return nil }
                return (y, m, d)
            } ?? nil
        guard let (year, month, day) = parts ?? CalendarDate(iso: text).map({ ($0.year, $0.month, $0.day) })
        else { return nil }
        return CalendarDate(year: year, month: month, day: day)
    }

    /// Ten digits, from `5145551234` or `5145551234 x12` as the intake stores them; nil
    /// otherwise.
    static func phone(_ stored: String?) -> String? {
        guard let stored else { return nil }
        var count = 0
        for byte in stored.utf8 {
            if byte == 0x20 { break }
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            count += 1
        }
        guard count == 10 else { return nil }
        return stored.utf8.count == 10 ? stored : String(stored.prefix(10))
    }

    /// The nine digits of a stored SIN that passes its checksum. The store keeps bare digits;
    /// anything else goes through `SIN`, which accepts spaces and dashes.
    static func sin(_ stored: String) -> String? {
        let bytes = stored.utf8
        guard bytes.count == 9, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return SIN(stored)?.digits
        }
        var sum = 0
        for (index, byte) in bytes.enumerated() {
            var value = Int(byte - 0x30)
            if index % 2 == 1 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return sum % 10 == 0 ? stored : nil
    }
}
