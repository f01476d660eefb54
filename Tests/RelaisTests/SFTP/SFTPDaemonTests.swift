import Foundation
import Glibc
import Testing

@testable import RelaisCore

/// `relais serve` and `relais sftp` as separate processes, against real servers: the daemon's
/// SFTP threads, a hanging server among healthy ones, a chrooted push, and kills at random.
@Suite("SFTP through the relais executable", .serialized)
struct SFTPDaemonTests {
    /// The `relais` executable built beside the test bundle.
    static var relais: String {
        let bundle = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return AtomicFile.parentFolder(bundle) + "/relais"
    }

    /// A running `relais` process, its standard error in a file.
    final class RelaisProcess {
        let pid: pid_t
        let log: String

        init(_ arguments: [String], log: String) throws {
            self.log = log
            pid = try SSHTestServer.spawn(SFTPDaemonTests.relais, arguments, errorLog: log)
        }

        var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        /// Polls `condition` every 50 ms for up to `seconds`.
        func waitUntil(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
            let deadline = Clock.monotonic() + seconds
            while Clock.monotonic() < deadline {
                if try condition() { return true }
                usleep(50_000)
            }
            return try condition()
        }

        /// Sends a signal and waits for the exit; returns the exit status, or nil if the process
        /// was still running after `seconds`.
        func finish(signal: Int32 = SIGTERM, within seconds: Double = 10) -> Int32? {
            kill(pid, signal)
            let deadline = Clock.monotonic() + seconds
            var status: Int32 = 0
            while Clock.monotonic() < deadline {
                if waitpid(pid, &status, WNOHANG) == pid { return status }
                usleep(20_000)
            }
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
            return nil
        }
    }

    static func clientJSON(
        _ id: String, _ server: SSHTestServer, folder: String, channels: String = "[\"sftp\"]",
        delivery: String? = nil
    )
        -> String
    {
        var extra = """
            "pattern": "*.csv", "settleSeconds": 0.2, "pollSeconds": 0.5, "operationTimeoutSeconds": 1.5,
            "connectTimeoutSeconds": 1.5, "afterPickup": {"archive": "\(folder)/archive"}
            """
        if let delivery { extra += ", \"delivery\": {\"remoteFolder\": \"\(delivery)\"}" }
        let sftp = server.configurationJSON(remoteFolder: folder, extra: extra)
        return "{\"id\": \"\(id)\", \"name\": \"Client \(id)\", \"channels\": \(channels), \"sftp\": \(sftp)}"
    }

    static func writeConfiguration(_ folder: String, clients: [String], inbox: String = "inbox") throws
        -> String
    {
        let json = """
            {"store": "store/relais.sqlite", "inbox": "\(inbox)", "archive": "archive", "outbox": "outbox",
             "staging": "staging", "settleSeconds": 0.2, "rescanSeconds": 0.5,
             "clients": [\(clients.joined(separator: ",\n"))]}
            """
        let path = "\(folder)/relais.json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func count(_ configurationPath: String, _ sql: String) throws -> Int {
        let store = try CaseStore(path: try Configuration.load(configurationPath).store)
        defer { try? store.close() }
        return Int(try store.connection.scalar(sql)?.int ?? -1)
    }

    @Test(
        "a server that hangs holds only its own client: the others and the inbox go on, and SIGTERM stops all"
    )
    func hangingServerStallsNoOne() throws {
        let healthy = try SSHTestServer()
        let hanging = try SSHTestServer()
        let work = try SFTPWorkspace(server: healthy)
        try SSHTestServer.makeFolder("\(hanging.remote)/out", mode: 0o755)
        let configuration = try Self.writeConfiguration(
            work.folder,
            clients: [
                Self.clientJSON("sain", healthy, folder: work.outgoing, delivery: work.incoming),
                Self.clientJSON(
                    "fige", hanging, folder: "\(hanging.remote)/out", channels: "[\"drop\", \"sftp\"]"),
            ])
        // The listener itself is frozen: TCP connects (the kernel queues it), SSH never answers.
        kill(try hangingListener(hanging), SIGSTOP)
        defer { hanging.stop() }

        let daemon = try RelaisProcess(["serve", "--config", configuration], log: "\(work.folder)/serve.log")
        try healthy.put("outgoing/nightly.csv", SFTPWorkspace.assignments(["M-1", "M-2"]))
        try AtomicFile.write(
            SFTPWorkspace.assignments(["N-1"]), to: "\(work.folder)/inbox/fige/drop/list.csv")
        try AtomicFile.write("inventory\n", to: "\(work.folder)/outbox/sain/inventory-2026-12-04.csv")

        let taken = try daemon.waitUntil(15) {
            (try? Self.count(configuration, "SELECT COUNT(*) FROM files")) == 2
                && healthy.names("outgoing") == ["archive"]
        }
        #expect(taken, "\(daemon.output)")
        #expect(daemon.waitUntil(5) { healthy.names("incoming") == ["inventory-2026-12-04.csv"] })
        #expect(try Self.count(configuration, "SELECT COUNT(*) FROM cases WHERE client_id = 'sain'") == 2)
        #expect(try Self.count(configuration, "SELECT COUNT(*) FROM cases WHERE client_id = 'fige'") == 1)
        let logged = daemon.waitUntil(5) {
            daemon.output.contains("sftp poll failed; will retry client=fige")
        }
        #expect(logged)
        #expect(daemon.output.contains("handshake: no answer within 1.5 s"))

        #expect(daemon.finish() == 0)
        #expect(daemon.output.contains("sftp polling stopped client=sain"))
    }

    @Test("a client's push through a chrooted, sftp-only account lands in its sftp inbox and is ingested")
    func chrootedPush() throws {
        // The chroot is the client's inbox folder; its `sftp` folder is where the client writes.
        let server = try SSHTestServer(chroot: { folder in "\(folder)/inbox/banque-nord" })
        let inbox = "\(server.folder)/inbox"
        try SSHTestServer.makeFolder(inbox, mode: 0o755)
        try SSHTestServer.makeFolder("\(inbox)/banque-nord", mode: 0o755)
        try SSHTestServer.makeFolder("\(inbox)/banque-nord/sftp", mode: 0o755)
        let work = try SFTPWorkspace()
        let configuration = try Self.writeConfiguration(
            work.folder,
            clients: [
                "{\"id\": \"banque-nord\", \"name\": \"Banque du Nord\", \"channels\": [\"sftp\"]}"
            ], inbox: inbox)
        let daemon = try RelaisProcess(["serve", "--config", configuration], log: "\(work.folder)/serve.log")

        // The client's side: upload under a temporary name, then rename, as a careful client does.
        let client = try SFTPClient.connect(server.endpoint())
        defer { client.close() }
        #expect(try client.stat("/etc/passwd") == nil)
        #expect(try client.stat("/sftp") != nil)
        var sent = false
        _ = try client.write("/sftp/assign.csv.part") {
            if sent { return nil }
            sent = true
            return Array(SFTPWorkspace.assignments(["P-1", "P-2", "P-3"]).utf8)
        }
        #expect(try client.renameIfAbsent("/sftp/assign.csv.part", to: "/sftp/assign.csv"))

        let ingested = try daemon.waitUntil(10) {
            (try? Self.count(configuration, "SELECT COUNT(*) FROM cases")) == 3
        }
        #expect(ingested, "\(daemon.output)")
        #expect(
            try Self.count(
                configuration, "SELECT COUNT(*) FROM files WHERE channel = 'sftp' AND source = 'inbox'") == 1)
        #expect(daemon.waitUntil(5) { server.names("../inbox/banque-nord/sftp").isEmpty })
        #expect(daemon.finish() == 0)
    }

    @Test("killing relais sftp poll at random moments, then polling again, never loses or duplicates a file")
    func killedAtRandom() throws {
        let work = try SFTPWorkspace(sftpExtra: "\"maxFilesPerPoll\": 100")
        // Enough files that a poll takes a second or so, and more arriving each round: the
        // kills land while files are being taken.
        func arrive(_ range: Range<Int>) throws {
            for index in range {
                try work.server.put(
                    "outgoing/night-\(index + 1000).csv", SFTPWorkspace.assignments(["Q-\(index)"]))
            }
        }
        try arrive(0..<30)
        let configuration = work.configuration.file
        var generator = SystemRandomNumberGenerator()
        for round in 0..<8 {
            if round > 0 { try arrive((20 + 10 * round)..<(30 + 10 * round)) }
            let poll = try RelaisProcess(
                ["sftp", "poll", "--config", configuration, "--client", work.clientID],
                log: "\(work.folder)/poll-\(round).log")
            usleep(UInt32.random(in: 250_000...1_000_000, using: &generator))
            _ = poll.finish(signal: SIGKILL, within: 5)
        }
        let last = try RelaisProcess(
            ["sftp", "poll", "--config", configuration, "--client", work.clientID],
            log: "\(work.folder)/poll-last.log")
        #expect(last.finish(signal: 0, within: 30) != nil)
        _ = try? RelaisProcess(
            ["sftp", "poll", "--config", configuration, "--client", work.clientID],
            log: "\(work.folder)/poll-final.log"
        ).finish(signal: 0, within: 30)

        #expect(try work.count("SELECT COUNT(*) FROM cases") == 100)
        #expect(try work.count("SELECT COUNT(DISTINCT client_ref) FROM cases") == 100)
        #expect(try work.count("SELECT COUNT(*) FROM files WHERE outcome = 'ingested'") == 100)
        #expect(try work.count("SELECT COUNT(*) FROM remote_pickups WHERE state <> 'disposed'") == 0)
        #expect(work.names(work.outgoing) == ["archive"])
        #expect(work.names(work.archive).count == 100)
        #expect(work.files(under: "staging").isEmpty)
    }

    /// The listener's pid, read from the pid file sshd writes.
    private func hangingListener(_ server: SSHTestServer) throws -> pid_t {
        let text = try String(contentsOfFile: "\(server.folder)/sshd.pid", encoding: .utf8)
        return pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))!
    }
}
