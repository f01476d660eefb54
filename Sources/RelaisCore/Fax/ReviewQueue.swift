/// A row of a faxed list that a person must look at before it becomes a case: what OCR read,
/// and why it is not taken on its own word.
public struct ReviewDraft: Sendable, Equatable {
    /// One field: the text as OCR read it, and the text proposed for validation (after the
    /// repair of a numeric field).
    public struct Field: Sendable, Equatable {
        public var field: AssignmentField
        public var asRead: String
        public var proposed: String
    }

    public var line: Int
    public var page: Int
    public var rawText: String
    public var fields: [Field]
    public var reasons: [String]
    /// The amount as read, when readable: it counts toward the list's computed total.
    public var amount: Money?
}

/// One item of the review queue, as the store keeps it.
public struct ReviewItem: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable { case open, accepted, corrected, discarded }

    public var id: Int64
    public var fileID: Int64
    public var clientID: String
    public var fileName: String
    public var line: Int
    public var page: Int
    public var rawText: String
    public var fields: [ReviewDraft.Field]
    public var reason: String
    public var state: State
    public var caseReference: String?
    public var resolvedBy: String?
    public var resolvedAt: String?
    public var resolution: String?
    public var createdAt: String
}

/// An action on a review item that cannot be done: the item is not open, or its fields do not
/// make a valid assignment.
public struct ReviewError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension CaseStore {
    /// Puts a row in the review queue, inside the file's transaction.
    func holdForReview(_ draft: ReviewDraft, fileID: Int64) throws {
        try db.run(
            """
            INSERT INTO review_items (file_id, line, page, raw_text, reason, amount_cents, state, created_at)
            VALUES (?, ?, ?, ?, ?, ?, 'open', ?)
            """,
            [
                .integer(fileID), .integer(Int64(draft.line)), .integer(Int64(draft.page)),
                .text(draft.rawText),
                .text(draft.reasons.joined(separator: "; ")), SQLiteValue(draft.amount),
                .text(Timestamp.now()),
            ])
        let itemID = db.lastInsertRowID
        for field in draft.fields {
            try db.run(
                "INSERT INTO review_fields (item_id, field, as_read, proposed) VALUES (?, ?, ?, ?)",
                [
                    .integer(itemID), .text(field.field.rawValue), .text(field.asRead),
                    .text(field.proposed),
                ])
        }
        try recordReviewAction(
            itemID: itemID, by: "relais", action: "held",
            detail: draft.reasons.joined(separator: "; "))
    }

    func recordReviewAction(itemID: Int64, by person: String, action: String, detail: String?)
        throws
    {
        try db.run(
            "INSERT INTO review_actions (item_id, at, by, action, detail) VALUES (?, ?, ?, ?, ?)",
            [
                .integer(itemID), .text(Timestamp.now()), .text(person), .text(action),
                SQLiteValue(detail),
            ])
    }

    /// How many items of a file, or of the message it came in, are still open.
    public func openReviewCount(fileID: Int64) throws -> Int {
        Int(
            try db.scalar(
                """
                SELECT COUNT(*) FROM review_items WHERE state = 'open' AND file_id IN
                    (SELECT id FROM files WHERE id = ?1 OR source = 'message ' || ?2)
                """, [.integer(fileID), .text(Intake.fileNumber(fileID))])?.int ?? 0)
    }

    static let reviewColumns = """
        r.id, r.file_id, f.client_id, f.name, r.line, r.page, r.raw_text, r.reason, r.state, c.our_ref,
        r.resolved_by, r.resolved_at, r.resolution, r.created_at
        """

    /// Review items, oldest first: the open ones, or every one.
    public func reviewItems(openOnly: Bool = true, clientID: String? = nil) throws -> [ReviewItem] {
        var sql = """
            SELECT \(Self.reviewColumns) FROM review_items r JOIN files f ON f.id = r.file_id
            LEFT JOIN cases c ON c.id = r.case_id WHERE 1 = 1
            """
        var values: [SQLiteValue] = []
        if openOnly { sql += " AND r.state = 'open'" }
        if let clientID {
            sql += " AND f.client_id = ?"
            values.append(.text(clientID))
        }
        sql += " ORDER BY r.id"
        return try db.rows(sql, values).map(reviewItem)
    }

    public func reviewItem(id: Int64) throws -> ReviewItem? {
        try db.rows(
            """
            SELECT \(Self.reviewColumns) FROM review_items r JOIN files f ON f.id = r.file_id
            LEFT JOIN cases c ON c.id = r.case_id WHERE r.id = ?
            """, [.integer(id)]
        ).first.map(reviewItem)
    }

    private func reviewItem(_ row: [SQLiteValue]) throws -> ReviewItem {
        let id = row[0].int ?? 0
        let fields = try db.rows(
            "SELECT field, as_read, proposed FROM review_fields WHERE item_id = ? ORDER BY id",
            [.integer(id)]
        ).compactMap { f -> ReviewDraft.Field? in
            guard let field = AssignmentField(rawValue: f[0].text ?? "") else { return nil }
            return ReviewDraft.Field(
                field: field, asRead: f[1].text ?? "", proposed: f[2].text ?? "")
        }
        return ReviewItem(
            id: id, fileID: row[1].int ?? 0, clientID: row[2].text ?? "",
            fileName: row[3].text ?? "",
            line: Int(row[4].int ?? 0), page: Int(row[5].int ?? 1), rawText: row[6].text ?? "",
            fields: fields,
            reason: row[7].text ?? "",
            state: ReviewItem.State(rawValue: row[8].text ?? "") ?? .open,
            caseReference: row[9].text, resolvedBy: row[10].text, resolvedAt: row[11].text,
            resolution: row[12].text,
            createdAt: row[13].text ?? "")
    }

    /// Every action on an item, oldest first: when, who, what, and the detail.
    public func reviewActions(itemID: Int64) throws -> [(
        at: String, by: String, action: String, detail: String?
    )] {
        try db.rows(
            "SELECT at, by, action, detail FROM review_actions WHERE item_id = ? ORDER BY id",
            [.integer(itemID)]
        ).map { ($0[0].text ?? "", $0[1].text ?? "", $0[2].text ?? "", $0[3].text) }
    }

    /// Opens the item's case through the normal store path, from its fields with `corrections`
    /// applied, and closes the item: one transaction. Returns our reference for the case, and
    /// whether the file (or its message) has nothing left in review.
    public func resolveReview(
        id: Int64, corrections: [AssignmentField: String], builder: AssignmentBuilder,
        by person: String, openedOn: CalendarDate
    ) throws -> (ourReference: String, fileComplete: Bool) {
        try transaction {
            let item = try openItem(id)
            var values: [AssignmentField: String] = [:]
            for field in item.fields { values[field.field] = field.proposed }
            for (field, value) in corrections { values[field] = value.trimmedField }
            let assignment: Assignment
            switch builder.build(values) {
            case .success(let built): assignment = built
            case .failure(let problem):
                throw ReviewError(
                    "review item \(id): \(problem.field.map { "field \"\($0)\": " } ?? "")\(problem.reason); "
                        + "correct it with relais review correct \(id) FIELD=VALUE")
            }
            let recorder = try CaseRecorder(
                db: db, fileID: item.fileID, clientID: item.clientID, openedOn: openedOn,
                at: Timestamp.now(), source: "review \(id) by \(person)",
                reading: FileReading(format: "review"))
            let ourReference: String
            switch try recorder.record(assignment, line: item.line) {
            case .created(let reference):
                ourReference = reference
                try recorder.recordOpening(ourReference: reference)
            case .duplicate(let existing):
                throw ReviewError(
                    "review item \(id): the client reference \(assignment.clientReference.quotedForReason) "
                        + "is already our open case \(existing); discard the item with "
                        + "relais review discard \(id) --reason TEXT"
                )
            }
            let state: ReviewItem.State = corrections.isEmpty ? .accepted : .corrected
            let changed = corrections.keys.map(\.rawValue).sorted().joined(separator: ", ")
            let detail =
                corrections.isEmpty
                ? "opened \(ourReference) as read"
                : "opened \(ourReference) with \(changed) corrected"
            try db.run(
                """
                UPDATE review_items SET state = ?, case_id = CAST(substr(?, 3) AS INTEGER),
                    resolved_by = ?,
                    resolved_at = ?, resolution = ? WHERE id = ?
                """,
                [
                    .text(state.rawValue), .text(ourReference), .text(person),
                    .text(Timestamp.now()), .text(detail),
                    .integer(id),
                ])
            try recordReviewAction(itemID: id, by: person, action: state.rawValue, detail: detail)
            let fileNumber = Intake.fileNumber(item.fileID)
            let note =
                "Opened from \(fileNumber) (\(item.fileName)), row \(item.line), after review item \(id) "
                + (corrections.isEmpty ? "was accepted as read" : "was corrected (\(changed))")
                + " by \(person)."
            try db.run(
                """
                INSERT INTO notes (case_id, at, author, text) SELECT id, ?, ?, ? FROM cases WHERE
                    id = CAST(substr(?, 3) AS INTEGER)
                """, [.text(Timestamp.now()), .text(person), .text(note), .text(ourReference)])
            try db.run(
                "UPDATE files SET accepted = accepted + 1 WHERE id = ?", [.integer(item.fileID)])
            return (ourReference, try finishIfComplete(item))
        }
    }

    /// Closes the item without a case, with the reason.
    public func discardReview(id: Int64, reason: String, by person: String) throws -> Bool {
        try transaction {
            let item = try openItem(id)
            try db.run(
                """
                UPDATE review_items SET state = 'discarded', resolved_by = ?, resolved_at = ?, resolution = ?
                WHERE id = ?
                """, [.text(person), .text(Timestamp.now()), .text(reason), .integer(id)])
            try recordReviewAction(itemID: id, by: person, action: "discarded", detail: reason)
            return try finishIfComplete(item)
        }
    }

    private func openItem(_ id: Int64) throws -> ReviewItem {
        guard let item = try reviewItem(id: id) else { throw ReviewError("no review item \(id)") }
        guard item.state == .open else {
            throw ReviewError(
                "review item \(id) is already \(item.state.rawValue) (by \(item.resolvedBy ?? "?") "
                    + "at \(item.resolvedAt ?? "?"))")
        }
        return item
    }

    /// When nothing of the file (or of its message) is left in review, marks the file whose
    /// acknowledgement was held as owing its documents again, in the same transaction: a
    /// crash before they are written leaves it for `Intake.reconcile()`.
    private func finishIfComplete(_ item: ReviewItem) throws -> Bool {
        guard let entry = try ledgerEntry(id: item.fileID) else { return false }
        let target = try acknowledgedFile(of: entry)
        guard try openReviewCount(fileID: target) == 0 else { return false }
        try db.run("UPDATE files SET documents_done = 0 WHERE id = ?", [.integer(target)])
        return true
    }

    /// The file whose acknowledgement covers this one: its message, for an email attachment.
    func acknowledgedFile(of entry: LedgerEntry) throws -> Int64 {
        guard entry.source.hasPrefix("message F"),
            let number = Int64(entry.source.dropFirst("message F".count))
        else {
            return entry.id
        }
        return number
    }

    /// Whether a document of that kind was already written for the file.
    func hasDocument(fileID: Int64, kind: String) throws -> Bool {
        (try db.scalar(
            "SELECT COUNT(*) FROM documents WHERE file_id = ? AND kind = ?",
            [.integer(fileID), .text(kind)])?.int ?? 0) > 0
    }
}

extension CaseRecorder {
    /// Holds a row for review, inside the file's transaction; its amount, when readable, counts
    /// toward the file's computed total as a rejected row's does.
    func hold(_ draft: ReviewDraft, in store: CaseStore) throws {
        reading.records += 1
        if let amount = draft.amount { reading.computedTotal += amount }
        try store.holdForReview(draft, fileID: fileID)
    }
}

extension CaseStore {
    /// How many rows of the file went to review, whatever became of them since.
    public func reviewCount(fileID: Int64) throws -> Int {
        Int(
            try db.scalar(
                "SELECT COUNT(*) FROM review_items WHERE file_id = ?", [.integer(fileID)])?.int ?? 0
        )
    }

    /// The cases an acknowledgement of this file covers: its own, and for a message those of
    /// its attachments.
    func casesCovered(by entry: LedgerEntry) throws -> [CaseSummary] {
        var result = try cases(fileID: entry.id)
        let parts = try db.rows(
            "SELECT id FROM files WHERE source = ? ORDER BY id",
            [.text("message " + Intake.fileNumber(entry.id))])
        for part in parts { result += try cases(fileID: part[0].int ?? 0) }
        return result
    }

    /// An acknowledgement is owed now: the file is not an attachment (its message is
    /// acknowledged), nothing of it is left in review, and none was written yet.
    func acknowledgementDue(_ entry: LedgerEntry) throws -> Bool {
        guard try acknowledgedFile(of: entry) == entry.id else { return false }
        guard try openReviewCount(fileID: entry.id) == 0 else { return false }
        return try !hasDocument(fileID: entry.id, kind: "acknowledgement")
    }
}
