/// What became of one assignment offered to the store.
public enum Recording: Equatable, Sendable {
    /// A new case, with our reference.
    case created(ourReference: String)
    /// The client already has an open case with this reference: nothing was written over it.
    case duplicate(ofOurReference: String)
}

/// Records the cases of one file inside the file's transaction, with statements compiled once.
/// Obtained from `CaseStore.recordFile`; valid only inside its body.
public final class CaseRecorder {
    let db: SQLiteConnection
    let fileID: Int64
    let clientID: String
    private let openedOn: String
    private let at: String
    let source: String
    private var nextCaseID: Int64
    private let insertCase: SQLiteStatement
    private let insertDebtor: SQLiteStatement
    private let insertNote: SQLiteStatement
    let insertReject: SQLiteStatement
    private let findOpen: SQLiteStatement
    public internal(set) var reading: FileReading
    /// The store the file is recorded in, for the case events a client update applies.
    weak var store: CaseStore?
    /// The content's hash when a file already ingested is read again (`relais ingest --again`):
    /// its rows that became cases then, whatever those cases' status now, are duplicates, and
    /// its updates are never applied twice.
    var readingAgain: String?

    init(
        db: SQLiteConnection, fileID: Int64, clientID: String, openedOn: CalendarDate, at: String,
        source: String,
        reading: FileReading
    ) throws {
        self.db = db
        self.fileID = fileID
        self.clientID = clientID
        self.openedOn = openedOn.iso
        self.at = at
        self.source = source
        self.reading = reading
        let last = try db.scalar("SELECT seq FROM sqlite_sequence WHERE name = 'cases'")?.int ?? 0
        let maxID = try db.scalar("SELECT COALESCE(MAX(id), 0) FROM cases")?.int ?? 0
        nextCaseID = max(last, maxID) + 1
        insertCase = try db.prepare(
            """
            INSERT INTO cases (id, client_id, client_ref, kind, opened_on, assigned_cents, principal_cents,
                interest_cents, fees_cents, balance_cents, status, sub_status, original_creditor,
                creditor_classification, charge_off_date, first_delinquency_date,
                    last_payment_date, file_id, file_line)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertDebtor = try db.prepare(
            """
            INSERT INTO debtors (case_id, role, name_as_given, first_name, last_name, company_name,
                address_line1,
                address_line2, city, province, postal_code, country, phone_home, phone_work,
                    phone_mobile, email,
                language, birth_date, sin)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertNote = try db.prepare("INSERT INTO notes (case_id, at, author, text) VALUES (?, ?, ?, ?)")
        insertReject = try db.prepare(
            "INSERT INTO rejects (file_id, line, field, reason, client_ref, duplicate_of) "
                + "VALUES (?, ?, ?, ?, ?, ?)"
        )
        findOpen = try db.prepare(
            "SELECT id, our_ref FROM cases WHERE client_id = ? AND client_ref = ? AND status <> 'closed'")
    }

    /// Our reference for a case number: `AC` and seven digits, never reused because case ids
    /// are never reused.
    public static func ourReference(caseID: Int64) -> String {
        let digits = String(caseID)
        return "AC" + String(repeating: "0", count: max(0, 7 - digits.count)) + digits
    }

    /// Opens a case for the assignment, unless the client already has an open case with the
    /// same reference: then the row is a duplicate, recorded as such, and nothing is overwritten.
    @discardableResult
    public func record(_ assignment: Assignment, line: Int) throws -> Recording {
        reading.records += 1
        reading.computedTotal += assignment.amount
        if let sha256 = readingAgain,
            let earlier = try db.rows(
                """
                SELECT c.id FROM cases c JOIN files f ON f.id = c.file_id
                WHERE c.client_id = ? AND c.client_ref = ? AND f.sha256 = ? LIMIT 1
                """, [.text(clientID), .text(assignment.clientReference), .text(sha256)]
            ).first?[0].int
        {
            let existingRef = Self.ourReference(caseID: earlier)
            return try duplicate(
                assignment, line: line, of: earlier, ourReference: existingRef,
                because: "became our case \(existingRef) when this file was first read")
        }
        let caseID = nextCaseID
        let ourRef = Self.ourReference(caseID: caseID)
        let status = CaseStatus.received
        do {
            try insertCase.bindInOrder { p in
                try p.integer(caseID)
                try p.text(clientID)
                try p.text(assignment.clientReference)
                try p.text(assignment.kind.rawValue)
                try p.text(openedOn)
                try p.money(assignment.amount)
                try p.money(assignment.principal)
                try p.money(assignment.interest)
                try p.money(assignment.fees)
                try p.money(assignment.amount)
                try p.text(status.status)
                try p.text(status.subStatus)
                try p.text(assignment.originalCreditor)
                try p.text(assignment.creditorClassification)
                try p.date(assignment.chargeOffDate)
                try p.date(assignment.firstDelinquencyDate)
                try p.date(assignment.lastPaymentDate)
                try p.integer(fileID)
                try p.integer(Int64(line))
            }
            try insertCase.step()
        } catch let error as SQLiteError where error.isUniqueViolation {
            // The partial unique index says an open case has this reference.
            try findOpen.bind([.text(clientID), .text(assignment.clientReference)])
            guard try findOpen.step() else { throw error }
            let existingID = findOpen.int(0)
            let existingRef = findOpen.text(1) ?? ""
            findOpen.reset()
            return try duplicate(
                assignment, line: line, of: existingID, ourReference: existingRef,
                because: "is already our open case \(existingRef)")
        }
        nextCaseID += 1
        reading.accepted += 1

        try insert(assignment.debtor, role: "debtor", caseID: caseID)
        for co in assignment.coDebtors { try insert(co, role: "co-debtor", caseID: caseID) }
        if let note = assignment.note {
            try insertNote.bind([.integer(caseID), .text(at), .text("client"), .text(note)])
            try insertNote.step()
        }
        return .created(ourReference: ourRef)
    }

    /// Records a row as a duplicate of an existing case: reported, nothing written over it.
    private func duplicate(
        _ assignment: Assignment, line: Int, of caseID: Int64, ourReference: String,
        because why: String
    ) throws -> Recording {
        reading.duplicates += 1
        try insertReject.bind([
            .integer(fileID), .integer(Int64(line)), .text(reading.heading(.clientReference)),
            .text("duplicate: the client reference \(assignment.clientReference.quotedForReason) \(why)"),
            .text(assignment.clientReference), .integer(caseID),
        ])
        try insertReject.step()
        return .duplicate(ofOurReference: ourReference)
    }

    /// Records a row that could not become a case.
    public func reject(line: Int, field: String?, reason: String, amount: Money? = nil) throws {
        reading.records += 1
        reading.rejected += 1
        if let amount { reading.computedTotal += amount }
        try insertReject.bind([
            .integer(fileID), .integer(Int64(line)), SQLiteValue(field), .text(reason), .null, .null,
        ])
        try insertReject.step()
    }

    /// The first entry of every new case's status history, written for the whole file in one
    /// statement once its rows are recorded.
    /// The first entry of one case's status history, for a case opened outside a file's
    /// recording (from the review queue).
    public func recordOpening(ourReference: String) throws {
        guard let id = Int64(ourReference.dropFirst(2)) else { return }
        try db.run(
            """
            INSERT INTO status_history (case_id, at, status, sub_status, reason, source)
            SELECT id, ?, status, sub_status, 'assigned', ? FROM cases WHERE id = ?
            """, [.text(at), .text(source), .integer(id)])
    }

    func recordOpenings() throws {
        try db.run(
            """
            INSERT INTO status_history (case_id, at, status, sub_status, reason, source)
            SELECT id, ?, status, sub_status, 'assigned', ? FROM cases WHERE file_id = ?
            """, [.text(at), .text(source), .integer(fileID)])
    }

    private func insert(_ debtor: Debtor, role: String, caseID: Int64) throws {
        func phone(_ kind: Phone.Kind) -> String? {
            guard let p = debtor.phones.first(where: { $0.kind == kind }) else { return nil }
            return p.number + (p.extensionNumber.map { " x" + $0 } ?? "")
        }
        let a = debtor.address
        try insertDebtor.bindInOrder { p in
            try p.integer(caseID)
            try p.text(role)
            try p.text(debtor.nameAsGiven)
            try p.text(debtor.firstName)
            try p.text(debtor.lastName)
            try p.text(debtor.companyName)
            try p.text(a?.line1)
            try p.text(a?.line2)
            try p.text(a?.city)
            try p.text(a?.province)
            try p.text(a?.postalCode)
            try p.text(a?.country)
            try p.text(phone(.home))
            try p.text(phone(.work))
            try p.text(phone(.mobile))
            try p.text(debtor.email)
            try p.text(debtor.language?.rawValue)
            try p.date(debtor.birthDate)
            try p.text(debtor.sin?.digits)
        }
        try insertDebtor.step()
    }
}

/// The content of a file was recorded for the client, by another process, while this one read it.
public struct AlreadyIngested: Error, CustomStringConvertible {
    public let earlier: LedgerEntry
    public var description: String {
        "the same content was recorded as file \(earlier.id) (\(earlier.name)) while this one was read"
    }
}

extension CaseStore {
    /// Records a file and the cases it creates in one transaction: either the ledger row and
    /// every case are committed together, or nothing is.
    public func recordFile(
        _ file: ReceivedFile, reading: FileReading, openedOn: CalendarDate, again: Bool = false,
        _ body: (CaseRecorder) throws -> Void
    ) throws -> (fileID: Int64, reading: FileReading) {
        try transaction {
            // Checked again under the write lock: another process may have recorded the same
            // content since the intake looked.
            if !again, let earlier = try ingestedFile(clientID: file.clientID, sha256: file.survey.sha256) {
                throw AlreadyIngested(earlier: earlier)
            }
            let fileID = try insertLedgerRow(
                file, outcome: .ingested, reason: nil, reading: reading, duplicateOf: nil)
            let recorder = try CaseRecorder(
                db: db, fileID: fileID, clientID: file.clientID, openedOn: openedOn,
                at: Timestamp.now(), source: "file \(fileID)", reading: reading)
            recorder.store = self
            if again { recorder.readingAgain = file.survey.sha256 }
            try body(recorder)
            try recorder.recordOpenings()
            let r = recorder.reading
            try db.run(
                """
                UPDATE files SET records = ?, accepted = ?, duplicates = ?, rejected = ?,
                    printed_total_cents = ?,
                    computed_total_cents = ?, updates = ? WHERE id = ?
                """,
                [
                    SQLiteValue(r.records), SQLiteValue(r.accepted), SQLiteValue(r.duplicates),
                    SQLiteValue(r.rejected),
                    SQLiteValue(r.printedTotal), .integer(r.computedTotal.cents), SQLiteValue(r.updates),
                    .integer(fileID),
                ])
            return (fileID, r)
        }
    }
}
