import CSSH2
import Glibc

/// How to reach and trust one SFTP server: what `SSHSession.connect` needs, as plain values.
public struct SSHEndpoint: Sendable {
    public enum Credential: Sendable {
        /// A private key file, and the file holding its passphrase when it has one.
        case key(file: String, passphraseFile: String?)
        /// A file holding the password (never the password itself).
        case passwordFile(String)
    }

    public var host: String
    public var port: Int
    public var user: String
    public var credential: Credential
    public var knownHosts: String
    public var connectTimeout: Double
    public var operationTimeout: Double
    public var keepaliveSeconds: Int

    /// An endpoint as the configuration gives it.
    public init(
        host: String, port: Int, user: String, credential: Credential, knownHosts: String,
        connectTimeout: Double, operationTimeout: Double, keepaliveSeconds: Int
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.credential = credential
        self.knownHosts = knownHosts
        self.connectTimeout = connectTimeout
        self.operationTimeout = operationTimeout
        self.keepaliveSeconds = keepaliveSeconds
    }

    /// `host:port`, the name every message uses.
    public var server: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// One SSH connection through libssh2, in non-blocking mode: every libssh2 call that would block
/// returns `EAGAIN`, and `retry` waits on the socket with `poll()` until the call's deadline.
/// A server that stops answering therefore fails the call after `operationTimeout` seconds,
/// whatever state the connection is in.
///
/// The host key is checked against the known_hosts file before any credential is sent. One
/// session is used by one thread at a time (libssh2 sessions are not thread-safe).
final class SSHSession {
    let endpoint: SSHEndpoint
    private(set) var session: OpaquePointer?
    private var socket: Int32 = -1
    private var lastKeepalive = Clock.monotonic()

    /// libssh2_init is not thread-safe: done once, before any thread makes a session. SIGPIPE is
    /// ignored so that writing to a socket the server closed is an error, not the end of the
    /// daemon.
    private static let libraryReady: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return libssh2_init(0) == 0
    }()

    private init(endpoint: SSHEndpoint) {
        self.endpoint = endpoint
    }

    deinit { release() }

    /// Connects, checks the host key, and authenticates.
    static func connect(_ endpoint: SSHEndpoint) throws -> SSHSession {
        let ssh = SSHSession(endpoint: endpoint)
        guard libraryReady else { throw ssh.failure("start", "libssh2_init failed") }
        do {
            // Credentials are read first: a missing key file is reported without touching the net.
            let secret = try ssh.readCredential()
            try ssh.openSocket()
            guard let session = libssh2_session_init_ex(nil, nil, nil, nil) else {
                throw ssh.failure("start", "libssh2_session_init failed")
            }
            ssh.session = session
            libssh2_session_set_blocking(session, 0)
            let deadline = Clock.monotonic() + endpoint.connectTimeout
            let handshake = try ssh.retry("handshake", until: deadline, limit: endpoint.connectTimeout) {
                libssh2_session_handshake(session, ssh.socket)
            }
            guard handshake == 0 else { throw ssh.failure("handshake", ssh.libraryMessage()) }
            try ssh.checkHostKey()
            try ssh.authenticate(secret, deadline: deadline)
            if endpoint.keepaliveSeconds > 0 {
                libssh2_keepalive_config(session, 1, UInt32(endpoint.keepaliveSeconds))
            }
            return ssh
        } catch {
            ssh.release()
            throw error
        }
    }

    /// Says goodbye to the server (at most 2 s) and frees everything; after a timeout
    /// (`politely: false`) it frees at once, as a server that stopped answering will not reply.
    func close(politely: Bool = true) {
        if politely, let session {
            let deadline = Clock.monotonic() + min(2, endpoint.operationTimeout)
            _ = try? retry("disconnect", until: deadline) {
                libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, "relais done", "")
            }
        }
        release()
    }

    private func release() {
        if let session {
            libssh2_session_free(session)
            self.session = nil
        }
        if socket >= 0 {
            Glibc.close(socket)
            socket = -1
        }
    }

    // MARK: Waiting

    /// Runs a libssh2 call until it stops answering `EAGAIN`, waiting on the socket in between,
    /// and fails with a timeout at the deadline. Returns the call's final return code.
    @discardableResult
    func retry(_ step: String, until deadline: Double? = nil, limit: Double? = nil, _ call: () -> Int32)
        throws
        -> Int32
    {
        let deadline = deadline ?? Clock.monotonic() + endpoint.operationTimeout
        while true {
            let rc = call()
            if rc != LIBSSH2_ERROR_EAGAIN { return rc }
            try waitForSocket(step, deadline: deadline, limit: limit)
        }
    }

    /// The same for libssh2 calls that return a pointer, NULL with `EAGAIN` meaning "again".
    func retryPointer(_ step: String, _ call: () -> OpaquePointer?) throws -> OpaquePointer {
        let deadline = Clock.monotonic() + endpoint.operationTimeout
        while true {
            if let pointer = call() { return pointer }
            guard let session, libssh2_session_last_errno(session) == LIBSSH2_ERROR_EAGAIN else {
                throw failure(step, libraryMessage())
            }
            try waitForSocket(step, deadline: deadline)
        }
    }

    /// Waits until the socket can move in the direction libssh2 is blocked on.
    /// `limit` is the length of the deadline, for the message (the operation timeout unless said).
    func waitForSocket(_ step: String, deadline: Double, limit: Double? = nil) throws {
        let remaining = deadline - Clock.monotonic()
        guard remaining > 0, let session else {
            let seconds = Self.seconds(limit ?? endpoint.operationTimeout)
            throw failure(step, kind: .timeout, "no answer within \(seconds) s")
        }
        let directions = libssh2_session_block_directions(session)
        var events: Int16 = 0
        if directions & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { events |= Int16(POLLIN) }
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
        if events == 0 { events = Int16(POLLIN) }
        var descriptor = pollfd(fd: socket, events: events, revents: 0)
        // Short slices, so that keepalives go out during a long wait on a slow server.
        let slice = Int32(max(1, min(remaining, 1) * 1000))
        if poll(&descriptor, 1, slice) < 0 && errno != EINTR {
            throw failure(step, "poll: \(String(cString: strerror(errno)))")
        }
        keepAlive()
    }

    /// Sends a keepalive when one is due; libssh2 decides, from the configured interval.
    func keepAlive() {
        guard let session, endpoint.keepaliveSeconds > 0 else { return }
        let now = Clock.monotonic()
        guard now - lastKeepalive >= 1 else { return }
        lastKeepalive = now
        var next: Int32 = 0
        _ = libssh2_keepalive_send(session, &next)
    }

    // MARK: Steps

    private func openSocket() throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        // getaddrinfo has no deadline of its own: a hanging resolver holds this client's thread
        // (and only it) until the system resolver gives up, 5 s per attempt by default.
        let rc = getaddrinfo(endpoint.host, String(endpoint.port), &hints, &list)
        guard rc == 0, let first = list else {
            throw failure("resolve", String(cString: gai_strerror(rc)))
        }
        defer { freeaddrinfo(list) }

        let deadline = Clock.monotonic() + endpoint.connectTimeout
        var lastError = "no address"
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let address = candidate {
            candidate = address.pointee.ai_next
            let fd = Glibc.socket(
                address.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { continue }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            if Glibc.connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 {
                socket = fd
                return
            }
            guard errno == EINPROGRESS else {
                lastError = String(cString: strerror(errno))
                Glibc.close(fd)
                continue
            }
            var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let wait = Int32(max(0, (deadline - Clock.monotonic()) * 1000))
            let ready = poll(&descriptor, 1, wait)
            if ready == 0 {
                Glibc.close(fd)
                throw failure(
                    "connect", kind: .timeout,
                    "no answer within \(Self.seconds(endpoint.connectTimeout)) s")
            }
            var code: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
            if ready > 0 && code == 0 {
                socket = fd
                return
            }
            lastError = String(cString: strerror(code != 0 ? code : errno))
            Glibc.close(fd)
        }
        throw failure("connect", lastError)
    }

    /// The server's key against the known_hosts file: an unknown host or another key refuses
    /// the connection before any credential is sent or any file read.
    private func checkHostKey() throws {
        guard let session else { return }
        var length = 0
        var type: Int32 = 0
        guard let key = libssh2_session_hostkey(session, &length, &type) else {
            throw failure("host key check", "the server sent no host key")
        }
        let offered = "\(Self.keyTypeName(type)) \(fingerprint())"
        guard let hosts = libssh2_knownhost_init(session) else {
            throw failure("host key check", "libssh2_knownhost_init failed")
        }
        defer { libssh2_knownhost_free(hosts) }
        guard access(endpoint.knownHosts, R_OK) == 0 else {
            throw failure(
                "host key check", kind: .unknownHost,
                "cannot read known_hosts file \(endpoint.knownHosts): \(String(cString: strerror(errno)))")
        }
        if libssh2_knownhost_readfile(hosts, endpoint.knownHosts, LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0 {
            throw failure(
                "host key check", "cannot parse known_hosts file \(endpoint.knownHosts): \(libraryMessage())")
        }
        // With a port other than 22, libssh2 looks for the `[host]:port` form, as OpenSSH does.
        let mask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | Self.knownHostKeyBits(type)
        var entry: UnsafeMutablePointer<libssh2_knownhost>?
        let result = libssh2_knownhost_checkp(
            hosts, endpoint.host, Int32(endpoint.port), key, length, mask, &entry)
        let known = endpoint.port == 22 ? endpoint.host : "[\(endpoint.host)]:\(endpoint.port)"
        switch result {
        case LIBSSH2_KNOWNHOST_CHECK_MATCH:
            return
        case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
            throw failure(
                "host key check", kind: .hostKeyChanged,
                "the server's key changed: \(endpoint.knownHosts) holds another key for \(known), "
                    + "the server offered \(offered); refused (confirm the new key with the client "
                    + "before replacing the line)")
        case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
            throw failure(
                "host key check", kind: .unknownHost,
                "unknown host: \(known) is not in \(endpoint.knownHosts) (the server offered \(offered)); "
                    + "refused (add the key once confirmed with the client)")
        default:
            throw failure("host key check", "known_hosts check failed: \(libraryMessage())")
        }
    }

    private enum Secret {
        case key(file: String, passphrase: String?)
        case password(String)
    }

    private func readCredential() throws -> Secret {
        switch endpoint.credential {
        case .key(let file, let passphraseFile):
            guard access(file, R_OK) == 0 else {
                throw failure(
                    "credentials", "cannot read identity file \(file): \(String(cString: strerror(errno)))")
            }
            return .key(
                file: file, passphrase: try passphraseFile.map { try readSecret($0, what: "passphrase") })
        case .passwordFile(let file):
            return .password(try readSecret(file, what: "password"))
        }
    }

    /// The first line of a secret file. The secret itself never appears in a message.
    private func readSecret(_ path: String, what: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw failure(
                "credentials", "cannot read \(what) file \(path): \(String(cString: strerror(errno)))")
        }
        defer { Glibc.close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 65_536 {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        let line = bytes.split(separator: 0x0A, maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        let text = String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
        guard !text.isEmpty else { throw failure("credentials", "\(what) file \(path) is empty") }
        return text
    }

    private func authenticate(_ secret: Secret, deadline: Double) throws {
        guard let session else { return }
        let user = endpoint.user
        let rc: Int32
        switch secret {
        case .key(let file, let passphrase):
            // The public half is derived from the private key (OpenSSL back end), so no .pub is needed.
            rc = try retry("authentication", until: deadline, limit: endpoint.connectTimeout) {
                libssh2_userauth_publickey_fromfile_ex(
                    session, user, UInt32(user.utf8.count), nil, file, passphrase)
            }
        case .password(let password):
            rc = try retry("authentication", until: deadline, limit: endpoint.connectTimeout) {
                libssh2_userauth_password_ex(
                    session, user, UInt32(user.utf8.count), password,
                    UInt32(password.utf8.count), nil)
            }
        }
        guard rc == 0 else {
            let how: String
            switch secret {
            case .key(let file, _): how = "key \(file)"
            case .password: how = "password"
            }
            throw failure(
                "authentication", kind: .authentication,
                "user \(user) with \(how) refused: \(libraryMessage())")
        }
    }

    // MARK: Messages

    func failure(_ step: String, kind: SFTPError.Kind = .other, _ message: String) -> SFTPError {
        SFTPError(server: endpoint.server, step: step, kind: kind, message)
    }

    /// libssh2's own message for the last error.
    func libraryMessage() -> String {
        guard let session else { return "no session" }
        var text: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        let code = libssh2_session_last_error(session, &text, &length, 0)
        let message = text.map { String(cString: $0) } ?? ""
        return message.isEmpty ? "libssh2 error \(code)" : "\(message) (libssh2 error \(code))"
    }

    /// `SHA256:` and the base64 digest, as `ssh-keygen -l` prints it.
    private func fingerprint() -> String {
        guard let session, let hash = libssh2_hostkey_hash(session, LIBSSH2_HOSTKEY_HASH_SHA256) else {
            return ""
        }
        let bytes = UnsafeRawBufferPointer(start: hash, count: 32)
        return "SHA256:" + Self.base64(Array(bytes)).replacingOccurrences(of: "=", with: "")
    }

    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var text = ""
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            let value = chunk.enumerated().reduce(0) { $0 | (Int($1.element) << (16 - 8 * $1.offset)) }
            for position in 0..<4 {
                text.append(position <= chunk.count ? alphabet[(value >> (18 - 6 * position)) & 63] : "=")
            }
            index += 3
        }
        return text
    }

    private static func keyTypeName(_ type: Int32) -> String {
        switch type {
        case LIBSSH2_HOSTKEY_TYPE_RSA: return "ssh-rsa"
        case LIBSSH2_HOSTKEY_TYPE_DSS: return "ssh-dss"
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return "ecdsa-sha2-nistp256"
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return "ecdsa-sha2-nistp384"
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return "ecdsa-sha2-nistp521"
        case LIBSSH2_HOSTKEY_TYPE_ED25519: return "ssh-ed25519"
        default: return "unknown key type"
        }
    }

    /// The known_hosts key-type bits for a host key type, so that only lines of the same type
    /// are compared (a host may be listed once per key type, as OpenSSH writes it).
    private static func knownHostKeyBits(_ type: Int32) -> Int32 {
        switch type {
        case LIBSSH2_HOSTKEY_TYPE_RSA: return LIBSSH2_KNOWNHOST_KEY_SSHRSA
        case LIBSSH2_HOSTKEY_TYPE_DSS: return LIBSSH2_KNOWNHOST_KEY_SSHDSS
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return LIBSSH2_KNOWNHOST_KEY_ECDSA_256
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return LIBSSH2_KNOWNHOST_KEY_ECDSA_384
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return LIBSSH2_KNOWNHOST_KEY_ECDSA_521
        case LIBSSH2_HOSTKEY_TYPE_ED25519: return LIBSSH2_KNOWNHOST_KEY_ED25519
        default: return 0
        }
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
