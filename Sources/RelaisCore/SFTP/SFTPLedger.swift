/// One file taken from a client's SFTP server, as `remote_pickups` records it.
public struct RemotePickup: Sendable, Equatable {
    public enum State: String, Sendable { case staged, committed, disposed }

    public var id: Int64
    public var clientID: String
    public var server: String
    public var remotePath: String
    public var size: Int64
    public var remoteModified: Int64
    /// Nil while the download is under way.
    public var sha256: String?
    public var state: State
    public var stagingPath: String
    public var fileID: Int64?
    public var disposedTo: String?
    public var attempts: Int
    public var lastError: String?
}

/// One outbound file pushed to a client's SFTP server, as `deliveries` records it.
public struct Delivery: Sendable, Equatable {
    public enum State: String, Sendable { case pending, uploaded, delivered, superseded }

    public var id: Int64
    public var clientID: String
    public var localPath: String
    public var localSize: Int64
    public var remoteFolder: String
    public var remoteName: String?
    public var state: State
    public var attempts: Int
    public var lastError: String?
}

extension CaseStore {
    private static let pickupColumns = """
        id, client_id, server, remote_path, size, remote_modified, sha256, state, staging_path, file_id,
        disposed_to, attempts, last_error
        """

    private func pickup(_ s: SQLiteStatement) -> RemotePickup {
        RemotePickup(
            id: s.int(0), clientID: s.text(1) ?? "", server: s.text(2) ?? "", remotePath: s.text(3) ?? "",
            size: s.int(4), remoteModified: s.int(5), sha256: s.text(6),
            state: RemotePickup.State(rawValue: s.text(7) ?? "") ?? .staged, stagingPath: s.text(8) ?? "",
            fileID: s.optionalInt(9), disposedTo: s.text(10), attempts: Int(s.int(11)), lastError: s.text(12))
    }

    /// Records that a remote file is being taken, and names its staging path after the row:
    /// `<staging>/<client>/P<id>/<name>`. Fails (unique index) if the path is already in hand.
    func beginPickup(
        clientID: String, server: String, remotePath: String, name: String, size: Int64,
        remoteModified: Int64, stagingFolder: String
    ) throws -> RemotePickup {
        try transaction {
            try db.run(
                """
                INSERT INTO remote_pickups (client_id, server, remote_path, size, remote_modified, state,
                    staging_path, taken_at)
                VALUES (?, ?, ?, ?, ?, 'staged', '', ?)
                """,
                [
                    .text(clientID), .text(server), .text(remotePath), .integer(size),
                    .integer(remoteModified),
                    .text(Timestamp.now()),
                ])
            let id = db.lastInsertRowID
            let path = "\(stagingFolder)/P\(id)/\(name)"
            try db.run(
                "UPDATE remote_pickups SET staging_path = ? WHERE id = ?", [.text(path), .integer(id)])
            return try remotePickup(id: id)!
        }
    }

    /// One pickup by its row number.
    public func remotePickup(id: Int64) throws -> RemotePickup? {
        let s = try db.prepare("SELECT \(Self.pickupColumns) FROM remote_pickups WHERE id = ?")
        try s.bind([.integer(id)])
        return try s.step() ? pickup(s) : nil
    }

    /// A client's pickups in one state, oldest first.
    public func remotePickups(clientID: String, state: RemotePickup.State) throws -> [RemotePickup] {
        let s = try db.prepare(
            "SELECT \(Self.pickupColumns) FROM remote_pickups WHERE client_id = ? AND state = ? ORDER BY id")
        try s.bind([.text(clientID), .text(state.rawValue)])
        var result: [RemotePickup] = []
        while try s.step() { result.append(pickup(s)) }
        return result
    }

    /// Whether a remote path is in hand (staged or committed, not yet disposed).
    func isInHand(clientID: String, remotePath: String) throws -> Bool {
        try db.scalar(
            "SELECT 1 FROM remote_pickups WHERE client_id = ? AND remote_path = ? AND state <> 'disposed'",
            [.text(clientID), .text(remotePath)]) != nil
    }

    func markDownloaded(pickupID: Int64, sha256: String) throws {
        try db.run("UPDATE remote_pickups SET sha256 = ? WHERE id = ?", [.text(sha256), .integer(pickupID)])
    }

    func markCommitted(pickupID: Int64, fileID: Int64) throws {
        try db.run(
            "UPDATE remote_pickups SET state = 'committed', file_id = ?, committed_at = ? WHERE id = ?",
            [.integer(fileID), .text(Timestamp.now()), .integer(pickupID)])
    }

    func markRemoteDisposed(pickupID: Int64, to destination: String) throws {
        try db.run(
            "UPDATE remote_pickups SET state = 'disposed', disposed_to = ?, disposed_at = ? WHERE id = ?",
            [.text(destination), .text(Timestamp.now()), .integer(pickupID)])
    }

    func notePickupFailure(pickupID: Int64, error: String) throws {
        try db.run(
            "UPDATE remote_pickups SET attempts = attempts + 1, last_error = ? WHERE id = ?",
            [.text(error), .integer(pickupID)])
    }

    /// Forgets a pickup whose download never finished: the remote file is taken afresh.
    func abandonPickup(pickupID: Int64) throws {
        try db.run("DELETE FROM remote_pickups WHERE id = ? AND state = 'staged'", [.integer(pickupID)])
    }

    /// The ledger row made from a staged file, found by the path it was ingested from.
    /// `files.original_path` has no index: this scans the ledger, and runs only for pickups a
    /// crash left staged.
    func ledgerEntry(clientID: String, originalPath: String) throws -> LedgerEntry? {
        let id = try db.scalar(
            "SELECT id FROM files WHERE client_id = ? AND original_path = ? ORDER BY id LIMIT 1",
            [.text(clientID), .text(originalPath)])?.int
        return try id.flatMap { try ledgerEntry(id: $0) }
    }

    // MARK: Deliveries

    private static let deliveryColumns = """
        id, client_id, local_path, local_size, remote_folder, remote_name, state, attempts, last_error
        """

    private func delivery(_ s: SQLiteStatement) -> Delivery {
        Delivery(
            id: s.int(0), clientID: s.text(1) ?? "", localPath: s.text(2) ?? "", localSize: s.int(3),
            remoteFolder: s.text(4) ?? "", remoteName: s.text(5),
            state: Delivery.State(rawValue: s.text(6) ?? "") ?? .pending, attempts: Int(s.int(7)),
            lastError: s.text(8))
    }

    /// Records an outbound file to deliver unless this version of it (path, size, time) is
    /// recorded already; an older version still waiting is superseded. Returns true if new.
    @discardableResult
    func recordOutbound(
        clientID: String, localPath: String, size: Int64, modified: Int64, remoteFolder: String
    )
        throws -> Bool
    {
        let known = try db.scalar(
            """
            SELECT 1 FROM deliveries
            WHERE client_id = ? AND local_path = ? AND local_size = ? AND local_modified = ?
            """, [.text(clientID), .text(localPath), .integer(size), .integer(modified)])
        if known != nil { return false }
        try transaction {
            try db.run(
                """
                UPDATE deliveries SET state = 'superseded'
                WHERE client_id = ? AND local_path = ? AND state IN ('pending', 'uploaded')
                """, [.text(clientID), .text(localPath)])
            try db.run(
                """
                INSERT INTO deliveries (client_id, local_path, local_size, local_modified, remote_folder,
                    state,
                    created_at)
                VALUES (?, ?, ?, ?, ?, 'pending', ?)
                """,
                [
                    .text(clientID), .text(localPath), .integer(size), .integer(modified),
                    .text(remoteFolder),
                    .text(Timestamp.now()),
                ])
        }
        return true
    }

    /// A client's deliveries not yet done, oldest first.
    public func openDeliveries(clientID: String) throws -> [Delivery] {
        let s = try db.prepare(
            """
            SELECT \(Self.deliveryColumns) FROM deliveries
            WHERE client_id = ? AND state IN ('pending', 'uploaded') ORDER BY id
            """)
        try s.bind([.text(clientID)])
        var result: [Delivery] = []
        while try s.step() { result.append(delivery(s)) }
        return result
    }

    /// Every delivery of a client, oldest first (for reports and tests).
    public func deliveries(clientID: String) throws -> [Delivery] {
        let s = try db.prepare(
            "SELECT \(Self.deliveryColumns) FROM deliveries WHERE client_id = ? ORDER BY id")
        try s.bind([.text(clientID)])
        var result: [Delivery] = []
        while try s.step() { result.append(delivery(s)) }
        return result
    }

    func markUploaded(deliveryID: Int64) throws {
        try db.run("UPDATE deliveries SET state = 'uploaded' WHERE id = ?", [.integer(deliveryID)])
    }

    func markBackToPending(deliveryID: Int64) throws {
        try db.run(
            "UPDATE deliveries SET state = 'pending', remote_name = NULL WHERE id = ?", [.integer(deliveryID)]
        )
    }

    /// Notes the final name about to be given, before the rename, so that a crash right after
    /// it can be recognised.
    func noteRemoteName(deliveryID: Int64, name: String) throws {
        try db.run("UPDATE deliveries SET remote_name = ? WHERE id = ?", [.text(name), .integer(deliveryID)])
    }

    func markDelivered(deliveryID: Int64, name: String) throws {
        try db.run(
            """
            UPDATE deliveries SET state = 'delivered', remote_name = ?, delivered_at = ?, last_error = NULL
            WHERE id = ?
            """,
            [.text(name), .text(Timestamp.now()), .integer(deliveryID)])
    }

    func markSuperseded(deliveryID: Int64) throws {
        try db.run("UPDATE deliveries SET state = 'superseded' WHERE id = ?", [.integer(deliveryID)])
    }

    func noteDeliveryFailure(deliveryID: Int64, error: String) throws {
        try db.run(
            "UPDATE deliveries SET attempts = attempts + 1, last_error = ? WHERE id = ?",
            [.text(error), .integer(deliveryID)])
    }
}
