/// Client updates applied inside the file's transaction: each changes exactly the case it
/// names, through the case events, so that every change is in the case's history (status
/// history, transactions or the notes log). An update for a case that is unknown, another
/// client's, or closed is a rejected row with the reason.
extension CaseRecorder {
    /// Applies one update, or records its row as rejected.
    public func apply(_ update: ClientUpdate, line: Int) throws {
        reading.records += 1
        let field = fieldName(of: update.reference)
        guard let store else { preconditionFailure("a CaseRecorder applies updates only inside recordFile") }
        if readingAgain != nil {
            return try rejectUpdate(line: line, field: field,
                reason: "this update was applied when the file was first read; it is never applied twice")
        }
        let found: (id: Int64, balance: Money)
        switch try locate(update.reference) {
        case .failure(let problem):
            return try rejectUpdate(line: line, field: field, reason: problem.reason)
        case .success(let located):
            found = located
        }
        let source = "\(self.source) line \(line)"

        do {
            switch update.change {
            case .directPayment(let amount, let date):
                guard amount <= found.balance else {
                    return try rejectUpdate(
                        line: line, field: reading.heading(.amount),
                        reason:
                            "the payment of \(amount.plain) is more than the balance of "
                                + "\(found.balance.plain)"
                    )
                }
                try store.recordPayment(
                    caseID: found.id, amount: amount, on: date, to: .creditor, source: source)
                if amount == found.balance {
                    try store.closeCase(
                        caseID: found.id, on: date, subStatus: "paid-in-full",
                        reason: "paid in full directly to the client", source: source)
                } else {
                    try store.changeStatus(
                        caseID: found.id, to: CaseStatus(status: "active", subStatus: "direct-payment"),
                        reason: "payment of \(amount.plain) made directly to the client on \(date.iso)",
                        source: source)
                }
            case .adjustment(let amount, let date, let reason):
                guard (found.balance + amount).cents >= 0 else {
                    return try rejectUpdate(
                        line: line, field: reading.heading(.amount),
                        reason:
                            "an adjustment of \(amount.plain) would take the balance of "
                                + "\(found.balance.plain) below zero"
                    )
                }
                try store.recordAdjustment(
                    caseID: found.id, amount: amount, on: date, reason: reason, source: source)
            case .recall(let date, let reason):
                try store.closeCase(
                    caseID: found.id, on: date, subStatus: "recalled", reason: reason, source: source)
            case .contact(let address, let phones, let email):
                try changeContact(
                    caseID: found.id, address: address, phones: phones, email: email, source: source)
            }
        } catch let error as CaseEventError {
            return try rejectUpdate(line: line, field: field, reason: error.message)
        }
        reading.updates += 1
    }

    private func fieldName(of reference: ClientUpdate.CaseReference) -> String {
        switch reference {
        case .client: return reading.heading(.clientReference)
        case .ours: return reading.heading(.ourReference)
        }
    }

    private func rejectUpdate(line: Int, field: String, reason: String) throws {
        reading.records -= 1
        try reject(line: line, field: field, reason: reason)
    }

    /// The open case of this client the reference names, with its balance; or why there is none.
    private func locate(_ reference: ClientUpdate.CaseReference) throws -> Result<
        (id: Int64, balance: Money), FieldProblem
    > {
        let rows: [[SQLiteValue]]
        switch reference {
        case .ours(let ours):
            guard let id = Int64(ours.dropFirst(2)) else {
                return .failure(FieldProblem("\(ours) is not one of our references"))
            }
            rows = try db.rows(
                "SELECT id, balance_cents, status, client_id FROM cases WHERE id = ?", [.integer(id)])
            guard let row = rows.first, row[3].text == clientID else {
                return .failure(FieldProblem("\(ours) is not a case of this client"))
            }
        case .client(let theirs):
            // The open case first, through the index of open cases; a closed one only when there
            // is none, to say so.
            var found = try db.rows(
                """
                SELECT id, balance_cents, status, client_id FROM cases
                WHERE client_id = ? AND client_ref = ? AND status <> 'closed'
                """, [.text(clientID), .text(theirs)])
            if found.isEmpty {
                found = try db.rows(
                    """
                    SELECT id, balance_cents, status, client_id FROM cases
                    WHERE client_id = ? AND client_ref = ? AND status = 'closed' ORDER BY id DESC LIMIT 1
                    """, [.text(clientID), .text(theirs)])
            }
            rows = found
            guard !rows.isEmpty else {
                return .failure(FieldProblem("no case has the client reference \(theirs.quotedForReason)"))
            }
        }
        let row = rows[0]
        guard row[2].text != StatusCatalog.closed else {
            return .failure(
                FieldProblem(
                    "the case \(CaseRecorder.ourReference(caseID: row[0].int ?? 0)) is closed; an update "
                        + "cannot change it"))
        }
        return .success((row[0].int ?? 0, Money(cents: row[1].int ?? 0)))
    }

    /// New contact details for the debtor, and a note in the notes log saying what they were.
    private func changeContact(
        caseID: Int64, address: PostalAddress?, phones: [Phone], email: String?,
        source: String
    ) throws {
        let debtor = try db.rows(
            """
            SELECT id, address_line1, city, province, postal_code, phone_home, phone_work, phone_mobile, email
            FROM debtors WHERE case_id = ? AND role = 'debtor'
            """, [.integer(caseID)])
        guard let row = debtor.first, let debtorID = row[0].int else {
            throw CaseEventError(caseID: caseID, message: "the case has no debtor to update")
        }
        var changes: [String] = []
        var assignments: [String] = []
        var values: [SQLiteValue] = []
        func set(_ column: String, _ value: String?, old: SQLiteValue, label: String) {
            guard let value, value != old.text else { return }
            assignments.append("\(column) = ?")
            values.append(.text(value))
            changes.append("\(label): \(old.text ?? "—") → \(value)")
        }
        if let address {
            set("address_line1", address.line1, old: row[1], label: "address")
            set("city", address.city, old: row[2], label: "city")
            set("province", address.province, old: row[3], label: "province")
            set("postal_code", address.postalCode, old: row[4], label: "postal code")
            if address.line2 != nil || address.line1 != nil {
                assignments.append("address_line2 = ?")
                values.append(SQLiteValue(address.line2))
            }
        }
        for phone in phones {
            let text = phone.number + (phone.extensionNumber.map { " x" + $0 } ?? "")
            switch phone.kind {
            case .home: set("phone_home", text, old: row[5], label: "home phone")
            case .work: set("phone_work", text, old: row[6], label: "work phone")
            case .mobile: set("phone_mobile", text, old: row[7], label: "mobile phone")
            }
        }
        set("email", email, old: row[8], label: "email")
        guard !changes.isEmpty else { return }
        try db.run(
            "UPDATE debtors SET \(assignments.joined(separator: ", ")) WHERE id = ?",
            values + [.integer(debtorID)])
        try db.run(
            "INSERT INTO notes (case_id, at, author, text) VALUES (?, ?, ?, ?)",
            [
                .integer(caseID), .text(Timestamp.now()), .text(source),
                .text("contact details changed by the client: " + changes.joined(separator: "; ")),
            ])
    }
}
