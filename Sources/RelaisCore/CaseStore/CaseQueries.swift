/// A case as the inventory and the acknowledgement show it.
public struct CaseSummary: Sendable, Equatable {
    public var ourReference: String
    public var clientReference: String
    public var debtor: String
    public var openedOn: String
    public var assigned: Money
    public var recovered: Money
    /// What is left to collect: the amount assigned, less what was recovered, with the client's
    /// adjustments.
    public var balance: Money = .zero
    public var status: String
    public var subStatus: String
    public var kind: CaseKind

    public init(ourReference: String, clientReference: String, debtor: String, openedOn: String, assigned: Money,
        recovered: Money, status: String, subStatus: String, kind: CaseKind, balance: Money = .zero)
    {
        self.ourReference = ourReference
        self.clientReference = clientReference
        self.debtor = debtor
        self.openedOn = openedOn
        self.assigned = assigned
        self.recovered = recovered
        self.status = status
        self.subStatus = subStatus
        self.kind = kind
        self.balance = balance
    }
}

/// The agency's performance for a client: what it was given and what it recovered.
public struct Performance: Sendable, Equatable {
    public var cases: Int
    public var assigned: Money
    public var recovered: Money

    /// Recovered over assigned, 0 when nothing is assigned.
    public var ratio: Double { assigned.cents == 0 ? 0 : Double(recovered.cents) / Double(assigned.cents) }
}

extension CaseStore {
    private static let summaryColumns = """
        c.our_ref, c.client_ref, d.name_as_given, c.opened_on, c.assigned_cents, c.recovered_cents,
        c.status, c.sub_status, c.kind, c.balance_cents
        FROM cases c JOIN debtors d ON d.case_id = c.id AND d.role = 'debtor'
        """

    private func summary(_ s: SQLiteStatement) -> CaseSummary {
        CaseSummary(
            ourReference: s.text(0) ?? "", clientReference: s.text(1) ?? "", debtor: s.text(2) ?? "",
            openedOn: s.text(3) ?? "", assigned: Money(cents: s.int(4)), recovered: Money(cents: s.int(5)),
            status: s.text(6) ?? "", subStatus: s.text(7) ?? "",
            kind: CaseKind(rawValue: s.text(8) ?? "") ?? .consumer, balance: Money(cents: s.int(9)))
    }

    /// Every case of a client, oldest first, one at a time so that a large portfolio never sits
    /// in memory.
    public func forEachCase(clientID: String, _ body: (CaseSummary) throws -> Void) throws {
        let s = try db.prepare("SELECT \(Self.summaryColumns) WHERE c.client_id = ? ORDER BY c.id")
        try s.bind([.text(clientID)])
        while try s.step() { try body(summary(s)) }
    }

    /// The cases a file created, in the order of its lines.
    public func cases(fileID: Int64) throws -> [CaseSummary] {
        let s = try db.prepare("SELECT \(Self.summaryColumns) WHERE c.file_id = ? ORDER BY c.file_line, c.id")
        try s.bind([.integer(fileID)])
        var result: [CaseSummary] = []
        while try s.step() { result.append(summary(s)) }
        return result
    }

    public func performance(clientID: String) throws -> Performance {
        let row = try db.rows(
            "SELECT COUNT(*), COALESCE(SUM(assigned_cents), 0), COALESCE(SUM(recovered_cents), "
                + "0) FROM cases WHERE client_id = ?",
            [.text(clientID)])[0]
        return Performance(
            cases: Int(row[0].int ?? 0), assigned: Money(cents: row[1].int ?? 0),
            recovered: Money(cents: row[2].int ?? 0))
    }

    /// How many cases the store holds for a client.
    public func caseCount(clientID: String) throws -> Int {
        Int(try db.scalar("SELECT COUNT(*) FROM cases WHERE client_id = ?", [.text(clientID)])?.int ?? 0)
    }

    /// The store's own connection, for queries the command line and tests make.
    public var connection: SQLiteConnection { db }
}
