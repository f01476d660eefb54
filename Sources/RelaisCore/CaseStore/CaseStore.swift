import CSQLite
import Foundation

/// The case store: one SQLite file, in WAL mode with foreign keys on, holding every client,
/// case, debtor, note, transaction, document and received file.
///
/// A `CaseStore` is one connection and is used from one thread; a second process opens its own
/// and waits for the write lock.
public final class CaseStore {
    let db: SQLiteConnection
    public let path: String

    public init(path: String) throws {
        self.path = path
        db = try SQLiteConnection(path: path)
        do {
            try db.execute("PRAGMA journal_mode = WAL")
            try db.execute("PRAGMA foreign_keys = ON")
            // FULL: a commit is on disk before it returns. The original file is moved out of the
            // inbox right after its commit; with a weaker setting a power cut could undo the commit
            // after the move, and the file would be lost.
            try db.execute("PRAGMA synchronous = FULL")
            // 8 MiB of page cache: large files ingest as fast as with more, and the process's peak
            // memory stays well under 64 MiB however large the file (see Benchmarks/).
            try db.execute("PRAGMA cache_size = -8192")
            try db.execute("PRAGMA temp_store = MEMORY")
            try checkIsRelaisStore()
            try migrate()
        } catch let error as SQLiteError {
            throw SQLiteError(
                code: error.code, message: "the case store \(path): \(error.message)", sql: error.sql)
        }
    }

    public func close() throws { try db.close() }

    /// The schema version this store is at.
    public func schemaVersion() throws -> Int {
        Int(try db.scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")?.int ?? 0)
    }

    /// A database that has tables but no record of Relais's migrations is another program's:
    /// migrating it would mix two schemas.
    private func checkIsRelaisStore() throws {
        let tables = try db.scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'")?.int ?? 0
        let ours =
            try db.scalar(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")?.int
            ?? 0
        if tables > 0 && ours == 0 {
            throw SQLiteError(
                code: 0, message: "not a Relais case store (it has tables, but no schema_migrations)",
                sql: nil)
        }
        if ours > 0, let newest = try db.scalar("SELECT MAX(version) FROM schema_migrations")?.int,
            newest > Int64(Schema.migrations.map(\.version).max() ?? 0)
        {
            throw SQLiteError(
                code: 0,
                message: "made by a newer Relais (schema version \(newest)); "
                    + "this one knows versions up to \(Schema.migrations.map(\.version).max() ?? 0)", sql: nil
            )
        }
    }

    /// Applies, in order, every migration the store has not recorded. Each migration is
    /// recorded by its own number, not only the highest one, so a store never skips a migration
    /// numbered below one it already has.
    private func migrate() throws {
        try db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                + "applied_at TEXT NOT NULL)"
        )
        for migration in Schema.migrations.sorted(by: { $0.version < $1.version }) {
            guard try !isApplied(migration.version) else { continue }
            try db.immediateTransaction {
                // Another process may have migrated while this one waited for the lock.
                guard try !isApplied(migration.version) else { return }
                try db.execute(migration.sql)
                try db.run(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                    [.integer(Int64(migration.version)), .text(Timestamp.now())])
            }
        }
    }

    private func isApplied(_ version: Int) throws -> Bool {
        try db.scalar("SELECT 1 FROM schema_migrations WHERE version = ?", [.integer(Int64(version))]) != nil
    }

    /// Adds each configured client, or updates its name and language.
    public func register(clients: [(id: String, name: String, language: Language)]) throws {
        try db.immediateTransaction {
            let statement = try db.prepare(
                """
                INSERT INTO clients (id, name, language) VALUES (?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET name = excluded.name, language = excluded.language
                """)
            for client in clients {
                try statement.bind([.text(client.id), .text(client.name), .text(client.language.rawValue)])
                try statement.step()
            }
        }
    }

    /// Runs `body` inside one write transaction on this store.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try db.immediateTransaction(body)
    }
}

/// Timestamps as the store keeps them: UTC, ISO 8601, to the second.
public enum Timestamp {
    public static func now() -> String { format(Date()) }

    public static func format(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ n: Int32, _ w: Int = 2) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T"
            + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))Z"
    }
}
