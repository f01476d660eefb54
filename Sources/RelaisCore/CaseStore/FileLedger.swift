/// One received file, as the ledger records it.
public struct LedgerEntry: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        case ingested
        case duplicateFile = "duplicate-file"
        case refused
    }

    public var id: Int64
    public var clientID: String
    public var source: String
    public var channel: Channel
    public var name: String
    public var size: Int64
    public var sha256: String
    public var receivedAt: String
    public var outcome: Outcome
    public var reason: String?
    public var originalPath: String
    public var disposedTo: String?
    public var documentsDone: Bool
    public var duplicateOf: Int64?
    public var accepted: Int
    public var duplicates: Int
    public var rejected: Int
}

/// What the ledger needs to know of a file before anything is read from it.
public struct ReceivedFile: Sendable {
    public var clientID: String
    public var channel: Channel
    /// Where it came from: `inbox`, `command line`, `sftp:host`.
    public var source: String
    public var name: String
    public var path: String
    public var survey: FileSurvey

    public init(
        clientID: String, channel: Channel, source: String, name: String, path: String, survey: FileSurvey
    ) {
        self.clientID = clientID
        self.channel = channel
        self.source = source
        self.name = name
        self.path = path
        self.survey = survey
    }
}

/// How a file's reading went, for the ledger row.
public struct FileReading: Sendable {
    public var format: String
    public var encoding: String?
    public var delimiter: String?
    public var records = 0
    public var accepted = 0
    /// Client updates applied to cases already assigned.
    public var updates = 0
    /// The file's own name for each field it has (its column headings), so that rows the store
    /// refuses (duplicates, updates of closed cases) name the field as the client wrote it.
    public var headings: [AssignmentField: String] = [:]
    /// Columns the file has that no field reads.
    public var unusedColumns: [String] = []

    /// The file's name for a field, else the agency's.
    func heading(_ field: AssignmentField) -> String { headings[field] ?? field.label }
    public var duplicates = 0
    public var rejected = 0
    public var printedTotal: Money?
    public var computedTotal = Money.zero

    public init(format: String, encoding: String? = nil, delimiter: String? = nil) {
        self.format = format
        self.encoding = encoding
        self.delimiter = delimiter
    }
}

extension CaseStore {
    static let ledgerColumns = """
        id, client_id, source, channel, name, size, sha256, received_at, outcome, reason, original_path,
        disposed_to, documents_done, duplicate_of, accepted, duplicates, rejected
        """

    private func entry(_ s: SQLiteStatement) -> LedgerEntry {
        LedgerEntry(
            id: s.int(0), clientID: s.text(1) ?? "", source: s.text(2) ?? "",
            channel: Channel(rawValue: s.text(3) ?? "") ?? .drop, name: s.text(4) ?? "", size: s.int(5),
            sha256: s.text(6) ?? "", receivedAt: s.text(7) ?? "",
            outcome: LedgerEntry.Outcome(rawValue: s.text(8) ?? "") ?? .refused, reason: s.text(9),
            originalPath: s.text(10) ?? "", disposedTo: s.text(11), documentsDone: s.int(12) != 0,
            duplicateOf: s.optionalInt(13), accepted: Int(s.int(14)), duplicates: Int(s.int(15)),
            rejected: Int(s.int(16)))
    }

    /// The ledger row of a file already ingested for this client with the same content.
    public func ingestedFile(clientID: String, sha256: String) throws -> LedgerEntry? {
        let s = try db.prepare(
            """
            SELECT \(Self.ledgerColumns) FROM files
            WHERE client_id = ? AND sha256 = ? AND outcome = 'ingested' ORDER BY id LIMIT 1
            """)
        try s.bind([.text(clientID), .text(sha256)])
        return try s.step() ? entry(s) : nil
    }

    public func ledgerEntry(id: Int64) throws -> LedgerEntry? {
        let s = try db.prepare("SELECT \(Self.ledgerColumns) FROM files WHERE id = ?")
        try s.bind([.integer(id)])
        return try s.step() ? entry(s) : nil
    }

    /// Files recorded whose original has not yet been moved out, or whose documents are not
    /// yet written: what startup reconciles after a crash.
    public func pendingFiles() throws -> [LedgerEntry] {
        let s = try db.prepare(
            "SELECT \(Self.ledgerColumns) FROM files WHERE disposed_at IS NULL OR "
                + "documents_done = 0 ORDER BY id"
        )
        var result: [LedgerEntry] = []
        while try s.step() { result.append(entry(s)) }
        return result
    }

    /// Records a file that is not read: refused whole, or the same content as an earlier one.
    public func recordUnread(
        _ file: ReceivedFile, outcome: LedgerEntry.Outcome, reason: String?, duplicateOf: Int64?
    ) throws -> Int64 {
        try transaction {
            try insertLedgerRow(
                file, outcome: outcome, reason: reason, reading: nil, duplicateOf: duplicateOf)
        }
    }

    func insertLedgerRow(
        _ file: ReceivedFile, outcome: LedgerEntry.Outcome, reason: String?, reading: FileReading?,
        duplicateOf: Int64?
    ) throws -> Int64 {
        try db.run(
            """
            INSERT INTO files (client_id, source, channel, name, size, sha256, received_at, outcome, reason,
                format, encoding, delimiter, duplicate_of, original_path, unused_columns)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(file.clientID), .text(file.source), .text(file.channel.rawValue), .text(file.name),
                .integer(file.survey.size), .text(file.survey.sha256), .text(Timestamp.now()),
                .text(outcome.rawValue),
                SQLiteValue(reason), SQLiteValue(reading?.format), SQLiteValue(reading?.encoding),
                SQLiteValue(reading?.delimiter), SQLiteValue(duplicateOf), .text(file.path),
                SQLiteValue(
                    reading.flatMap {
                        $0.unusedColumns.isEmpty ? nil : $0.unusedColumns.joined(separator: "|")
                    }),
            ])
        return db.lastInsertRowID
    }

    /// Notes where the original was put after the commit.
    public func markDisposed(fileID: Int64, to destination: String) throws {
        try db.run(
            "UPDATE files SET disposed_to = ?, disposed_at = ? WHERE id = ?",
            [.text(destination), .text(Timestamp.now()), .integer(fileID)])
    }

    /// Notes that the file's documents (acknowledgement, reject report) are written.
    public func markDocumentsDone(fileID: Int64) throws {
        try db.run("UPDATE files SET documents_done = 1 WHERE id = ?", [.integer(fileID)])
    }

    /// Records a document sent to a client.
    public func recordDocument(clientID: String, kind: String, path: String, fileID: Int64?) throws {
        try db.run(
            "INSERT INTO documents (client_id, kind, path, file_id, created_at) VALUES (?, ?, ?, ?, ?)",
            [.text(clientID), .text(kind), .text(path), SQLiteValue(fileID), .text(Timestamp.now())])
    }

    /// Each row of a file that was refused or found to be a duplicate, in line order, one at a
    /// time.
    public func forEachReject(fileID: Int64, _ body: (RejectReport.Row) throws -> Void) throws {
        let s = try db.prepare("SELECT line, field, reason FROM rejects WHERE file_id = ? ORDER BY line, id")
        try s.bind([.integer(fileID)])
        while try s.step() {
            try body(RejectReport.Row(line: Int(s.int(0)), field: s.text(1), reason: s.text(2) ?? ""))
        }
    }

    /// The rows of a file that were refused or found to be duplicates, in line order.
    public func rejects(fileID: Int64, limit: Int = Int.max) throws -> [(
        line: Int, field: String?, reason: String, clientRef: String?, duplicateOf: String?
    )] {
        let s = try db.prepare(
            """
            SELECT r.line, r.field, r.reason, r.client_ref, c.our_ref FROM rejects r
            LEFT JOIN cases c ON c.id = r.duplicate_of WHERE r.file_id = ? ORDER BY r.line, r.id LIMIT ?
            """)
        try s.bind([.integer(fileID), .integer(Int64(min(limit, Int(Int32.max))))])
        var result: [(Int, String?, String, String?, String?)] = []
        while try s.step() {
            result.append((Int(s.int(0)), s.text(1), s.text(2) ?? "", s.text(3), s.text(4)))
        }
        return result
    }
}
