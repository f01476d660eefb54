import Foundation
import Glibc

@testable import RelaisCore

/// A real OpenSSH server for one test: `/usr/sbin/sshd -D -e -f <config>` on 127.0.0.1 and a
/// free port, SFTP only (`internal-sftp`, forced), with a generated host key, a generated user
/// key (optionally with a passphrase) and a known_hosts file that trusts the host key in the
/// `[127.0.0.1]:port` form.
///
/// Everything lives under `/run/relais-sftp-tests/<random>/`, not `/tmp`: sshd's StrictModes
/// and ChrootDirectory refuse paths with a world-writable component, and `/tmp` is one. The
/// tests run as root (as CI does), so the account is root's, with key authentication only.
final class SSHTestServer {
    let folder: String
    let port: Int
    /// The root of what the server shows: tests put remote files here (absolute paths).
    let remote: String
    let userKey: String
    let passphraseFile: String?
    let knownHosts: String
    let chroot: String?
    /// sshd's process id, or 0 when stopped. Processes are spawned with posix_spawn and reaped
    /// with waitpid: Foundation's `Process` was seen to block in a wait for sshd while another
    /// child (ssh-keygen) had exited.
    private var pid: pid_t = 0
    private(set) var log: String

    /// - Parameters:
    ///   - passphrase: the user key's passphrase, written to a file beside it.
    ///   - chroot: an `sshd_config` ChrootDirectory for the account, chosen by the test.
    init(passphrase: String? = nil, chroot: ((String) -> String)? = nil) throws {
        let base = "/run/relais-sftp-tests"
        try Self.makeFolder(base, mode: 0o755)
        folder = "\(base)/\(UUID().uuidString.prefix(8))"
        try Self.makeFolder(folder, mode: 0o755)
        remote = "\(folder)/remote"
        try Self.makeFolder(remote, mode: 0o755)
        try Self.makeFolder("/run/sshd", mode: 0o755)  // sshd's privilege-separation folder
        port = try Self.freePort()
        log = "\(folder)/sshd.log"

        try Self.run(
            "/usr/bin/ssh-keygen",
            [
                "-q", "-t", "ed25519", "-N", "", "-C", "relais-test-host",
                "-f", "\(folder)/host_ed25519",
            ])
        userKey = "\(folder)/client_ed25519"
        try Self.run(
            "/usr/bin/ssh-keygen",
            [
                "-q", "-t", "ed25519", "-N", passphrase ?? "", "-C", "relais-test-user",
                "-f", userKey,
            ])
        if let passphrase {
            passphraseFile = "\(folder)/client.passphrase"
            try (passphrase + "\n").write(toFile: passphraseFile!, atomically: true, encoding: .utf8)
            chmod(passphraseFile!, 0o600)
        } else {
            passphraseFile = nil
        }
        let publicUserKey = try String(contentsOfFile: userKey + ".pub", encoding: .utf8)
        try publicUserKey.write(toFile: "\(folder)/authorized_keys", atomically: true, encoding: .utf8)
        chmod("\(folder)/authorized_keys", 0o600)
        knownHosts = "\(folder)/known_hosts"
        self.chroot = chroot?(folder)
        try trustCurrentHostKey()

        var config = """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(folder)/host_ed25519
            PidFile \(folder)/sshd.pid
            AuthorizedKeysFile \(folder)/authorized_keys
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes yes
            AllowTcpForwarding no
            AllowAgentForwarding no
            X11Forwarding no
            PermitTTY no
            Subsystem sftp internal-sftp
            ForceCommand internal-sftp
            LogLevel ERROR

            """
        if let chrootPath = self.chroot {
            config += "ChrootDirectory \(chrootPath)\n"
        }
        try config.write(toFile: "\(folder)/sshd_config", atomically: true, encoding: .utf8)
        chmod("\(folder)/sshd_config", 0o600)
        try start()
    }

    deinit {
        stop()
        _ = try? FileManager.default.removeItem(atPath: folder)
    }

    /// The endpoint Relais would be configured with.
    func endpoint(operationTimeout: Double = 3, connectTimeout: Double = 3) -> SSHEndpoint {
        SSHEndpoint(
            host: "127.0.0.1", port: port, user: "root",
            credential: .key(file: userKey, passphraseFile: passphraseFile), knownHosts: knownHosts,
            connectTimeout: connectTimeout, operationTimeout: operationTimeout, keepaliveSeconds: 5)
    }

    /// The `sftp` object of a client's configuration, as JSON text, for this server.
    func configurationJSON(remoteFolder: String, extra: String = "") -> String {
        var text = """
            {"host": "127.0.0.1", "port": \(port), "user": "root", "identityFile": "\(userKey)",
             "knownHosts": "\(knownHosts)", "remoteFolder": "\(remoteFolder)"
            """
        if let passphraseFile { text += ", \"passphraseFile\": \"\(passphraseFile)\"" }
        if !extra.isEmpty { text += ", " + extra }
        return text + "}"
    }

    /// Starts sshd and waits until it accepts connections.
    func start() throws {
        pid = try Self.spawn("/usr/sbin/sshd", ["-D", "-e", "-f", "\(folder)/sshd_config"], errorLog: log)
        let deadline = Clock.monotonic() + 10
        while Clock.monotonic() < deadline {
            if Self.canConnect(port) { return }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                pid = 0
                break
            }
            usleep(20_000)
        }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw TestServerError("sshd did not start on port \(port): \(output)")
    }

    /// Kills sshd and every session it forked (the sessions outlive the listener otherwise).
    func stop() {
        guard pid > 0 else { return }
        for child in descendants() {
            kill(child, SIGKILL)
            kill(child, SIGCONT)
        }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        pid = 0
    }

    /// Freezes the sessions in progress (SIGSTOP): a server that stops answering mid-transfer.
    func freezeSessions() {
        for pid in descendants() { kill(pid, SIGSTOP) }
    }

    /// Kills the sessions in progress, leaving the listener: the connection drops.
    func killSessions() {
        for pid in descendants().reversed() {
            kill(pid, SIGKILL)
            kill(pid, SIGCONT)
        }
    }

    /// A new host key, as after a reinstall or an attack; known_hosts still has the old one.
    func changeHostKey() throws {
        unlink("\(folder)/host_ed25519")
        unlink("\(folder)/host_ed25519.pub")
        try Self.run(
            "/usr/bin/ssh-keygen",
            [
                "-q", "-t", "ed25519", "-N", "", "-C", "relais-test-host",
                "-f", "\(folder)/host_ed25519",
            ])
        stop()
        try start()
    }

    /// Writes known_hosts with the current host key: `[127.0.0.1]:port ssh-ed25519 AAAA...`.
    func trustCurrentHostKey() throws {
        let key = try String(contentsOfFile: "\(folder)/host_ed25519.pub", encoding: .utf8)
        let parts = key.split(separator: " ")
        try "[127.0.0.1]:\(port) \(parts[0]) \(parts[1])\n".write(
            toFile: knownHosts, atomically: true, encoding: .utf8)
    }

    /// Writes a remote file (a path under `remote`), creating its folder.
    func put(_ relative: String, _ content: String) throws {
        let path = "\(remote)/\(relative)"
        try Self.makeFolder(AtomicFile.parentFolder(path), mode: 0o755)
        try content.write(toFile: path, atomically: false, encoding: .utf8)
    }

    /// Writes a file with open(2) and write(2): Foundation's `String.write(toFile:)` takes
    /// milliseconds per file, too slow for a folder of 20,000.
    static func writeQuickly(_ path: String, _ content: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TestServerError("open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var bytes = Array(content.utf8)
        guard write(fd, &bytes, bytes.count) == bytes.count else { throw TestServerError("write \(path)") }
    }

    /// The names in a remote folder, sorted.
    func names(_ relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(remote)/\(relative)")) ?? []).sorted()
    }

    // MARK: Processes

    private func descendants() -> [Int32] {
        guard pid > 0 else { return [] }
        var parents: [Int32: [Int32]] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { parents[parent, default: []].append(pid) }
        }
        var result: [Int32] = []
        var queue = [pid]
        while let next = queue.popLast() {
            for child in parents[next] ?? [] {
                result.append(child)
                queue.append(child)
            }
        }
        return result
    }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let child = try spawn(tool, arguments, errorLog: "/dev/null")
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else {
            throw TestServerError("\(tool) \(arguments.joined(separator: " ")) exited with status \(status)")
        }
    }

    /// Starts a program with standard input and output on /dev/null, standard error to a file.
    static func spawn(_ tool: String, _ arguments: [String], errorLog: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errorLog, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        let argv = ([tool] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, tool, &actions, nil, argv, environ)
        guard rc == 0 else { throw TestServerError("cannot start \(tool): \(String(cString: strerror(rc)))") }
        return child
    }

    static func makeFolder(_ path: String, mode: mode_t) throws {
        if mkdir(path, mode) != 0 && errno != EEXIST {
            throw TestServerError("mkdir \(path): \(String(cString: strerror(errno)))")
        }
        chmod(path, mode)
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw TestServerError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func canConnect(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

struct TestServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
