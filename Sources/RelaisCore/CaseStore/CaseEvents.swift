/// A case event that cannot be applied: which case, and why.
public struct CaseEventError: Error, CustomStringConvertible {
    public let caseID: Int64
    public let message: String
    public var description: String { "case \(caseID): \(message)" }
}

/// Who received a payment: the agency (into the trust account), or the creditor directly.
/// Both lower the balance and count as recovered; commission is owed on both.
public enum PaymentRecipient: String, Sendable {
    case agency = "payment"
    case creditor = "direct-payment"
}

/// The primitive events of a case after it was opened: payments, adjustments, status changes,
/// disputes and closure. Each runs in its own transaction, updates the case and writes its
/// history row (status_history for status changes, transactions for money), so that later
/// client updates and the bureau feed read the same facts.
///
/// Commission and taxes are left at zero on the transaction rows: they depend on the client's
/// rates, which the remittance computes; these events only record what happened.
extension CaseStore {
    /// Records a payment of `amount` (> 0) on `date`, lowering the balance.
    public func recordPayment(
        caseID: Int64, amount: Money, on date: CalendarDate,
        to recipient: PaymentRecipient = .agency, source: String
    ) throws {
        guard amount.cents > 0 else {
            throw CaseEventError(caseID: caseID, message: "a payment must be more than zero, not \(amount)")
        }
        try transaction {
            try requireCase(caseID)
            try insertTransaction(
                caseID: caseID, kind: recipient.rawValue, amount: amount, on: date, source: source)
            try db.run(
                """
                UPDATE cases SET balance_cents = balance_cents - ?, recovered_cents = recovered_cents + ?
                WHERE id = ?
                """, [.integer(amount.cents), .integer(amount.cents), .integer(caseID)])
        }
    }

    /// Records an adjustment: `amount` is added to the balance (negative to lower it), for
    /// interest, fees or a correction the client sent. Nothing is counted as recovered.
    public func recordAdjustment(
        caseID: Int64, amount: Money, on date: CalendarDate, reason: String,
        source: String
    ) throws {
        guard amount.cents != 0 else {
            throw CaseEventError(caseID: caseID, message: "an adjustment of zero changes nothing")
        }
        try transaction {
            try requireCase(caseID)
            try insertTransaction(
                caseID: caseID, kind: "adjustment", amount: amount, on: date,
                source: "\(source): \(reason)")
            try db.run(
                "UPDATE cases SET balance_cents = balance_cents + ? WHERE id = ?",
                [.integer(amount.cents), .integer(caseID)])
        }
    }

    /// Moves an open case to another status and sub-status, with a history row. Closing goes
    /// through `closeCase`, which records the reason and the balance at closure.
    public func changeStatus(caseID: Int64, to status: CaseStatus, reason: String, source: String) throws {
        guard !status.isClosed else {
            throw CaseEventError(caseID: caseID, message: "a case is closed with closeCase, not changeStatus")
        }
        try transaction {
            try requireOpenCase(caseID)
            try setStatus(caseID: caseID, status, reason: reason, source: source)
        }
    }

    /// Opens a dispute (contestation) on `date` and puts the case on hold / dispute.
    /// Returns the dispute's id.
    @discardableResult
    public func openDispute(caseID: Int64, on date: CalendarDate, reason: String, source: String) throws
        -> Int64
    {
        try transaction {
            try requireOpenCase(caseID)
            if try db.scalar(
                "SELECT id FROM disputes WHERE case_id = ? AND resolved_on IS NULL",
                [.integer(caseID)]) != nil
            {
                throw CaseEventError(caseID: caseID, message: "a dispute is already open")
            }
            try db.run(
                "INSERT INTO disputes (case_id, opened_on, reason) VALUES (?, ?, ?)",
                [.integer(caseID), .text(date.iso), .text(reason)])
            let id = db.lastInsertRowID
            try setStatus(
                caseID: caseID, CaseStatus(status: "on-hold", subStatus: "dispute"),
                reason: "dispute opened \(date.iso): \(reason)", source: source)
            return id
        }
    }

    /// Resolves the case's open dispute on `date` and moves the case to `status`.
    public func resolveDispute(
        caseID: Int64, on date: CalendarDate, outcome: String,
        status: CaseStatus = CaseStatus(status: "active", subStatus: "contact"), source: String
    ) throws {
        try transaction {
            try requireCase(caseID)
            guard
                let open = try db.scalar(
                    "SELECT id FROM disputes WHERE case_id = ? AND resolved_on IS NULL", [.integer(caseID)])?
                    .int
            else { throw CaseEventError(caseID: caseID, message: "no dispute is open") }
            try db.run(
                "UPDATE disputes SET resolved_on = ?, outcome = ? WHERE id = ?",
                [.text(date.iso), .text(outcome), .integer(open)])
            if !status.isClosed, try isOpen(caseID) {
                try setStatus(
                    caseID: caseID, status, reason: "dispute resolved \(date.iso): \(outcome)",
                    source: source)
            }
        }
    }

    /// Closes a case on `date` with a closed sub-status (paid-in-full, settled, recalled…) and
    /// its reason; the balance at closure is the balance as it stands.
    public func closeCase(
        caseID: Int64, on date: CalendarDate, subStatus: String, reason: String,
        source: String
    ) throws {
        let status = CaseStatus(status: StatusCatalog.closed, subStatus: subStatus)
        try transaction {
            try requireOpenCase(caseID)
            try db.run(
                """
                UPDATE cases SET closed_on = ?, closure_reason = ?, balance_at_closure_cents = balance_cents
                WHERE id = ?
                """, [.text(date.iso), .text(reason), .integer(caseID)])
            try setStatus(caseID: caseID, status, reason: reason, source: source)
        }
    }

    private func requireCase(_ caseID: Int64) throws {
        guard try db.scalar("SELECT 1 FROM cases WHERE id = ?", [.integer(caseID)]) != nil else {
            throw CaseEventError(caseID: caseID, message: "no such case")
        }
    }

    private func isOpen(_ caseID: Int64) throws -> Bool {
        try db.scalar("SELECT status FROM cases WHERE id = ?", [.integer(caseID)])?.text
            != StatusCatalog.closed
    }

    private func requireOpenCase(_ caseID: Int64) throws {
        try requireCase(caseID)
        guard try isOpen(caseID) else { throw CaseEventError(caseID: caseID, message: "the case is closed") }
    }

    private func setStatus(caseID: Int64, _ status: CaseStatus, reason: String, source: String) throws {
        try db.run(
            "UPDATE cases SET status = ?, sub_status = ? WHERE id = ?",
            [.text(status.status), .text(status.subStatus), .integer(caseID)])
        try db.run(
            """
            INSERT INTO status_history (case_id, at, status, sub_status, reason, source)
            VALUES (?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(caseID), .text(Timestamp.now()), .text(status.status), .text(status.subStatus),
                .text(reason), .text(source),
            ])
    }

    private func insertTransaction(
        caseID: Int64, kind: String, amount: Money, on date: CalendarDate,
        source: String
    ) throws {
        try db.run(
            """
            INSERT INTO transactions (case_id, on_date, kind, amount_cents, source, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(caseID), .text(date.iso), .text(kind), .integer(amount.cents), .text(source),
                .text(Timestamp.now()),
            ])
    }
}
