import CSSH2
import Glibc

/// What a listing or a stat says of one remote entry.
public struct RemoteAttributes: Sendable, Equatable {
    public var size: Int64
    /// The server's modification time in seconds. It is compared only with itself (has this
    /// file changed since the last listing?), never with the local clock.
    public var modified: Int64
    public var isRegularFile: Bool
}

/// The SFTP subsystem over one `SSHSession`: listing, reading, writing, renaming, removing.
/// Every call has the session's operation deadline. Paths are the server's, absolute or
/// relative to the account's home (or chroot).
final class SFTPClient {
    let ssh: SSHSession
    private let sftp: OpaquePointer

    /// Connects, checks the host key, authenticates, and starts the SFTP subsystem.
    static func connect(_ endpoint: SSHEndpoint) throws -> SFTPClient {
        let ssh = try SSHSession.connect(endpoint)
        do {
            let sftp = try ssh.retryPointer("start sftp") { libssh2_sftp_init(ssh.session) }
            return SFTPClient(ssh: ssh, sftp: sftp)
        } catch {
            ssh.close()
            throw error
        }
    }

    private init(ssh: SSHSession, sftp: OpaquePointer) {
        self.ssh = ssh
        self.sftp = sftp
    }

    var server: String { ssh.endpoint.server }

    /// Ends the SFTP subsystem and the session.
    func close(politely: Bool = true) {
        if politely {
            _ = try? ssh.retry("stop sftp", until: Clock.monotonic() + 2) { libssh2_sftp_shutdown(sftp) }
        }
        ssh.close(politely: politely)
    }

    // MARK: Listing

    /// Calls `body` for each entry of `folder` as the server sends them, a few dozen at a time:
    /// a folder of any size is never held in memory here. `.` and `..` are skipped.
    func list(_ folder: String, _ body: (String, RemoteAttributes) throws -> Void) throws {
        let step = "list \(folder)"
        let handle = try open(folder, flags: 0, mode: 0, type: LIBSSH2_SFTP_OPENDIR, step: step)
        defer { closeHandle(handle, step: step) }
        var name = [CChar](repeating: 0, count: 1024)
        while true {
            var attributes = LIBSSH2_SFTP_ATTRIBUTES()
            let length = try ssh.retry(step) {
                libssh2_sftp_readdir_ex(handle, &name, name.count, nil, 0, &attributes)
            }
            if length == 0 { return }
            guard length > 0 else { throw failure(step, rc: length) }
            let entry = name.withUnsafeBufferPointer { buffer in
                String(
                    decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(length)),
                    as: UTF8.self)
            }
            if entry == "." || entry == ".." { continue }
            try body(entry, Self.attributes(attributes))
        }
    }

    /// The attributes of a remote path, or nil when there is nothing there.
    func stat(_ path: String) throws -> RemoteAttributes? {
        var attributes = LIBSSH2_SFTP_ATTRIBUTES()
        let rc = try ssh.retry("stat \(path)") {
            libssh2_sftp_stat_ex(sftp, path, UInt32(path.utf8.count), LIBSSH2_SFTP_STAT, &attributes)
        }
        if rc == 0 { return Self.attributes(attributes) }
        if isNoSuchFile(rc) { return nil }
        throw failure("stat \(path)", rc: rc)
    }

    private static func attributes(_ a: LIBSSH2_SFTP_ATTRIBUTES) -> RemoteAttributes {
        let flags = UInt(a.flags)
        let size = flags & UInt(LIBSSH2_SFTP_ATTR_SIZE) != 0 ? Int64(a.filesize) : -1
        let modified = flags & UInt(LIBSSH2_SFTP_ATTR_ACMODTIME) != 0 ? Int64(a.mtime) : 0
        // A server that sends no permissions says nothing of the type: taken as a file.
        let regular =
            flags & UInt(LIBSSH2_SFTP_ATTR_PERMISSIONS) == 0
            || (UInt(a.permissions) & UInt(LIBSSH2_SFTP_S_IFMT)) == UInt(LIBSSH2_SFTP_S_IFREG)
        return RemoteAttributes(size: size, modified: modified, isRegularFile: regular)
    }

    // MARK: Files

    /// Reads a remote file from the start, handing each piece to `body` as it arrives.
    /// Returns the number of bytes read.
    @discardableResult
    func read(_ path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        let step = "download \(path)"
        let handle = try open(
            path, flags: UInt(LIBSSH2_FXF_READ), mode: 0, type: LIBSSH2_SFTP_OPENFILE, step: step)
        defer { closeHandle(handle, step: step) }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var total: Int64 = 0
        while true {
            var count = 0
            let rc = try ssh.retry(step) {
                let n = buffer.withUnsafeMutableBytes { raw in
                    libssh2_sftp_read(handle, raw.baseAddress!.assumingMemoryBound(to: CChar.self), raw.count)
                }
                count = n
                return n < 0 ? Int32(n) : 0
            }
            if rc < 0 { throw failure(step, rc: rc) }
            if count == 0 { return total }
            total += Int64(count)
            try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
    }

    /// Writes a remote file (created, or truncated), pulling pieces from `next` until it returns
    /// nil; then asks the server to flush it (fsync@openssh.com, where offered) and closes it.
    /// A close that fails is an error: the server may not have the whole file.
    func write(_ path: String, next: () throws -> [UInt8]?) throws -> Int64 {
        let step = "upload \(path)"
        let flags = UInt(LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC)
        let handle = try open(path, flags: flags, mode: 0o640, type: LIBSSH2_SFTP_OPENFILE, step: step)
        var total: Int64 = 0
        do {
            while let piece = try next() {
                var offset = 0
                while offset < piece.count {
                    var written = 0
                    let rc = try ssh.retry(step) {
                        let n = piece.withUnsafeBytes { raw in
                            libssh2_sftp_write(
                                handle,
                                raw.baseAddress!.advanced(by: offset)
                                    .assumingMemoryBound(to: CChar.self), raw.count - offset)
                        }
                        written = n
                        return n < 0 ? Int32(n) : 0
                    }
                    if rc < 0 { throw failure(step, rc: rc) }
                    offset += written
                }
                total += Int64(piece.count)
            }
            // fsync@openssh.com: an older server without it still gets the close.
            _ = try ssh.retry(step) { libssh2_sftp_fsync(handle) }
        } catch {
            closeHandle(handle, step: step)
            throw error
        }
        let rc = try ssh.retry(step) { libssh2_sftp_close_handle(handle) }
        guard rc == 0 else { throw failure("close \(path)", rc: rc) }
        return total
    }

    /// SFTP v3 rename, which never replaces an existing name. Returns false when the target
    /// exists (the server's refusal, confirmed by a stat); throws for anything else.
    func renameIfAbsent(_ source: String, to target: String) throws -> Bool {
        let step = "rename \(source) to \(target)"
        let rc = try ssh.retry(step) {
            libssh2_sftp_rename_ex(
                sftp, source, UInt32(source.utf8.count), target, UInt32(target.utf8.count),
                Int(LIBSSH2_SFTP_RENAME_ATOMIC | LIBSSH2_SFTP_RENAME_NATIVE))
        }
        if rc == 0 { return true }
        let error = failure(step, rc: rc)
        // OpenSSH answers a generic failure when the target exists.
        if try stat(target) != nil { return false }
        throw error
    }

    /// Renames over an existing name in one step, with the posix-rename@openssh.com extension.
    /// Returns false when the server does not offer it.
    ///
    /// libssh2 1.10 has no call for this extension, so the request is written on the SFTP
    /// channel directly, when no other request is outstanding, and its status read back. This
    /// relies on libssh2 keeping nothing of the channel buffered between two completed calls,
    /// which holds for its SFTP layer (it reads exactly one packet per reply).
    func posixRename(_ source: String, to target: String) throws -> Bool {
        let step = "posix-rename \(source) to \(target)"
        guard let channel = libssh2_sftp_get_channel(sftp) else { throw ssh.failure(step, "no sftp channel") }
        let id: UInt32 = 0x7E1A_1500
        var body: [UInt8] = [200]  // SSH_FXP_EXTENDED
        Self.append(id, to: &body)
        for text in ["posix-rename@openssh.com", source, target] {
            Self.append(UInt32(text.utf8.count), to: &body)
            body.append(contentsOf: text.utf8)
        }
        var packet: [UInt8] = []
        Self.append(UInt32(body.count), to: &packet)
        packet.append(contentsOf: body)

        var sent = 0
        while sent < packet.count {
            var n = 0
            let rc = try ssh.retry(step) {
                n = packet.withUnsafeBytes { raw in
                    libssh2_channel_write_ex(
                        channel, 0,
                        raw.baseAddress!.advanced(by: sent)
                            .assumingMemoryBound(to: CChar.self), raw.count - sent)
                }
                return n < 0 ? Int32(n) : 0
            }
            if rc < 0 { throw ssh.failure(step, ssh.libraryMessage()) }
            sent += n
        }

        // Replies to requests libssh2 abandoned earlier (a read-ahead cut short) may come first:
        // they are skipped, as libssh2 itself would drop them.
        var reply: [UInt8] = []
        for _ in 0..<64 {
            let header = try readChannel(channel, count: 4, step: step)
            let length = Int(header.reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            guard length >= 5, length < 1 << 20 else {
                throw ssh.failure(step, "malformed reply (\(length) bytes)")
            }
            let packet = try readChannel(channel, count: length, step: step)
            if packet[1..<5].reduce(UInt32(0), { $0 << 8 | UInt32($1) }) == id {
                reply = packet
                break
            }
        }
        guard reply.count >= 9, reply[0] == 101 else {  // SSH_FXP_STATUS
            throw ssh.failure(step, "no status reply to the request")
        }
        let status = reply[5..<9].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        switch UInt(status) {
        case 0: return true
        case LIBSSH2_FX_OP_UNSUPPORTED: return false
        default:
            throw ssh.failure(step, kind: .refused, "the server refused: \(Self.statusName(UInt(status)))")
        }
    }

    private func readChannel(_ channel: OpaquePointer, count: Int, step: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var have = 0
        while have < count {
            var n = 0
            let rc = try ssh.retry(step) {
                n = bytes.withUnsafeMutableBytes { raw in
                    libssh2_channel_read_ex(
                        channel, 0,
                        raw.baseAddress!.advanced(by: have)
                            .assumingMemoryBound(to: CChar.self), count - have)
                }
                return n < 0 ? Int32(n) : 0
            }
            if rc < 0 { throw ssh.failure(step, ssh.libraryMessage()) }
            if n == 0 { throw ssh.failure(step, "the channel closed") }
            have += n
        }
        return bytes
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: [
            UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF),
            UInt8(value & 0xFF),
        ])
    }

    /// Removes a remote file; returns false when it was already gone.
    @discardableResult
    func remove(_ path: String) throws -> Bool {
        let rc = try ssh.retry("remove \(path)") {
            libssh2_sftp_unlink_ex(sftp, path, UInt32(path.utf8.count))
        }
        if rc == 0 { return true }
        if isNoSuchFile(rc) { return false }
        throw failure("remove \(path)", rc: rc)
    }

    /// Creates a remote folder unless it exists.
    func makeFolder(_ path: String) throws {
        let rc = try ssh.retry("make folder \(path)") {
            libssh2_sftp_mkdir_ex(sftp, path, UInt32(path.utf8.count), 0o750)
        }
        if rc == 0 { return }
        let error = failure("make folder \(path)", rc: rc)
        if let existing = try stat(path), !existing.isRegularFile { return }
        throw error
    }

    // MARK: Handles and errors

    private func open(_ path: String, flags: UInt, mode: Int, type: Int32, step: String) throws
        -> OpaquePointer
    {
        let deadline = Clock.monotonic() + ssh.endpoint.operationTimeout
        while true {
            if let handle = libssh2_sftp_open_ex(sftp, path, UInt32(path.utf8.count), flags, mode, type) {
                return handle
            }
            let code = libssh2_session_last_errno(ssh.session)
            guard code == LIBSSH2_ERROR_EAGAIN else { throw failure(step, rc: code) }
            try ssh.waitForSocket(step, deadline: deadline)
        }
    }

    /// Closes a handle after an error or at the end of a read; a failure here changes nothing.
    private func closeHandle(_ handle: OpaquePointer, step: String) {
        _ = try? ssh.retry(step) { libssh2_sftp_close_handle(handle) }
    }

    private func isNoSuchFile(_ rc: Int32) -> Bool {
        guard rc == LIBSSH2_ERROR_SFTP_PROTOCOL else { return false }
        let status = libssh2_sftp_last_error(sftp)
        return status == LIBSSH2_FX_NO_SUCH_FILE || status == LIBSSH2_FX_NO_SUCH_PATH
    }

    func failure(_ step: String, rc: Int32) -> SFTPError {
        if rc == LIBSSH2_ERROR_SFTP_PROTOCOL {
            let status = libssh2_sftp_last_error(sftp)
            let kind: SFTPError.Kind =
                status == LIBSSH2_FX_NO_SUCH_FILE || status == LIBSSH2_FX_NO_SUCH_PATH
                ? .noSuchFile : .refused
            return ssh.failure(step, kind: kind, "the server refused: \(Self.statusName(status))")
        }
        if rc == LIBSSH2_ERROR_TIMEOUT || rc == LIBSSH2_ERROR_SOCKET_TIMEOUT {
            return ssh.failure(step, kind: .timeout, ssh.libraryMessage())
        }
        return ssh.failure(step, ssh.libraryMessage())
    }

    static func statusName(_ status: UInt) -> String {
        switch status {
        case 1: return "end of file"
        case 2: return "no such file"
        case 3: return "permission denied"
        case 4: return "failure"
        case 5: return "bad message"
        case 8: return "operation not supported"
        case 10: return "no such path"
        case 11: return "file already exists"
        case 14: return "no space on the file system"
        case 15: return "quota exceeded"
        default: return "SFTP status \(status)"
        }
    }
}
