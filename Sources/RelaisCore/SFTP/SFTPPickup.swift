import Glibc

/// Takes one client's files from its SFTP server, each exactly once, through the spine's intake.
///
/// A poll, in order:
/// 1. Pickups a crash left `staged` are finished locally: if the intake committed the staged
///    file, the pickup is marked committed; if its download was whole, it is ingested; else it
///    is forgotten and the remote file is taken afresh.
/// 2. Pickups `committed` but not yet disposed get their remote move or delete, retried every
///    poll until done. Their remote paths are not taken again meanwhile.
/// 3. The remote folder is listed, streaming; a file is complete once its size and time held
///    still over two listings at least `settleSeconds` apart (by the local monotonic clock;
///    remote times are only compared with themselves), or when `NAME.done` stands beside it.
/// 4. Each complete file: a `staged` row, a download into staging while hashing, the intake
///    (one transaction for the ledger row and the cases), `committed`, the remote disposal,
///    `disposed`.
///
/// The intake's own duplicate check (same content, same client) is a second guard: even a file
/// taken twice could not open its cases twice.
public final class SFTPPickup {
    /// Where a poll may be interrupted, for the tests that simulate a crash there.
    public enum Checkpoint: Sendable {
        /// The download is whole and recorded; the intake has not run.
        case downloaded
        /// The cases are committed and the pickup marked so; the remote file is untouched.
        case committed
        /// The remote file was moved or deleted; that is not yet recorded.
        case disposedRemotely
    }

    /// What one poll did.
    public struct Report: Sendable {
        public var listed = 0
        public var taken: [IngestResult] = []
        public var disposed = 0
        /// Complete files left for the next poll by `maxFilesPerPoll` or a stop request.
        public var leftForLater = 0
        /// Files seen but not yet settled: a listing a settle interval from now may take them.
        public var settling = 0
    }

    public let configuration: Configuration
    public let client: ClientConfiguration
    public let sftp: SFTPConfiguration
    public let store: CaseStore
    public let intake: Intake
    public let log: Log
    /// Called at each checkpoint; a test throws from it to stop the poll as a crash would.
    public var checkpoint: (Checkpoint) throws -> Void = { _ in }
    /// Called after each piece of a download with the bytes so far.
    public var downloadProgress: (Int64) -> Void = { _ in }
    /// Asked between files: true ends the poll after the file in hand (a stop request).
    public var shouldStop: () -> Bool = { false }

    /// What the listings said of each candidate name. About 100 to 150 bytes per name that
    /// matches the pattern (the name, two integers, a time and the table's slack): some 2 MB for
    /// a folder of 20,000 files. Names not matching the pattern are never kept.
    private struct Observation {
        var size: Int64
        var modified: Int64
        /// When this size and time were first seen (monotonic seconds).
        var since: Double
        var listings: Int
        var generation: Int
    }

    private var observations: [String: Observation] = [:]
    private var doneMarkers: Set<String> = []
    private var generation = 0
    let link: SFTPLink

    var server: String { sftp.endpoint.server }
    var source: String { "sftp:\(sftp.endpoint.host)" }

    /// A pickup for a client with `sftp` configured, on this store and intake (one thread's own).
    public init(
        configuration: Configuration, client: ClientConfiguration, store: CaseStore, intake: Intake,
        log: Log
    ) throws {
        guard let sftp = client.sftp else {
            throw UsageError("client \"\(client.id)\" has no sftp server configured")
        }
        self.configuration = configuration
        self.client = client
        self.sftp = sftp
        self.store = store
        self.intake = intake
        self.log = log
        self.link = SFTPLink(endpoint: sftp.endpoint)
    }

    /// Closes the connection to the server.
    public func close() { link.drop() }

    /// One poll. With `waitForSettle`, a file seen for the first time is listed again once the
    /// settle interval has passed, so that one call takes it (the command line's way); without,
    /// the next poll's listing is the second one (the daemon's way).
    @discardableResult
    public func poll(waitForSettle: Bool = false) throws -> Report {
        let lock = try SFTPClientLock(staging: configuration.staging, clientID: client.id)
        defer { lock.release() }
        var report = Report()
        try resumeStaged(&report)
        report.disposed += try link.use { remote in try disposeCommitted(remote) }

        try link.use { remote in try list(remote, &report) }
        if waitForSettle, let wait = secondsUntilSettled(), !shouldStop() {
            sleepSeconds(wait)
            try link.use { remote in try list(remote, &report) }
        }

        let ready = readyNames()
        for (index, name) in ready.enumerated() {
            if index >= sftp.maxFilesPerPoll || shouldStop() {
                report.leftForLater = ready.count - index
                break
            }
            if let result = try take(name, &report) { report.taken.append(result) }
        }
        let now = Clock.monotonic()
        report.settling = observations.filter { !isReady($0.key, $0.value, now: now) }.count
        return report
    }

    // MARK: Listing and settling

    private func list(_ remote: SFTPClient, _ report: inout Report) throws {
        generation += 1
        doneMarkers.removeAll(keepingCapacity: true)
        let now = Clock.monotonic()
        var count = 0
        try remote.list(sftp.remoteFolder) { name, attributes in
            guard attributes.isRegularFile else { return }
            if name.lowercased().hasSuffix(".done") {
                doneMarkers.insert(String(name.dropLast(5)))
                return
            }
            guard !Daemon.isIgnored(name), fnmatch(sftp.pattern, name, 0) == 0 else { return }
            count += 1
            if var seen = observations[name], seen.size == attributes.size,
                seen.modified == attributes.modified
            {
                seen.listings += 1
                seen.generation = generation
                observations[name] = seen
            } else {
                observations[name] = Observation(
                    size: attributes.size, modified: attributes.modified, since: now,
                    listings: 1, generation: generation)
            }
        }
        // A name gone from the folder is forgotten; done-markers of such names are dropped too.
        observations = observations.filter { $0.value.generation == generation }
        report.listed = count
        log.debug(
            "sftp folder listed",
            [
                "client": client.id, "server": server, "folder": sftp.remoteFolder,
                "files": String(count),
            ])
    }

    private func isReady(_ name: String, _ seen: Observation, now: Double) -> Bool {
        if doneMarkers.contains(name) { return true }
        return seen.listings >= 2 && now - seen.since >= sftp.settleSeconds
    }

    /// The names complete now, in name order (nightly names usually sort by date).
    private func readyNames() -> [String] {
        let now = Clock.monotonic()
        return observations.filter { isReady($0.key, $0.value, now: now) }.keys.sorted()
    }

    /// How long until every file seen only once could be confirmed by a second listing.
    private func secondsUntilSettled() -> Double? {
        let now = Clock.monotonic()
        let waiting = observations.filter { !isReady($0.key, $0.value, now: now) }
        guard let earliest = waiting.values.map(\.since).max() else { return nil }
        return max(0, earliest + sftp.settleSeconds - now)
    }

    private func sleepSeconds(_ seconds: Double) {
        var left = seconds
        while left > 0 && !shouldStop() {
            let slice = min(left, 0.2)
            usleep(UInt32(slice * 1_000_000))
            left -= slice
        }
    }

    // MARK: Taking one file

    private func remotePath(_ name: String) -> String {
        sftp.remoteFolder == "/" ? "/\(name)" : "\(sftp.remoteFolder)/\(name)"
    }

    private var stagingFolder: String { "\(configuration.staging)/\(client.id)" }

    private func take(_ name: String, _ report: inout Report) throws -> IngestResult? {
        guard let seen = observations[name] else { return nil }
        let path = remotePath(name)
        if try store.isInHand(clientID: client.id, remotePath: path) { return nil }

        let pickup = try store.beginPickup(
            clientID: client.id, server: server, remotePath: path, name: name,
            size: seen.size, remoteModified: seen.modified, stagingFolder: stagingFolder)
        log.info(
            "taking a file from sftp",
            [
                "client": client.id, "server": server, "file": path,
                "size": String(seen.size), "pickup": String(pickup.id),
            ])

        // The download: into staging, hashed on the way, flushed to disk before it is recorded.
        let sha256: String
        do {
            guard let digest = try download(pickup) else {
                // The file changed or vanished while being read: it settles again from scratch.
                try store.abandonPickup(pickupID: pickup.id)
                removeStaging(pickup)
                observations[name] = nil
                return nil
            }
            sha256 = digest
        } catch {
            try? store.abandonPickup(pickupID: pickup.id)
            removeStaging(pickup)
            if let error = error as? SFTPError, error.kind == .noSuchFile {
                observations[name] = nil
                return nil
            }
            if let error = error as? SFTPError, error.kind == .refused {
                // An unreadable file (permissions on the client's side) must not hold up the
                // others: it is tried again at the next poll.
                log.error(
                    "remote file cannot be read; left for the next poll",
                    ["client": client.id, "file": path, "error": error.description])
                return nil
            }
            throw error
        }
        try store.markDownloaded(pickupID: pickup.id, sha256: sha256)
        try checkpoint(.downloaded)

        let result = try ingest(pickup)
        observations[name] = nil
        try checkpoint(.committed)
        do {
            try link.use { remote in try dispose(try store.remotePickup(id: pickup.id)!, remote) }
            report.disposed += 1
        } catch let error as SFTPError where error.kind == .refused || error.kind == .noSuchFile {
            // The server refused the move or delete: the cases stand, the disposal waits.
            try store.notePickupFailure(pickupID: pickup.id, error: error.description)
            log.error(
                "remote disposal failed; will retry",
                [
                    "client": client.id, "file": pickup.remotePath,
                    "error": error.description,
                ])
        }
        return result
    }

    /// Downloads a pickup's remote file into its staging path; returns the SHA-256, or nil when
    /// the bytes read are not the size the listings agreed on (the file is still changing).
    private func download(_ pickup: RemotePickup) throws -> String? {
        let folder = AtomicFile.parentFolder(pickup.stagingPath)
        try AtomicFile.makeFolder(folder)
        let sink = try FileSink(path: pickup.stagingPath, mode: 0o640)
        var hash = SHA256()
        var received: Int64 = 0
        let count: Int64
        do {
            count = try link.use { remote in
                try remote.read(pickup.remotePath) { piece in
                    hash.update(piece)
                    try sink.write(Array(piece))
                    received += Int64(piece.count)
                    downloadProgress(received)
                }
            }
            try sink.flush()
            try sink.sync()
            try sink.close()
        } catch {
            try? sink.close()
            throw error
        }
        try AtomicFile.syncFolder(folder)
        guard count == pickup.size else {
            log.info(
                "remote file changed while read; it will settle again",
                [
                    "client": client.id,
                    "file": pickup.remotePath, "listedSize": String(pickup.size), "readSize": String(count),
                ])
            return nil
        }
        return hash.finalize()
    }

    /// The staged file through the intake, then the pickup marked committed.
    private func ingest(_ pickup: RemotePickup) throws -> IngestResult {
        let result = try intake.ingest(
            path: pickup.stagingPath, client: client, channel: .sftp, source: source,
            disposal: .move)
        guard let fileID = result.fileID else { preconditionFailure("the intake returned no ledger row") }
        try store.markCommitted(pickupID: pickup.id, fileID: fileID)
        removeStaging(pickup)
        log.info(
            "sftp file recorded",
            [
                "client": client.id, "file": pickup.remotePath,
                "fileNumber": String(fileID), "status": result.status.rawValue,
                "accepted": String(result.accepted),
            ])
        return result
    }

    private func removeStaging(_ pickup: RemotePickup) {
        unlink(pickup.stagingPath)
        rmdir(AtomicFile.parentFolder(pickup.stagingPath))
    }

    // MARK: After a crash

    /// Staged pickups, as a crash leaves them, finished without the server.
    private func resumeStaged(_ report: inout Report) throws {
        for pickup in try store.remotePickups(clientID: client.id, state: .staged) {
            if let entry = try store.ledgerEntry(clientID: client.id, originalPath: pickup.stagingPath) {
                // Committed before the crash: only the intake's own finishing may be left.
                if entry.disposedTo == nil || !entry.documentsDone {
                    try intake.finish(entry, client: client, disposal: .move)
                }
                try store.markCommitted(pickupID: pickup.id, fileID: entry.id)
                removeStaging(pickup)
                log.info(
                    "sftp file found recorded after a restart",
                    [
                        "client": client.id,
                        "file": pickup.remotePath, "fileNumber": String(entry.id),
                    ])
            } else if pickup.sha256 != nil, access(pickup.stagingPath, R_OK) == 0 {
                log.info(
                    "ingesting an sftp file downloaded before a restart",
                    [
                        "client": client.id,
                        "file": pickup.remotePath,
                    ])
                report.taken.append(try ingest(pickup))
            } else {
                try store.abandonPickup(pickupID: pickup.id)
                removeStaging(pickup)
                log.info(
                    "sftp download interrupted before a restart; the file will be taken again",
                    ["client": client.id, "file": pickup.remotePath])
            }
        }
    }

    // MARK: Remote disposal

    /// Every committed pickup's remote disposal, retried. Returns how many were done.
    private func disposeCommitted(_ remote: SFTPClient) throws -> Int {
        var done = 0
        for pickup in try store.remotePickups(clientID: client.id, state: .committed) {
            do {
                if try redispose(pickup, remote) { done += 1 }
            } catch let error as SFTPError where error.kind == .refused || error.kind == .noSuchFile {
                // One refused move must not block the others; the connection is still good.
                try store.notePickupFailure(pickupID: pickup.id, error: error.description)
                log.error(
                    "remote disposal failed; will retry",
                    [
                        "client": client.id, "file": pickup.remotePath,
                        "error": error.description,
                    ])
            }
        }
        return done
    }

    /// A retried disposal checks that the file at the remote path is still the one committed:
    /// a client may have put a new file under the same name meanwhile, and that one must be
    /// taken, not archived or deleted. The check rereads the remote file to hash it, which costs
    /// one more download, only on this retry path.
    private func redispose(_ pickup: RemotePickup, _ remote: SFTPClient) throws -> Bool {
        guard let now = try remote.stat(pickup.remotePath) else {
            // Moved before the crash (it is in the archive), or removed by someone else.
            var destination = "gone"
            if let target = archivePath(pickup), try remote.stat(target) != nil { destination = target }
            try store.markRemoteDisposed(pickupID: pickup.id, to: destination)
            log.info(
                "remote file already gone; pickup closed", ["client": client.id, "file": pickup.remotePath])
            return true
        }
        var same = now.size == pickup.size
        if same {
            var hash = SHA256()
            try remote.read(pickup.remotePath) { hash.update($0) }
            same = hash.finalize() == pickup.sha256
        }
        guard same else {
            try store.markRemoteDisposed(pickupID: pickup.id, to: "replaced on the server")
            log.info(
                "a new file took the name of a committed one; it will be taken",
                [
                    "client": client.id,
                    "file": pickup.remotePath,
                ])
            return true
        }
        return try dispose(pickup, remote)
    }

    private func archivePath(_ pickup: RemotePickup) -> String? {
        guard case .archive(let folder) = sftp.afterPickup, let fileID = pickup.fileID else { return nil }
        let name = pickup.remotePath.split(separator: "/").last.map(String.init) ?? pickup.remotePath
        return "\(folder)/\(Intake.fileNumber(fileID))-\(name)"
    }

    /// Moves the remote file to the archive folder or deletes it, then records it.
    @discardableResult
    private func dispose(_ pickup: RemotePickup, _ remote: SFTPClient) throws -> Bool {
        let destination: String
        switch sftp.afterPickup {
        case .archive(let folder):
            try remote.makeFolder(folder)
            destination = archivePath(pickup)!
            guard try remote.renameIfAbsent(pickup.remotePath, to: destination) else {
                throw remote.ssh.failure(
                    "archive \(pickup.remotePath)", kind: .refused, "\(destination) already exists")
            }
        case .delete:
            try remote.remove(pickup.remotePath)
            destination = "deleted"
        }
        try checkpoint(.disposedRemotely)
        try store.markRemoteDisposed(pickupID: pickup.id, to: destination)
        // The marker served its purpose; a failure here leaves a marker for a name now absent.
        _ = try? remote.remove(pickup.remotePath + ".done")
        log.info("remote file disposed", ["client": client.id, "file": pickup.remotePath, "to": destination])
        return true
    }
}
