/// A failure talking to a client's SFTP server: which server, which step, and why, in words an
/// operator can act on (`sftp 10.0.0.5:22: host key check: the server's key changed ...`).
public struct SFTPError: Error, CustomStringConvertible {
    /// What kind of failure, so that callers can tell a refusal from a timeout.
    public enum Kind: Sendable, Equatable {
        /// The host is not in known_hosts: nothing was sent or read.
        case unknownHost
        /// The host is in known_hosts with another key: nothing was sent or read.
        case hostKeyChanged
        /// The server did not answer within the deadline.
        case timeout
        /// The server refused the credentials.
        case authentication
        /// The remote path does not exist (SFTP status 2 or 10).
        case noSuchFile
        /// The server answered and said no (permission denied, a name that exists ...): the
        /// connection itself is sound.
        case refused
        /// Anything else: the connection dropped, a protocol error, a local file.
        case other
    }

    /// `host:port`, as configured.
    public let server: String
    /// The step that failed: `connect`, `handshake`, `host key check`, `list /outgoing` ...
    public let step: String
    public let kind: Kind
    public let message: String

    /// An error for `server` at `step`, in words an operator can act on.
    public init(server: String, step: String, kind: Kind = .other, _ message: String) {
        self.server = server
        self.step = step
        self.kind = kind
        self.message = message
    }

    public var description: String { "sftp \(server): \(step): \(message)" }
}
