import CSQLite

/// An error from SQLite: the call, the library's own message and the statement it concerned.
public struct SQLiteError: Error, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public let sql: String?

    public var description: String {
        var text = "SQLite error \(code): \(message)"
        if let sql { text += " (in: \(sql.prefix(120)))" }
        return text
    }

    /// The database file is locked by another writer for longer than the busy timeout.
    /// A UNIQUE constraint failed (SQLITE_CONSTRAINT_UNIQUE, a macro Swift cannot import).
    public var isUniqueViolation: Bool { code == SQLITE_CONSTRAINT | (8 << 8) }

    public var isBusy: Bool { code & 0xff == SQLITE_BUSY || code & 0xff == SQLITE_LOCKED }
}

/// The one value types SQLite stores that Relais uses.
public enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case text(String)
    case real(Double)
}

/// One connection to a SQLite file. Not shared between threads: each owner opens its own.
public final class SQLiteConnection {
    private var handle: OpaquePointer?
    public let path: String

    /// Opens (creating if needed) the file with foreign keys on and a busy timeout, so that a
    /// second process (`relais ingest` beside `relais serve`) waits for the lock instead of failing.
    public init(path: String, busyTimeoutMilliseconds: Int32 = 30_000) throws {
        self.path = path
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(db)
            throw SQLiteError(code: rc, message: "\(message): \(path)", sql: nil)
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
    }

    deinit { sqlite3_close_v2(handle) }

    /// Closes now, reporting an error instead of hiding it in `deinit`.
    public func close() throws {
        guard let db = handle else { return }
        let rc = sqlite3_close_v2(db)
        handle = nil
        if rc != SQLITE_OK { throw SQLiteError(code: rc, message: "close failed", sql: nil) }
    }

    var db: OpaquePointer {
        guard let handle else { preconditionFailure("SQLite connection used after close") }
        return handle
    }

    func error(_ rc: Int32, _ sql: String?) -> SQLiteError {
        SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(db)), sql: sql)
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "failed"
            sqlite3_free(message)
            throw SQLiteError(code: rc, message: text, sql: sql)
        }
    }

    /// Compiles a statement to run many times.
    public func prepare(_ sql: String) throws -> SQLiteStatement {
        try SQLiteStatement(connection: self, sql: sql)
    }

    /// Runs a statement once with its arguments.
    public func run(_ sql: String, _ arguments: [SQLiteValue] = []) throws {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        _ = try statement.step()
    }

    /// The rows of a query, each as its column values.
    public func rows(_ sql: String, _ arguments: [SQLiteValue] = []) throws -> [[SQLiteValue]] {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        var result: [[SQLiteValue]] = []
        while try statement.step() {
            result.append((0..<statement.columnCount).map { statement.value($0) })
        }
        return result
    }

    /// The first column of the first row, or nil.
    public func scalar(_ sql: String, _ arguments: [SQLiteValue] = []) throws -> SQLiteValue? {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        return try statement.step() ? statement.value(0) : nil
    }

    /// The rowid of the last insert on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(db) }

    /// Runs `body` in a transaction taken for writing at once (`BEGIN IMMEDIATE`), so that what
    /// the body reads cannot change before it writes. Rolls back if the body throws.
    ///
    /// Inside a transaction already open on this connection, the body runs in a savepoint of
    /// it instead: its writes commit or roll back with the outer transaction, and a failure
    /// undoes only the body's own writes.
    public func immediateTransaction<T>(_ body: () throws -> T) throws -> T {
        if sqlite3_get_autocommit(db) == 0 {
            savepointDepth += 1
            let name = "relais_\(savepointDepth)"
            defer { savepointDepth -= 1 }
            try execute("SAVEPOINT \(name)")
            do {
                let result = try body()
                try execute("RELEASE \(name)")
                return result
            } catch {
                try? execute("ROLLBACK TO \(name)")
                try? execute("RELEASE \(name)")
                throw error
            }
        }
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private var savepointDepth = 0
}

/// A compiled statement. Finalized when released.
public final class SQLiteStatement {
    private let connection: SQLiteConnection
    private var handle: OpaquePointer?
    let sql: String

    init(connection: SQLiteConnection, sql: String) throws {
        self.connection = connection
        self.sql = sql
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(
            connection.db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT),
            &statement, nil)
        guard rc == SQLITE_OK else { throw connection.error(rc, sql) }
        handle = statement
    }

    deinit { sqlite3_finalize(handle) }

    /// Clears earlier bindings and binds these, in order from parameter 1.
    public func bind(_ values: [SQLiteValue]) throws {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1))
        }
    }

    /// Binds one parameter (1-based) without clearing the others.
    public func bind(_ value: SQLiteValue, at index: Int32) throws {
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(handle, index)
        case .integer(let n): rc = sqlite3_bind_int64(handle, index, n)
        case .real(let x): rc = sqlite3_bind_double(handle, index, x)
        case .text(var s):
            // SQLITE_TRANSIENT: SQLite copies the bytes before this call returns.
            rc = s.withUTF8 { bytes in
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    // An empty string still needs a non-null pointer, or SQLite stores NULL.
                    guard let base = chars.baseAddress else {
                        return sqlite3_bind_text(
                            handle, index, "", 0, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
                    }
                    return sqlite3_bind_text(
                        handle, index, base, Int32(chars.count),
                        unsafeBitCast(-1, to: sqlite3_destructor_type.self))
                }
            }
        }
        guard rc == SQLITE_OK else { throw connection.error(rc, sql) }
    }

    /// Binds the values of one run in order from parameter 1, without building an array: for
    /// statements run once per row.
    public func bindInOrder(_ body: (inout ParameterCursor) throws -> Void) throws {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        var cursor = ParameterCursor(statement: self)
        try body(&cursor)
    }

    /// The next parameter to bind, for `bindInOrder`.
    public struct ParameterCursor {
        let statement: SQLiteStatement
        var index: Int32 = 0

        public mutating func text(_ value: String?) throws {
            index += 1
            if let value { try statement.bind(.text(value), at: index) }
        }

        public mutating func integer(_ value: Int64?) throws {
            index += 1
            if let value { try statement.bind(.integer(value), at: index) }
        }

        public mutating func money(_ value: Money?) throws { try integer(value?.cents) }
        public mutating func date(_ value: CalendarDate?) throws { try text(value?.iso) }
    }

    /// Resets the statement so that it can be bound and run again.
    public func reset() { sqlite3_reset(handle) }

    /// Steps once: true when a row is ready, false when done.
    @discardableResult
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = connection.error(rc, sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    public var columnCount: Int32 { sqlite3_column_count(handle) }

    public func value(_ column: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, column))
        case SQLITE_NULL: return .null
        default: return .text(text(column) ?? "")
        }
    }

    public func int(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    public func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(handle, column) else { return nil }
        return String(cString: bytes)
    }

    public func optionalInt(_ column: Int32) -> Int64? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : int(column)
    }
}

extension SQLiteValue {
    public var int: Int64? { if case .integer(let n) = self { return n } else { return nil } }
    public var text: String? { if case .text(let s) = self { return s } else { return nil } }

    public init(_ text: String?) { self = text.map { .text($0) } ?? .null }
    public init(_ number: Int64?) { self = number.map { .integer($0) } ?? .null }
    public init(_ number: Int?) { self = number.map { .integer(Int64($0)) } ?? .null }
    public init(_ money: Money?) { self = money.map { .integer($0.cents) } ?? .null }
    public init(_ date: CalendarDate?) { self = date.map { .text($0.iso) } ?? .null }
}
