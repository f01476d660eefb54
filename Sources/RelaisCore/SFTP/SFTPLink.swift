/// The connection to one client's server, opened when first needed and kept while in use;
/// after any failure on it, it is dropped and the next use connects afresh (libssh2 leaves a
/// session in an unknown state after a timeout).
///
/// A connection idle longer than `idleLimit` is not reused: servers and firewalls drop idle
/// sessions without a word, and a poll that began on such a one would fail for nothing. With a
/// poll interval above the limit, each poll therefore makes one new connection.
final class SFTPLink {
    let endpoint: SSHEndpoint
    private var client: SFTPClient?
    private var lastUsed = Clock.monotonic()
    var idleLimit: Double = 20

    init(endpoint: SSHEndpoint) {
        self.endpoint = endpoint
    }

    deinit { client?.close() }

    /// Runs `body` with a connected client.
    @discardableResult
    func use<T>(_ body: (SFTPClient) throws -> T) throws -> T {
        if client != nil && Clock.monotonic() - lastUsed > idleLimit { drop() }
        let connected = try client ?? SFTPClient.connect(endpoint)
        client = connected
        defer { lastUsed = Clock.monotonic() }
        do {
            return try body(connected)
        } catch let error as SFTPError where error.kind != .noSuchFile && error.kind != .refused {
            drop(politely: error.kind != .timeout)
            throw error
        }
    }

    /// Closes the connection, if any.
    func drop(politely: Bool = true) {
        client?.close(politely: politely)
        client = nil
    }
}
