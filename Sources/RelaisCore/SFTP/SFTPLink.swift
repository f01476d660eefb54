/// The connection to one client's server, opened when first needed and kept between polls;
/// after any failure on it, it is dropped and the next use connects afresh (libssh2 leaves a
/// session in an unknown state after a timeout).
final class SFTPLink {
    let endpoint: SSHEndpoint
    private var client: SFTPClient?

    init(endpoint: SSHEndpoint) {
        self.endpoint = endpoint
    }

    deinit { client?.close() }

    /// Runs `body` with a connected client.
    @discardableResult
    func use<T>(_ body: (SFTPClient) throws -> T) throws -> T {
        let connected = try client ?? SFTPClient.connect(endpoint)
        client = connected
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
