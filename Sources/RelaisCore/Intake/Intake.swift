import Glibc

/// Hands a reader to the pipeline's reading thread.
///
/// `@unchecked Sendable`: once handed over, the reader is used by that thread alone until the
/// pipeline has finished; the intake touches it again only afterwards, for its notes.
private final class ReaderHandOff: @unchecked Sendable {
    let reader: AssignmentFileReader
    init(_ reader: AssignmentFileReader) { self.reader = reader }
}

/// What became of one file: the line `relais ingest` prints, and what the daemon logs.
public struct IngestResult: Sendable {
    public enum Status: String, Sendable {
        case ingested
        case duplicateFile = "duplicate-file"
        case refused
    }

    public var file: String
    public var status: Status
    public var fileID: Int64?
    public var accepted = 0
    /// Client updates applied to cases already assigned.
    public var updates = 0
    public var duplicates = 0
    public var rejected = 0
    /// Rows held in the review queue (faxed lists after OCR).
    public var inReview = 0
    public var rejects: [RejectReport.Row] = []
    public var duplicateRows: [(line: Int, clientRef: String, ourRef: String)] = []
    /// Columns of the file that no field reads: worth telling the client.
    public var unusedColumns: [String] = []
    /// More rejected or duplicate rows than `rejects` and `duplicateRows` list.
    public var listsTruncated = false
    public var reason: String?
    public var acknowledgement: String?
    public var rejectReport: String?
    public var printedTotal: Money?
    public var computedTotal: Money?

    /// One line of JSON.
    public var json: String {
        var members: [(String, String)] = [
            ("file", JSONText.string(file)), ("status", JSONText.string(status.rawValue)),
            ("fileNumber", fileID.map(String.init) ?? "null"),
            ("accepted", String(accepted)), ("updates", String(updates)), ("duplicates", String(duplicates)),
            ("rejected", String(rejected)),
            ("inReview", String(inReview)),
            (
                "rejects",
                JSONText.array(
                    rejects.map {
                        JSONText.object([
                            ("line", String($0.line)), ("field", JSONText.optional($0.field)),
                            ("reason", JSONText.string($0.reason)),
                        ])
                    })
            ),
            (
                "duplicateRows",
                JSONText.array(
                    duplicateRows.map {
                        JSONText.object([
                            ("line", String($0.line)), ("clientRef", JSONText.string($0.clientRef)),
                            ("ourRef", JSONText.string($0.ourRef)),
                        ])
                    })
            ),
            ("listsTruncated", listsTruncated ? "true" : "false"),
            ("unusedColumns", JSONText.array(unusedColumns.map(JSONText.string))),
            ("reason", JSONText.optional(reason)),
            ("acknowledgement", JSONText.optional(acknowledgement)),
            ("rejectReport", JSONText.optional(rejectReport)),
        ]
        if let printedTotal {
            members.append(
                (
                    "controlTotal",
                    JSONText.object([
                        ("printedCents", String(printedTotal.cents)),
                        ("computedCents", String(computedTotal?.cents ?? 0)),
                        ("matches", printedTotal == computedTotal ? "true" : "false"),
                    ])
                ))
        }
        return JSONText.object(members)
    }
}

/// The one path every file takes, from the daemon or the command line: survey it, check it
/// was not received before, read it, record it and its cases in one transaction, and only then
/// write the client's documents and move the original out of the inbox.
///
/// A crash at any point loses nothing and duplicates nothing: before the commit the file is
/// still in the inbox and is read again; after it, the ledger row says what is left to do, and
/// `reconcile()` finishes it at startup.
public final class Intake {
    /// What happens to the original once recorded.
    public enum Disposal: Sendable {
        /// The daemon moves the file out of the inbox.
        case move
        /// The command line leaves the user's file where it is and archives a copy.
        case copy
    }

    public let configuration: Configuration
    public let store: CaseStore
    public let log: Log
    /// Called now and then during a long file, so that the daemon can tell systemd it is alive.
    public var progress: () -> Void = {}
    /// The day cases are opened on; the agency's today unless a test says otherwise.
    public var today: () -> CalendarDate = { CalendarDate.today() }

    public init(configuration: Configuration, store: CaseStore, log: Log) {
        self.configuration = configuration
        self.store = store
        self.log = log
    }

    /// Takes one file for a client through a channel.
    ///
    /// With `again`, content already ingested for the client is read once more, as a new file:
    /// for a file whose rows were rejected before the client's profile was corrected. Rows that
    /// became cases the first time are then duplicates, reported as such; nothing is overwritten.
    public func ingest(
        path: String, client: ClientConfiguration, channel: Channel, source: String,
        disposal: Disposal, again readAgain: Bool = false
    ) throws -> IngestResult {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        // A message is never read again: its attachments are files of their own, each of which
        // can be sent again.
        let again = readAgain && !EmailIntake.isMessage(name: name, channel: channel)

        // Only a regular file is read: a link in an inbox could point anywhere.
        var info = stat()
        guard lstat(path, &info) == 0 else { throw FileError(path: path, operation: "stat", errno: errno) }
        let survey: FileSurvey
        if (info.st_mode & S_IFMT) != S_IFREG {
            survey = FileSurvey()
        } else {
            survey = try FileSurvey.of(path: path)
        }
        let received = ReceivedFile(
            clientID: client.id, channel: channel, source: source, name: name, path: path,
            survey: survey)
        if (info.st_mode & S_IFMT) != S_IFREG {
            return try refuse(
                received, client: client, reason: "not a regular file (a link, a folder or a device)",
                disposal: disposal)
        }

        // The same content for the same client: either the crash case (committed, not yet moved)
        // or a delivery made twice.
        if !again, let earlier = try store.ingestedFile(clientID: client.id, sha256: survey.sha256) {
            return try duplicate(of: earlier, received, client: client, disposal: disposal)
        }

        // A message is opened and each of its attachments taken as a file of its own.
        if EmailIntake.isMessage(name: name, channel: channel) {
            return try ingestMessage(received, client: client, disposal: disposal)
        }

        // The whole-file checks, then the rows.
        let reader = AssignmentFormats.reader(
            path: path, survey: survey, client: client, channel: channel,
            today: today())
        let reading: FileReading
        do {
            reading = try reader.prepare()
        } catch let refusal as FileRefusal {
            return try refuse(received, client: client, reason: refusal.reason, disposal: disposal)
        }
        let recorded: (fileID: Int64, reading: FileReading)
        do {
            recorded = try recordRows(received, reading: reading, reader: reader, before: info, again: again)
        } catch let race as AlreadyIngested {
            return try duplicate(of: race.earlier, received, client: client, disposal: disposal)
        }
        let (fileID, totals) = recorded
        log.info(
            "file ingested",
            [
                "client": client.id, "channel": channel.rawValue, "file": name,
                "fileNumber": String(fileID), "format": reading.format, "accepted": String(totals.accepted),
                "updates": String(totals.updates),
                "duplicates": String(totals.duplicates), "rejected": String(totals.rejected),
            ])
        if !reader.notes.isEmpty {
            log.debug("how the file was read", pairs: [("file", name)] + reader.notes)
        }
        if !reading.unusedColumns.isEmpty {
            log.info(
                "columns not used",
                ["client": client.id, "file": name, "columns": reading.unusedColumns.joined(separator: "|")])
        }
        if let printed = totals.printedTotal, printed != totals.computedTotal {
            log.warning(
                "printed total does not match the rows",
                [
                    "client": client.id, "file": name,
                    "printed": printed.plain, "computed": totals.computedTotal.plain,
                ])
        }

        try finish(try store.ledgerEntry(id: fileID)!, client: client, disposal: disposal)
        return try result(for: fileID, client: client)
    }

    /// The rows of a file, recorded with its ledger row in one transaction. The file must not
    /// change while it is read: its size and modification time are compared with what they were
    /// when its hash was taken, and a file that changed is not recorded (the transaction rolls
    /// back, and the daemon takes it again once it holds still).
    private func recordRows(
        _ received: ReceivedFile, reading: FileReading, reader: AssignmentFileReader,
        before: stat, again: Bool
    ) throws -> (fileID: Int64, reading: FileReading) {
        var rowsSeen = 0
        let handOff = ReaderHandOff(reader)
        return try store.recordFile(received, reading: reading, openedOn: today(), again: again) { recorder in
            try RowPipeline.run(read: { emit in try handOff.reader.read(emit) }) { outcome in
                switch outcome {
                case .assignment(let line, let assignment):
                    try recorder.record(assignment, line: line)
                case .rejected(let line, let problem, let amount):
                    try recorder.reject(
                        line: line, field: problem.field, reason: problem.reason, amount: amount)
                case .update(let line, let update):
                    try recorder.apply(update, line: line)
                case .footer(_, let printed):
                    if let printed { recorder.reading.printedTotal = printed }
                case .review(let draft):
                    try recorder.hold(draft, in: store)
                }
                rowsSeen += 1
                if rowsSeen % 50_000 == 0 { progress() }
            }
            var after = stat()
            guard lstat(received.path, &after) == 0, after.st_size == before.st_size,
                after.st_mtim.tv_sec == before.st_mtim.tv_sec,
                after.st_mtim.tv_nsec == before.st_mtim.tv_nsec,
                after.st_ino == before.st_ino
            else {
                throw FileChangedWhileRead(path: received.path)
            }
        }
    }

    /// A file written to, truncated or replaced while it was read: not recorded.
    public struct FileChangedWhileRead: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "\(path) changed while it was read; nothing was recorded" }
    }

    /// A file whose content was ingested before for the client: the crash case (committed, not
    /// yet moved) is finished; anything else is recorded as a duplicate file and creates nothing.
    private func duplicate(
        of earlier: LedgerEntry, _ received: ReceivedFile, client: ClientConfiguration,
        disposal: Disposal
    ) throws -> IngestResult {
        if earlier.disposedTo == nil && earlier.originalPath == received.path {
            log.info(
                "finishing a file recorded before a restart",
                ["client": client.id, "file": received.name, "fileNumber": String(earlier.id)])
            try finish(earlier, client: client, disposal: disposal)
            return try result(for: earlier.id, client: client)
        }
        let reason = "same content as file \(earlier.id) (\(earlier.name)) received \(earlier.receivedAt)"
        let id = try store.recordUnread(
            received, outcome: .duplicateFile, reason: reason, duplicateOf: earlier.id)
        log.info(
            "duplicate file: nothing created",
            [
                "client": client.id, "channel": received.channel.rawValue, "file": received.name,
                "fileNumber": String(id), "duplicateOf": String(earlier.id),
            ])
        try finish(try store.ledgerEntry(id: id)!, client: client, disposal: disposal)
        return try result(for: id, client: client)
    }

    func refuse(_ file: ReceivedFile, client: ClientConfiguration, reason: String, disposal: Disposal) throws
        -> IngestResult
    {
        let id = try store.recordUnread(file, outcome: .refused, reason: reason, duplicateOf: nil)
        log.info(
            "file refused",
            [
                "client": client.id, "channel": file.channel.rawValue, "file": file.name,
                "fileNumber": String(id), "reason": reason,
            ])
        try finish(try store.ledgerEntry(id: id)!, client: client, disposal: disposal)
        return try result(for: id, client: client)
    }

    /// Finishes every file whose commit was made but whose documents or disposal were not,
    /// as a crash may leave them.
    public func reconcile() throws {
        for entry in try store.pendingFiles() {
            guard let client = configuration.client(entry.clientID) else {
                log.warning(
                    "pending file of a client no longer configured",
                    ["client": entry.clientID, "fileNumber": String(entry.id)])
                continue
            }
            log.info(
                "reconciling a file recorded before a restart",
                ["client": client.id, "file": entry.name, "fileNumber": String(entry.id)])
            // The daemon's own files (inbox, SFTP staging) move; a command line's file stays put.
            // One file that cannot be finished is logged and left for the next start: it never
            // keeps the daemon from watching the others.
            let moved = entry.source == "inbox" || entry.source.hasPrefix("sftp:")
            do {
                try finish(entry, client: client, disposal: moved ? .move : .copy)
            } catch {
                log.error(
                    "cannot finish a file recorded before a restart; left for the next start",
                    ["client": client.id, "fileNumber": String(entry.id), "error": "\(error)"])
            }
        }
    }

    /// After the commit: the client's documents, then the original out of the inbox. Each step
    /// is noted in the ledger when done, so that it is done once.
    func finish(_ entry: LedgerEntry, client: ClientConfiguration, disposal: Disposal) throws {
        var entry = entry
        if try store.isMessage(fileID: entry.id) { entry = try completeMessage(entry, client: client) }
        if !entry.documentsDone {
            try writeDocuments(entry, client: client)
            try store.markDocumentsDone(fileID: entry.id)
        }
        if entry.disposedTo == nil {
            let destination = try dispose(entry, disposal: disposal)
            try store.markDisposed(fileID: entry.id, to: destination)
        }
    }

    /// The documents a file's outcome owes the client.
    private func writeDocuments(_ entry: LedgerEntry, client: ClientConfiguration) throws {
        let folder = "\(configuration.outbox)/\(client.id)"
        let number = Self.fileNumber(entry.id)
        let date = today()
        // A list with rows still in review, or an attachment (its message is acknowledged), waits.
        // The cheap tests first: an electronic channel never reads the file's cases back.
        if entry.outcome == .ingested, configuration.acknowledgementChannels.contains(entry.channel),
            try store.acknowledgementDue(entry), case let covered = try store.casesCovered(by: entry),
            !covered.isEmpty
        {
            let ack = Acknowledgement(
                agency: configuration.agency.name, client: client, file: entry,
                cases: covered, date: date)
            let base = "\(folder)/acknowledgement-\(number)"
            try AtomicFile.write(ack.csv(), to: base + ".csv")
            try AtomicFile.write(ack.printable(), to: base + ".txt")
            try store.recordDocument(
                clientID: client.id, kind: "acknowledgement", path: base + ".csv", fileID: entry.id)
            log.info(
                "acknowledgement written",
                ["client": client.id, "fileNumber": String(entry.id), "path": base + ".csv"])
        }
        if entry.outcome != .ingested || entry.rejected > 0 || entry.duplicates > 0,
            try !store.hasDocument(fileID: entry.id, kind: "reject-report")
        {
            let store = self.store
            let report = RejectReport(
                agency: configuration.agency.name, client: client, file: entry,
                rows: { each in try store.forEachReject(fileID: entry.id, each) }, date: date)
            let base = "\(folder)/reject-report-\(number)"
            try AtomicFile.write(to: base + ".csv") { try report.writeCSV(to: $0) }
            try AtomicFile.write(to: base + ".txt") { try report.writePrintable(to: $0) }
            try store.recordDocument(
                clientID: client.id, kind: "reject-report", path: base + ".csv", fileID: entry.id)
            log.info(
                "reject report written",
                ["client": client.id, "fileNumber": String(entry.id), "path": base + ".csv"])
        }
    }

    /// How many rejected and duplicate rows a result line lists at most.
    static let rowsListed = 1_000

    /// `F0000042`: our number for a received file, in document names.
    public static func fileNumber(_ id: Int64) -> String {
        let digits = String(id)
        return "F" + String(repeating: "0", count: max(0, 7 - digits.count)) + digits
    }

    /// Where the original goes: the archive, or the rejected folder with a `.reason` beside it.
    /// Returns the path it now has.
    private func dispose(_ entry: LedgerEntry, disposal: Disposal) throws -> String {
        let folder: String
        if entry.outcome == .refused {
            folder = "\(configuration.rejected)/\(entry.clientID)/\(entry.channel.rawValue)"
        } else {
            let day = String(entry.receivedAt.prefix(10))
            folder = "\(configuration.archive)/\(entry.clientID)/\(entry.channel.rawValue)/\(day)"
        }
        try AtomicFile.makeFolder(folder)
        let destination = "\(folder)/\(Self.archiveName(entry.id, entry.name))"
        if entry.outcome == .refused {
            try AtomicFile.write("\(entry.name): \(entry.reason ?? "refused")\n", to: destination + ".reason")
        }
        var info = stat()
        let sourceExists = lstat(entry.originalPath, &info) == 0
        let alreadyThere = access(destination, F_OK) == 0
        switch disposal {
        case .move where sourceExists:
            if rename(entry.originalPath, destination) != 0 {
                guard errno == EXDEV else {
                    throw FileError(path: entry.originalPath, operation: "move", errno: errno)
                }
                try Self.copy(entry.originalPath, to: destination)
                unlink(entry.originalPath)
            }
            try AtomicFile.syncFolder(folder)
            try AtomicFile.syncFolder(AtomicFile.parentFolder(entry.originalPath))
        case .copy where sourceExists && !alreadyThere:
            try Self.copy(entry.originalPath, to: destination)
        default:
            if !alreadyThere && !sourceExists {
                // The ledger says where the original is; here it is nowhere, and says so.
                log.warning(
                    "original gone before it could be archived",
                    ["fileNumber": String(entry.id), "path": entry.originalPath])
                return "gone: no longer at \(entry.originalPath) after its commit"
            }
        }
        return destination
    }

    /// `F0000042-NAME`: the original's name in the archive and the rejected folder, kept short
    /// enough that the name and a `.reason` beside it stay within the system's 255 bytes. A long
    /// name is cut in its middle, at a character boundary, keeping its extension; the file number
    /// keeps it unique.
    static func archiveName(_ id: Int64, _ name: String) -> String {
        let prefix = fileNumber(id) + "-"
        let limit = 240 - prefix.utf8.count
        guard name.utf8.count > limit else { return prefix + name }
        var stem = Substring(name)
        var suffix = ""
        if let dot = name.lastIndex(of: "."), name.distance(from: dot, to: name.endIndex) <= 12 {
            stem = name[..<dot]
            suffix = String(name[dot...])
        }
        var cut = ""
        for character in stem {
            if cut.utf8.count + character.utf8.count + suffix.utf8.count + 1 > limit { break }
            cut.append(character)
        }
        return prefix + cut + "~" + suffix
    }

    /// Copies a regular file atomically; a link is recorded as a note, never followed.
    static func copy(_ source: String, to destination: String) throws {
        var info = stat()
        guard lstat(source, &info) == 0 else {
            throw FileError(path: source, operation: "stat", errno: errno)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            try AtomicFile.write("not a regular file; not copied\n", to: destination)
            return
        }
        let file = try ReadableFile(path: source)
        defer { file.close() }
        try AtomicFile.write(to: destination) { sink in
            try file.forEachChunk { chunk in try sink.write(Array(chunk)) }
        }
    }

    /// The result line of a recorded file, read back from the store.
    func result(for fileID: Int64, client: ClientConfiguration) throws -> IngestResult {
        guard let entry = try store.ledgerEntry(id: fileID) else {
            preconditionFailure("file \(fileID) vanished")
        }
        let status: IngestResult.Status
        switch entry.outcome {
        case .ingested: status = .ingested
        case .duplicateFile: status = .duplicateFile
        case .refused: status = .refused
        }
        var result = IngestResult(file: entry.originalPath, status: status, fileID: entry.id)
        result.accepted = entry.accepted
        result.duplicates = entry.duplicates
        result.rejected = entry.rejected
        result.reason = entry.reason
        result.inReview = try store.reviewCount(fileID: fileID)
        // The result line lists the first rows only: the reject report has them all.
        let listed = try store.rejects(fileID: fileID, limit: Self.rowsListed + 1)
        result.listsTruncated = listed.count > Self.rowsListed
        for row in listed.prefix(Self.rowsListed) {
            if let ourRef = row.duplicateOf {
                result.duplicateRows.append((row.line, row.clientRef ?? "", ourRef))
            } else {
                result.rejects.append(RejectReport.Row(line: row.line, field: row.field, reason: row.reason))
            }
        }
        let documents = try store.connection.rows(
            "SELECT kind, path FROM documents WHERE file_id = ?", [.integer(fileID)])
        for document in documents {
            if document[0].text == "acknowledgement" { result.acknowledgement = document[1].text }
            if document[0].text == "reject-report" { result.rejectReport = document[1].text }
        }
        let totals = try store.connection.rows(
            "SELECT printed_total_cents, computed_total_cents, updates, unused_columns FROM "
                + "files WHERE id = ?",
            [.integer(fileID)])[0]
        result.updates = Int(totals[2].int ?? 0)
        result.unusedColumns = totals[3].text.map { $0.split(separator: "|").map(String.init) } ?? []
        result.printedTotal = totals[0].int.map { Money(cents: $0) }
        result.computedTotal = totals[1].int.map { Money(cents: $0) }
        return result
    }
}
