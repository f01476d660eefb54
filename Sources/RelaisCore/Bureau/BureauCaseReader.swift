/// Reads, one case at a time and in case order, what the store knows of every consumer case
/// for a bureau and month: the case, its debtor, co-debtors, payments, disputes, deletion
/// request and the last report to this bureau. Nothing but the current case is held, except
/// the month's payments, open disputes and deletion requests, which are few.
final class BureauCaseReader {
    private let cases: SQLiteStatement
    private let coDebtors: SQLiteStatement
    private var coDebtorPending: Bool
    private let payments: [Int64: Int64]
    private let disputes: Set<Int64>
    private let deletions: [Int64: CalendarDate]

    init(db: SQLiteConnection, bureau: Bureau, month: ReportMonth) throws {
        let end = SQLiteValue.text(month.lastDay.iso)
        cases = try db.prepare("""
            SELECT c.id, c.our_ref, c.client_id, c.client_ref, cl.name, c.opened_on, c.assigned_cents,
                c.balance_cents, c.status, c.sub_status, c.closed_on, c.original_creditor,
                c.creditor_classification, c.first_delinquency_date, c.last_payment_date,
                (SELECT MAX(t.on_date) FROM transactions t WHERE t.case_id = c.id
                    AND t.kind IN ('payment', 'direct-payment') AND t.on_date <= ?1),
                d.first_name, d.last_name, d.address_line1, d.address_line2, d.city, d.province,
                d.postal_code, d.country, d.phone_home, d.phone_mobile, d.phone_work, d.birth_date, d.sin,
                a.last_month, a.last_status, a.last_compliance, a.first_delinquency_date
            FROM cases c
            JOIN clients cl ON cl.id = c.client_id
            JOIN debtors d ON d.case_id = c.id AND d.role = 'debtor'
            LEFT JOIN bureau_accounts a ON a.bureau = ?2 AND a.case_id = c.id
            WHERE c.kind = 'consumer' AND c.opened_on <= ?1
            ORDER BY c.id
            """)
        try cases.bind([end, .text(bureau.rawValue)])
        coDebtors = try db.prepare("""
            SELECT d.case_id, d.first_name, d.last_name, d.address_line1, d.address_line2, d.city, d.province,
                d.postal_code, d.country, d.phone_home, d.phone_mobile, d.phone_work, d.birth_date, d.sin
            FROM debtors d WHERE d.role = 'co-debtor' ORDER BY d.case_id, d.id
            """)
        coDebtorPending = try coDebtors.step()

        var payments: [Int64: Int64] = [:]
        let paid = try db.prepare("""
            SELECT case_id, SUM(amount_cents) FROM transactions
            WHERE kind IN ('payment', 'direct-payment') AND on_date BETWEEN ? AND ? GROUP BY case_id
            """)
        try paid.bind([.text(month.firstDay.iso), end])
        while try paid.step() { payments[paid.int(0)] = paid.int(1) }
        self.payments = payments

        var disputes = Set<Int64>()
        let open = try db.prepare(
            "SELECT case_id FROM disputes WHERE opened_on <= ?1 AND (resolved_on IS NULL OR resolved_on > ?1)")
        try open.bind([end])
        while try open.step() { disputes.insert(open.int(0)) }
        self.disputes = disputes

        var deletions: [Int64: CalendarDate] = [:]
        let asked = try db.prepare("SELECT case_id, requested_at FROM bureau_deletions")
        while try asked.step() {
            deletions[asked.int(0)] = CalendarDate(iso: String((asked.text(1) ?? "").prefix(10)))
        }
        self.deletions = deletions
    }

    /// The next case, or nil when every case was read.
    func next() throws -> BureauCaseFacts? {
        guard try cases.step() else { return nil }
        let s = cases
        let caseID = s.int(0)
        func date(_ column: Int32) -> CalendarDate? { s.text(column).flatMap(CalendarDate.init(iso:)) }
        let (consumer, rawSIN) = Self.consumer(s, from: 16)
        var facts = BureauCaseFacts(
            caseID: caseID, ourReference: s.text(1) ?? "", clientID: s.text(2) ?? "", clientReference: s.text(3) ?? "",
            clientName: s.text(4) ?? "", openedOn: date(5), assigned: Money(cents: s.int(6)),
            balance: Money(cents: s.int(7)), status: s.text(8) ?? "", subStatus: s.text(9) ?? "", closedOn: date(10),
            originalCreditor: s.text(11), classification: s.text(12), firstDelinquency: date(13),
            clientLastPayment: date(14), lastPayment: date(15),
            paymentThisMonth: Money(cents: payments[caseID] ?? 0), consumer: consumer, rawSIN: rawSIN,
            associated: [], disputeOpen: disputes.contains(caseID), deletionRequested: deletions[caseID], prior: nil)
        if let last = s.text(29), let reportedDate = date(32) {
            facts.prior = PriorReport(month: last, status: s.text(30) ?? "", compliance: s.text(31) ?? "",
                firstDelinquency: reportedDate)
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
            surname: text(1) ?? "", firstName: text(0) ?? "", sin: rawSIN.flatMap(SIN.init)?.digits,
            birthDate: text(11).flatMap(CalendarDate.init(iso:)), phone: phone, address1: text(2), address2: text(3),
            city: text(4), province: text(5)?.uppercased(), postalCode: text(6), country: text(7) ?? "CA")
        return (consumer, rawSIN)
    }

    /// Ten digits, from `5145551234` or `5145551234 x12`; nil otherwise.
    static func phone(_ stored: String?) -> String? {
        guard let stored else { return nil }
        let number = stored.split(separator: " ").first.map(String.init) ?? ""
        let digits = BureauText.digits(number)
        return digits.count == 10 ? digits : nil
    }
}
