import Foundation
import Glibc

/// A bureau month that cannot be written: which bureau and month, and why.
public struct BureauError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What one month's run wrote, or would write.
public struct BureauRun: Sendable {
    public var bureau: Bureau
    public var month: ReportMonth
    /// The file written (encrypted when configured); nil on a dry run.
    public var path: String?
    public var exclusionsPath: String?
    public var records = 0
    public var exclusions: [BureauExclusion] = []
    public var skipped: [BureauSkip: Int] = [:]
    /// Metro 2 only.
    public var totals: Metro2Totals?

    /// One line for the command line and the log.
    public var summary: String {
        var text = "\(bureau.rawValue) \(month): \(records) reported, \(exclusions.count) excluded"
        for skip in BureauSkip.allCases {
            if let n = skipped[skip], n > 0 { text += ", \(n) \(skip.rawValue)" }
        }
        if let path { text += "; wrote \(path)" }
        return text
    }
}

/// Writes one bureau's file for one month from the case store, and records what it reported
/// per case so that the next month follows from this one.
///
/// Months are written in order: a month before the latest one written is refused, and a month
/// already written is written again only when asked (`rewrite`), which first undoes what that
/// month recorded. The file is renamed into place before the store commits: a crash between the
/// two leaves a file the store does not know of, which the next run writes again; the other
/// order could record a month whose file never reached the disk.
public final class BureauReporter {
    let store: CaseStore
    let configuration: BureauConfiguration
    let feed: BureauConfiguration.Feed
    public var log = Log(level: .warning)
    /// Called every 10,000 cases: a month of a million cases takes seconds, and the daemon
    /// must keep telling systemd's watchdog it is alive meanwhile.
    public var progress: (() -> Void)?

    public init(store: CaseStore, configuration: Configuration, bureau: Bureau) throws {
        guard let bureaus = configuration.bureaus else {
            throw BureauError("the configuration has no \"bureaus\" key")
        }
        guard let feed = bureaus.feeds[bureau] else {
            throw BureauError("the configuration has no \"bureaus.\(bureau.rawValue)\" key")
        }
        self.store = store
        self.configuration = bureaus
        self.feed = feed
    }

    /// The months already written for this bureau, oldest first.
    public func writtenMonths() throws -> [String] {
        try store.connection.rows(
            "SELECT month FROM bureau_files WHERE bureau = ? ORDER BY month",
            [.text(feed.bureau.rawValue)]
        ).compactMap { $0[0].text }
    }

    /// The file name of a month in the bureau's outbox, before any `.gpg`.
    public func defaultPath(_ month: ReportMonth) -> String {
        "\(feed.outbox)/\(feed.bureau.rawValue)-\(month).\(feed.bureau == .equifax ? "m2" : "csv")"
    }

    /// Writes the month. `output` replaces the outbox path; `dryRun` writes nothing anywhere
    /// and records nothing, but reports what would be written.
    public func run(
        month: ReportMonth, today: CalendarDate, created: Metro2Writer.Moment, output: String? = nil,
        dryRun: Bool = false, rewrite: Bool = false
    ) throws -> BureauRun {
        let db = store.connection
        let bureau = feed.bureau.rawValue
        guard dryRun || month.lastDay < today else {
            throw BureauError("\(bureau) \(month): the month is not over (today is \(today.iso))")
        }
        try db.execute("BEGIN IMMEDIATE")
        do {
            let run = try write(
                month: month, created: created, output: output, dryRun: dryRun, rewrite: rewrite)
            try db.execute(dryRun ? "ROLLBACK" : "COMMIT")
            if !dryRun {
                log.info(
                    "bureau file written",
                    [
                        "bureau": bureau, "month": month.description,
                        "records": String(run.records), "excluded": String(run.exclusions.count),
                        "path": run.path ?? "",
                    ])
            }
            return run
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }

    private func write(
        month: ReportMonth, created: Metro2Writer.Moment, output: String?, dryRun: Bool,
        rewrite: Bool
    ) throws -> BureauRun {
        let db = store.connection
        let bureau = SQLiteValue.text(feed.bureau.rawValue)
        let monthText = SQLiteValue.text(month.description)

        // Months in order, each once unless asked.
        if let latest = try db.scalar("SELECT MAX(month) FROM bureau_files WHERE bureau = ?", [bureau])?.text,
            let latestMonth = ReportMonth(latest)
        {
            if month < latestMonth {
                throw BureauError(
                    "\(feed.bureau.rawValue) \(month): \(latest) is already written; months go in order")
            }
            if month == latestMonth {
                guard rewrite else {
                    let path =
                        try db.scalar(
                            "SELECT path FROM bureau_files WHERE bureau = ? AND month = ?",
                            [bureau, monthText])?.text ?? ""
                    throw BureauError(
                        "\(feed.bureau.rawValue) \(month): already written (\(path)); "
                            + "--rewrite writes it again")
                }
                try undo(month: monthText, bureau: bureau)
            }
        }

        let finalPath = output ?? defaultPath(month)
        let encrypted = feed.gpg != nil && !dryRun
        let targetPath = encrypted ? finalPath + ".gpg" : finalPath
        var run = BureauRun(bureau: feed.bureau, month: month)

        // Encrypted: the plain bytes go to a private temporary file (mode 0600) beside the target,
        // never under the outbox name, and are removed once encrypted. GPGME reads it from disk
        // so that a large month is never held in memory; the price is that a crash during the
        // encryption leaves it behind, so the next run removes any such leftover first.
        if encrypted {
            Self.removeLeftoverPlainFiles(in: AtomicFile.parentFolder(finalPath), bureau: feed.bureau)
        }
        let plainPath =
            encrypted
            ? "\(AtomicFile.parentFolder(finalPath))/.\(feed.bureau.rawValue)-\(month).\(getpid()).plain"
            : finalPath
        let body: (FileSink) throws -> Void = { sink in
            run = try self.stream(month: month, created: created, to: sink, dryRun: dryRun)
        }
        if dryRun {
            let sink = try FileSink(path: "/dev/null", mode: 0o600)
            try body(sink)
            try sink.flush()
            try sink.close()
        } else if let gpg = feed.gpg {
            try AtomicFile.makeFolder(AtomicFile.parentFolder(finalPath))
            defer { unlink(plainPath) }
            let sink = try FileSink(path: plainPath, mode: 0o600)
            do {
                try body(sink)
                try sink.flush()
                try sink.close()
            } catch {
                try? sink.close()
                throw error
            }
            // Encrypted into a temporary name beside the target, flushed, then renamed.
            let temporary =
                "\(AtomicFile.parentFolder(targetPath))/.\(feed.bureau.rawValue)-\(month).\(getpid()).gpg.tmp"
            do {
                try GPGEncryptor(
                    recipient: gpg.recipient, publicKeyFile: gpg.publicKeyFile,
                    homeDirectory: gpg.homeDirectory
                )
                .encrypt(file: plainPath, to: temporary)
            } catch {
                unlink(temporary)
                throw error
            }
            guard rename(temporary, targetPath) == 0 else {
                let code = errno
                unlink(temporary)
                throw FileError(path: targetPath, operation: "rename", errno: code)
            }
            try AtomicFile.syncFolder(AtomicFile.parentFolder(targetPath))
        } else {
            try AtomicFile.write(to: targetPath, body)
        }

        guard !dryRun else { return run }
        run.path = targetPath
        let exclusionsPath =
            "\(AtomicFile.parentFolder(finalPath))/\(feed.bureau.rawValue)-\(month)-exclusions.csv"
        try AtomicFile.write(to: exclusionsPath) { sink in try Self.writeExclusions(run.exclusions, to: sink)
        }
        run.exclusionsPath = exclusionsPath
        try db.run(
            """
            INSERT INTO bureau_files (bureau, month, path, written_at, records, excluded)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(bureau, month) DO UPDATE SET path = excluded.path, written_at = excluded.written_at,
                records = excluded.records, excluded = excluded.excluded
            """,
            [
                bureau, monthText, .text(targetPath), .text(Timestamp.now()), .integer(Int64(run.records)),
                .integer(Int64(run.exclusions.count)),
            ])
        return run
    }

    /// Reads every case, decides, writes the accepted ones and records each report.
    private func stream(month: ReportMonth, created: Metro2Writer.Moment, to sink: FileSink, dryRun: Bool)
        throws
        -> BureauRun
    {
        let db = store.connection
        var run = BureauRun(bureau: feed.bureau, month: month)
        let reader = try BureauCaseReader(db: db, bureau: feed.bureau, month: month)
        // The reader's cursor joins bureau_accounts by case; each upsert touches only the case
        // just read, which the cursor never visits again, so reading and writing do not meet.
        let upsertAccount = try db.prepare(
            """
            INSERT INTO bureau_accounts (bureau, case_id, first_month, last_month, last_status,
                last_special_comment, last_compliance, last_balance_cents, first_delinquency_date)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(bureau, case_id) DO UPDATE SET last_month = excluded.last_month,
                last_status = excluded.last_status, last_special_comment = excluded.last_special_comment,
                last_compliance = excluded.last_compliance, last_balance_cents = excluded.last_balance_cents
            """)

        let metro2 =
            feed.bureau == .equifax
            ? Metro2Writer(
                sink: sink, identificationNumber: feed.identificationNumber, created: created,
                newline: feed.newline)
            : nil
        let csv = feed.bureau == .acces ? AccesCreditWriter(sink: sink, month: month) : nil
        try metro2?.writeHeader(
            activityDate: month.lastDay, created: created.date,
            programIdentifier: feed.programIdentifier, reporterName: configuration.reporterName,
            reporterAddress: configuration.reporterAddress, reporterPhone: configuration.reporterPhone)
        try csv?.writeHeader()

        let bureau = SQLiteValue.text(feed.bureau.rawValue)
        let monthText = SQLiteValue.text(month.description)
        while let facts = try reader.next() {
            switch BureauRules.decide(facts, month: month, waitingDays: feed.waitingDays) {
            case .skip(let why):
                run.skipped[why, default: 0] += 1
            case .exclude(let field, let reason):
                run.exclusions.append(
                    BureauExclusion(
                        caseID: facts.caseID, ourReference: facts.ourReference,
                        clientID: facts.clientID, clientReference: facts.clientReference, field: field,
                        reason: reason))
            case .report(let account):
                try metro2?.write(account)
                try csv?.write(account)
                run.records += 1
                if run.records % 10_000 == 0 { progress?() }
                try upsertAccount.bind([
                    bureau, .integer(account.caseID), monthText, monthText,
                    .text(account.status.rawValue), .text(account.specialComment), .text(account.compliance),
                    .integer(account.balance.cents), .text(account.firstDelinquency.iso),
                ])
                try upsertAccount.step()
            }
        }
        try metro2?.writeTrailer()
        run.totals = metro2?.totals

        // The month's history, in one statement from the accounts just reported.
        try db.run(
            """
            INSERT INTO bureau_reports (bureau, month, case_id, status, special_comment, compliance,
                balance_cents, first_delinquency_date)
            SELECT bureau, last_month, case_id, last_status, last_special_comment, last_compliance,
                last_balance_cents, first_delinquency_date
            FROM bureau_accounts WHERE bureau = ? AND last_month = ?
            """, [bureau, monthText])
        return run
    }

    /// Removes plain temporary files an interrupted encrypted run left: `.<bureau>-*.plain`.
    static func removeLeftoverPlainFiles(in folder: String, bureau: Bureau) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(".\(bureau.rawValue)-") && name.hasSuffix(".plain") {
            unlink("\(folder)/\(name)")
        }
    }

    /// Undoes what a month recorded, before it is written again: its reports go, and each
    /// account's latest report is the one before it again.
    private func undo(month: SQLiteValue, bureau: SQLiteValue) throws {
        let db = store.connection
        try db.run("DELETE FROM bureau_accounts WHERE bureau = ?1 AND first_month = ?2", [bureau, month])
        try db.run(
            """
            UPDATE bureau_accounts SET (last_month, last_status, last_special_comment, last_compliance,
                last_balance_cents) = (
                SELECT r.month, r.status, r.special_comment, r.compliance, r.balance_cents
                FROM bureau_reports r
                WHERE r.bureau = bureau_accounts.bureau AND r.case_id = bureau_accounts.case_id
                    AND r.month < ?2
                ORDER BY r.month DESC LIMIT 1)
            WHERE bureau = ?1 AND last_month = ?2
            """, [bureau, month])
        try db.run("DELETE FROM bureau_reports WHERE bureau = ?1 AND month = ?2", [bureau, month])
    }

    /// The exclusions report: one CSV row per case left out, with the field and the reason.
    /// It names cases by reference only: no SIN, no date of birth.
    static func writeExclusions(_ exclusions: [BureauExclusion], to sink: FileSink) throws {
        try sink.write("our_reference,client,client_reference,field,reason\r\n")
        for e in exclusions {
            try sink.write(CSVText.line([e.ourReference, e.clientID, e.clientReference, e.field, e.reason]))
        }
    }
}

extension CaseStore {
    /// Asks the bureaus to delete a case's account (it was reported in error): each bureau
    /// that reported it sends DA once with its next month, then nothing more.
    public func requestBureauDeletion(caseID: Int64, on date: CalendarDate, reason: String) throws {
        try transaction {
            try db.run(
                "INSERT OR IGNORE INTO bureau_deletions (case_id, requested_at, reason) VALUES (?, ?, ?)",
                [.integer(caseID), .text(date.iso), .text(reason)])
        }
    }
}
