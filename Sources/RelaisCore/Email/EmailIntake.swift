/// How an emailed message is taken in the `email` channel: the message is a file of the ledger
/// (with its sender, subject and date), and each attachment that is a list (CSV, XML, text,
/// an image) is written to a staging folder and taken through `Intake` as a file of its own,
/// whose source names the message (`message F0000042`). One acknowledgement, the message's,
/// covers the cases of all its attachments.
///
/// Crash safety: the message's ledger row is committed first; its attachments are taken in
/// `finish`, which runs again after a restart while the message is still in the inbox, and
/// skips an attachment already in the ledger. A message is moved out only once all are taken.
enum EmailIntake {
    /// Whether the file is a message to open: an `.eml` file in the email channel.
    static func isMessage(name: String, channel: Channel) -> Bool {
        channel == .email && name.lowercased().hasSuffix(".eml")
    }

    /// Why a message offers nothing to read, for its refusal.
    static func refusal(_ message: EmailMessage) -> String {
        if message.attachments.isEmpty {
            return "the message has no attachment; a list pasted in the message's text is not read"
        }
        let shown = message.attachments.map { "\($0.name) (\($0.mimeType))" }.joined(
            separator: ", ")
        return "no attachment is a list Relais reads (CSV, XML, TXT, TSV, TIFF, PNG): \(shown)"
    }
}

extension CaseStore {
    func isMessage(fileID: Int64) throws -> Bool {
        (try db.scalar("SELECT COUNT(*) FROM email_messages WHERE file_id = ?", [.integer(fileID)])?
            .int ?? 0) > 0
    }

    func recordMessage(fileID: Int64, _ message: EmailMessage, attachments: Int, skipped: String?)
        throws
    {
        try db.run(
            """
            INSERT INTO email_messages (file_id, sender, subject, sent_at, message_id, attachments, skipped)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(fileID), SQLiteValue(message.sender), SQLiteValue(message.subject),
                SQLiteValue(message.date),
                SQLiteValue(message.messageID), .integer(Int64(attachments)), SQLiteValue(skipped),
            ])
    }

    /// The files taken from a message, in order.
    public func attachmentFiles(ofMessage fileID: Int64) throws -> [LedgerEntry] {
        try db.rows(
            "SELECT id FROM files WHERE source = ? ORDER BY id",
            [.text("message " + Intake.fileNumber(fileID))]
        )
        .compactMap { try ledgerEntry(id: $0[0].int ?? 0) }
    }

    /// The sender, subject and date recorded with a message.
    public func messageHeaders(fileID: Int64) throws -> (
        sender: String?, subject: String?, date: String?
    )? {
        try db.rows(
            "SELECT sender, subject, sent_at FROM email_messages WHERE file_id = ?",
            [.integer(fileID)]
        )
        .first.map { ($0[0].text, $0[1].text, $0[2].text) }
    }
}

extension Intake {
    /// Where attachments wait between the message and their own intake: beside the store.
    /// Attachments wait in the configured staging folder, beside files picked up by SFTP.
    var stagingFolder: String { configuration.staging + "/messages" }

    func ingestMessage(_ file: ReceivedFile, client: ClientConfiguration, disposal: Disposal) throws
        -> IngestResult
    {
        let message: EmailMessage
        do {
            message = try EmailMessage.open(path: file.path)
        } catch let refusal as FileRefusal {
            return try refuse(file, client: client, reason: refusal.reason, disposal: disposal)
        }
        let lists = message.attachments.filter { $0.listKind != nil }
        guard !lists.isEmpty else {
            return try refuse(
                file, client: client, reason: EmailIntake.refusal(message), disposal: disposal)
        }
        let skipped = message.attachments.filter { $0.listKind == nil }
            .map { "\($0.name) (\($0.mimeType)): not a list Relais reads" }.joined(separator: "; ")
            .nonEmpty
        let (fileID, _) = try store.recordFile(
            file, reading: FileReading(format: "email"), openedOn: today()
        ) {
            recorder in
            try store.recordMessage(
                fileID: recorder.fileID, message, attachments: lists.count, skipped: skipped)
        }
        log.info(
            "message received",
            [
                "client": client.id, "file": file.name, "fileNumber": String(fileID),
                "attachments": String(lists.count),
                "skipped": String(message.attachments.count - lists.count),
            ])
        try finish(try store.ledgerEntry(id: fileID)!, client: client, disposal: disposal)

        // The message's line sums what its attachments gave.
        var result = try result(for: fileID, client: client)
        for part in try store.attachmentFiles(ofMessage: fileID) {
            let partResult = try self.result(for: part.id, client: client)
            result.accepted += partResult.accepted
            result.duplicates += partResult.duplicates
            result.rejected += partResult.rejected
            result.inReview += partResult.inReview
            result.rejects += partResult.rejects.map { row in
                var row = row
                row.reason = "\(part.name): \(row.reason)"
                return row
            }
            if partResult.status != .ingested {
                result.rejects.append(
                    RejectReport.Row(
                        line: 0, field: nil,
                        reason:
                            "\(part.name): \(partResult.status.rawValue): \(partResult.reason ?? "")"
                    ))
            }
        }
        return result
    }

    /// Takes each list attachment of a recorded message not yet in the ledger. Returns the
    /// message's ledger entry as it now is.
    func completeMessage(_ entry: LedgerEntry, client: ClientConfiguration) throws -> LedgerEntry {
        guard entry.disposedTo == nil, !entry.documentsDone else { return entry }
        let message = try EmailMessage.open(path: entry.originalPath)
        let number = Self.fileNumber(entry.id)
        let taken = Set(try store.attachmentFiles(ofMessage: entry.id).map(\.name))
        let folder = "\(stagingFolder)/\(number)"
        for (index, attachment) in message.attachments.enumerated() where attachment.listKind != nil {
            var name = "\(index + 1)-\(EmailMessage.safeName(attachment.name))"
            // A list known only by its type gets the suffix its reader is chosen by.
            if let kind = attachment.listKind, !name.lowercased().hasSuffix("." + kind) {
                name += "." + kind
            }
            if taken.contains(name) { continue }
            try AtomicFile.makeFolder(folder)
            let staged = "\(folder)/\(name)"
            try AtomicFile.write(attachment.bytes, to: staged)
            let result = try ingest(
                path: staged, client: client, channel: .email, source: "message \(number)",
                disposal: .move)
            log.info(
                "attachment taken",
                [
                    "client": client.id, "message": number, "file": name,
                    "fileNumber": result.fileID.map(String.init) ?? "",
                    "status": result.status.rawValue,
                ])
        }
        return try store.ledgerEntry(id: entry.id) ?? entry
    }
}
