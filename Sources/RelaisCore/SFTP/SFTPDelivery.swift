import Glibc

/// Pushes one client's outbound files (`<outbox>/<client>/`: acknowledgements, reject reports,
/// inventories, and whatever else is written there) to the client's SFTP server.
///
/// Each file goes up under a temporary name in the remote folder (`.NAME.relais-ID.part`), is
/// flushed and closed, its size checked by a stat, and only then renamed to its final name:
/// nothing partial is ever visible under a final name. Each step is recorded in `deliveries`
/// (pending, uploaded, delivered) and retried at every delivery until done.
public final class SFTPDelivery {
    /// What one delivery run did.
    public struct Report: Sendable {
        /// Final remote paths, in the order delivered.
        public var delivered: [String] = []
        public var failed = 0
    }

    public let configuration: Configuration
    public let client: ClientConfiguration
    public let sftp: SFTPConfiguration
    public let target: SFTPConfiguration.Delivery
    public let store: CaseStore
    public let log: Log
    /// Called after each piece of an upload with the bytes so far.
    public var uploadProgress: (Int64) -> Void = { _ in }
    /// Asked between files: true ends the run after the file in hand.
    public var shouldStop: () -> Bool = { false }
    let link: SFTPLink

    /// A delivery for a client with `sftp.delivery` configured; `link` shares the pickup's session.
    public init(
        configuration: Configuration, client: ClientConfiguration, store: CaseStore, log: Log,
        link: SFTPLinkSharing? = nil
    ) throws {
        guard let sftp = client.sftp, let target = sftp.delivery else {
            throw UsageError("client \"\(client.id)\" has no sftp delivery configured")
        }
        self.configuration = configuration
        self.client = client
        self.sftp = sftp
        self.target = target
        self.store = store
        self.log = log
        self.link = link?.link ?? SFTPLink(endpoint: sftp.endpoint)
    }

    /// Closes the connection to the server.
    public func close() { link.drop() }

    var outbox: String { "\(configuration.outbox)/\(client.id)" }

    /// Records the outbox's new files, then delivers every file not yet delivered.
    @discardableResult
    public func deliver() throws -> Report {
        let lock = try SFTPClientLock(staging: configuration.staging, clientID: client.id)
        defer { lock.release() }
        try recordNewFiles()
        var report = Report()
        for delivery in try store.openDeliveries(clientID: client.id) {
            if shouldStop() { break }
            do {
                if let path = try deliverOne(delivery) { report.delivered.append(path) }
            } catch let error as SFTPError {
                report.failed += 1
                try store.noteDeliveryFailure(deliveryID: delivery.id, error: error.description)
                log.error(
                    "delivery failed; will retry",
                    [
                        "client": client.id, "file": delivery.localPath,
                        "error": error.description,
                    ])
                // A refusal concerns this file; anything else is the connection: stop here.
                guard error.kind == .refused || error.kind == .noSuchFile else { throw error }
            }
        }
        return report
    }

    /// Every regular, visible file of the client's outbox not yet recorded in this version.
    private func recordNewFiles() throws {
        guard let directory = opendir(outbox) else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            guard !Daemon.isIgnored(name), let info = Daemon.statRegular("\(outbox)/\(name)") else {
                continue
            }
            if try store.recordOutbound(
                clientID: client.id, localPath: "\(outbox)/\(name)", size: info.size,
                modified: info.modified, remoteFolder: target.remoteFolder)
            {
                log.debug("outbound file recorded for delivery", ["client": client.id, "file": name])
            }
        }
    }

    private func remote(_ name: String, in folder: String) -> String {
        folder == "/" ? "/\(name)" : "\(folder)/\(name)"
    }

    /// One file, from wherever its last attempt stopped. Returns the final remote path.
    private func deliverOne(_ delivery: Delivery) throws -> String? {
        let name = delivery.localPath.split(separator: "/").last.map(String.init) ?? delivery.localPath
        let temporary = remote(".\(name).relais-\(delivery.id).part", in: delivery.remoteFolder)

        // The local file changed or went since it was recorded: a newer row carries it, if any.
        guard let info = Daemon.statRegular(delivery.localPath), info.size == delivery.localSize else {
            try store.markSuperseded(deliveryID: delivery.id)
            return nil
        }

        return try link.use { remoteClient in
            var state = delivery.state
            if state == .uploaded, try remoteClient.stat(temporary) == nil {
                // The rename may have happened just before a crash: the final name tells.
                if let final = delivery.remoteName,
                    let there = try remoteClient.stat(remote(final, in: delivery.remoteFolder)),
                    there.size == delivery.localSize
                {
                    try store.markDelivered(deliveryID: delivery.id, name: final)
                    return remote(final, in: delivery.remoteFolder)
                }
                try store.markBackToPending(deliveryID: delivery.id)
                state = .pending
            }
            if state == .pending {
                try upload(delivery, to: temporary, remoteClient)
                try store.markUploaded(deliveryID: delivery.id)
            }
            let final = try rename(temporary, name: name, delivery, remoteClient)
            try store.markDelivered(deliveryID: delivery.id, name: final)
            let path = remote(final, in: delivery.remoteFolder)
            log.info("file delivered", ["client": client.id, "server": sftp.endpoint.server, "file": path])
            return path
        }
    }

    /// Uploads the local file under the temporary name and checks the server has it whole.
    private func upload(_ delivery: Delivery, to temporary: String, _ remoteClient: SFTPClient) throws {
        let file = try ReadableFile(path: delivery.localPath)
        defer { file.close() }
        var offset: Int64 = 0
        let written = try remoteClient.write(temporary) {
            let piece = try file.read(at: offset, count: 65_536)
            if piece.isEmpty { return nil }
            offset += Int64(piece.count)
            uploadProgress(offset)
            return piece
        }
        guard let there = try remoteClient.stat(temporary), there.size == delivery.localSize,
            written == delivery.localSize
        else {
            throw remoteClient.ssh.failure(
                "check \(temporary)",
                "the server holds a different size than the \(delivery.localSize) bytes sent")
        }
    }

    /// The temporary file to its final name, by the configured rule for a name that exists.
    /// The chosen name is recorded before each rename, so that a crash right after is seen.
    private func rename(_ temporary: String, name: String, _ delivery: Delivery, _ remoteClient: SFTPClient)
        throws -> String
    {
        let folder = delivery.remoteFolder
        switch target.existingName {
        case .replace:
            try store.noteRemoteName(deliveryID: delivery.id, name: name)
            let final = remote(name, in: folder)
            if try remoteClient.posixRename(temporary, to: final) { return name }
            // No posix-rename on this server: remove then rename, so the name is briefly absent
            // (never partial).
            if try !remoteClient.renameIfAbsent(temporary, to: final) {
                try remoteClient.remove(final)
                guard try remoteClient.renameIfAbsent(temporary, to: final) else {
                    throw remoteClient.ssh.failure(
                        "rename \(temporary)", kind: .refused, "\(final) reappeared")
                }
            }
            return name
        case .keepBoth:
            let (stem, suffix) = Self.split(name)
            for attempt in 1...1000 {
                let candidate = attempt == 1 ? name : "\(stem)-\(attempt)\(suffix)"
                try store.noteRemoteName(deliveryID: delivery.id, name: candidate)
                if try remoteClient.renameIfAbsent(temporary, to: remote(candidate, in: folder)) {
                    return candidate
                }
            }
            throw remoteClient.ssh.failure(
                "rename \(temporary)", kind: .refused,
                "names \(name) to \(stem)-1000\(suffix) all exist in \(folder)")
        }
    }

    /// `report.csv` → (`report`, `.csv`); a name without an extension keeps an empty suffix.
    static func split(_ name: String) -> (String, String) {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return (name, "") }
        return (String(name[..<dot]), String(name[dot...]))
    }
}

/// A connection to share between a client's pickup and its delivery, so that one poll opens
/// one session.
public final class SFTPLinkSharing {
    let link: SFTPLink

    /// The session of `pickup`, for a delivery to use after it.
    public init(_ pickup: SFTPPickup) {
        link = pickup.link
    }
}
