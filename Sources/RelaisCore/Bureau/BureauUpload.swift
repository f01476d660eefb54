import Glibc

/// Sends each bureau file written to the bureau's SFTP server, when the bureau has one: under a
/// temporary name, its size checked, then renamed, so that the bureau never sees a partial file.
/// Each file is recorded as sent (`bureau_files.uploaded_at`); one that could not be sent keeps
/// its reason and is tried again at the next schedule check, until it is sent.
public struct BureauUpload {
    let configuration: Configuration
    let log: Log

    public init(configuration: Configuration, log: Log) {
        self.configuration = configuration
        self.log = log
    }

    /// Sends what is waiting for every bureau that has a server; returns the paths sent. A
    /// bureau that fails is logged, and the others still go.
    @discardableResult
    public func sendPending(store: CaseStore) -> [String] {
        guard let bureaus = configuration.bureaus else { return [] }
        var sent: [String] = []
        for bureau in Bureau.allCases {
            guard let feed = bureaus.feeds[bureau], let upload = feed.upload else { continue }
            do {
                let waiting = try store.connection.rows(
                    "SELECT id, path FROM bureau_files WHERE bureau = ? AND uploaded_at IS "
                        + "NULL ORDER BY month",
                    [.text(bureau.rawValue)])
                guard !waiting.isEmpty else { continue }
                let client: SFTPClient
                do {
                    client = try SFTPClient.connect(upload.endpoint)
                } catch {
                    // Every file waiting keeps the reason, for an operator who asks the store.
                    try store.connection.run(
                        "UPDATE bureau_files SET upload_error = ? WHERE bureau = ? AND uploaded_at IS NULL",
                        [.text("\(error)"), .text(bureau.rawValue)])
                    throw error
                }
                defer { client.close() }
                for row in waiting {
                    guard let id = row[0].int, let path = row[1].text else { continue }
                    do {
                        let remote = try send(path, to: upload.remoteFolder, client)
                        try store.connection.run(
                            "UPDATE bureau_files SET uploaded_at = ?, upload_error = NULL WHERE id = ?",
                            [.text(Timestamp.now()), .integer(id)])
                        log.info(
                            "bureau file sent",
                            [
                                "bureau": bureau.rawValue, "server": client.server,
                                "file": remote,
                            ])
                        sent.append(path)
                    } catch {
                        try store.connection.run(
                            "UPDATE bureau_files SET upload_error = ? WHERE id = ?",
                            [.text("\(error)"), .integer(id)])
                        throw error
                    }
                }
            } catch {
                log.error(
                    "bureau file not sent; will retry", ["bureau": bureau.rawValue, "error": "\(error)"])
            }
        }
        return sent
    }

    /// One file: written as `.NAME.relais-upload`, checked, renamed to NAME (over an earlier
    /// copy of the same month, which a rewrite replaces). Returns the remote path.
    private func send(_ path: String, to folder: String, _ client: SFTPClient) throws -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let final = folder == "/" ? "/\(name)" : "\(folder)/\(name)"
        let temporary = (folder == "/" ? "" : folder) + "/.\(name).relais-upload"
        var info = stat()
        guard lstat(path, &info) == 0 else { throw FileError(path: path, operation: "stat", errno: errno) }
        let file = try ReadableFile(path: path)
        defer { file.close() }
        var offset: Int64 = 0
        let written = try client.write(temporary) {
            let piece = try file.read(at: offset, count: 65_536)
            if piece.isEmpty { return nil }
            offset += Int64(piece.count)
            return piece
        }
        guard written == Int64(info.st_size), let there = try client.stat(temporary), there.size == written
        else {
            throw client.ssh.failure(
                "check \(temporary)", "the server holds a different size than the \(info.st_size) bytes sent")
        }
        if try !client.renameIfAbsent(temporary, to: final) {
            guard try client.posixRename(temporary, to: final) else {
                throw client.ssh.failure(
                    "rename \(temporary)", "\(final) exists and the server cannot replace it")
            }
        }
        return final
    }
}
