import Foundation
import Glibc
import Testing

@testable import RelaisCore

/// Picking up from a real OpenSSH server on loopback. Serialized: each test starts its own
/// sshd, and two at a time would only compete for the machine's two cores.
@Suite("SFTP pick-up", .serialized)
struct SFTPPickupTests {
    @Test("a nightly pick-up takes every complete file once, and the remote folder ends archived")
    func nightlyPickup() throws {
        let work = try SFTPWorkspace()
        try work.server.put("outgoing/assign-2026-12-01.csv", SFTPWorkspace.assignments(["A-1", "A-2"]))
        try work.server.put("outgoing/assign-2026-12-02.csv", SFTPWorkspace.assignments(["B-1"]))
        try work.server.put("outgoing/notes.txt", "not an assignment\n")

        let pickup = try work.pickup()
        let report = try pickup.poll(waitForSettle: true)
        #expect(report.taken.map(\.status) == [.ingested, .ingested])
        #expect(report.taken.map(\.accepted) == [2, 1])
        #expect(report.disposed == 2)
        #expect(try work.count("SELECT COUNT(*) FROM cases") == 3)
        #expect(
            try work.count("SELECT COUNT(*) FROM files WHERE channel = 'sftp' AND source = 'sftp:127.0.0.1'")
                == 2)
        #expect(try work.count("SELECT COUNT(*) FROM remote_pickups WHERE state = 'disposed'") == 2)
        #expect(work.names(work.outgoing) == ["archive", "notes.txt"])
        #expect(
            work.names(work.archive) == ["F0000001-assign-2026-12-01.csv", "F0000002-assign-2026-12-02.csv"])
        // Staging is left empty, the originals are in the local archive.
        #expect(work.files(under: "staging").isEmpty)
        #expect(work.files(under: "archive").count == 2)

        // The next night's poll finds nothing new.
        let again = try pickup.poll(waitForSettle: true)
        #expect(again.taken.isEmpty)
        #expect(try work.count("SELECT COUNT(*) FROM files") == 2)
    }

    @Test("a key protected by a passphrase read from a file authenticates, and delete empties the folder")
    func passphraseAndDelete() throws {
        let server = try SSHTestServer(passphrase: "correct horse battery")
        let work = try SFTPWorkspace(server: server, afterPickup: "\"delete\"")
        try work.server.put("outgoing/nightly.csv", SFTPWorkspace.assignments(["C-1"]))
        let report = try work.pickup().poll(waitForSettle: true)
        #expect(report.taken.count == 1)
        #expect(work.names(work.outgoing).isEmpty)
        #expect(
            try work.count(
                "SELECT COUNT(*) FROM remote_pickups WHERE state = 'disposed' AND disposed_to = 'deleted'")
                == 1)
    }

    @Test("a file still being written is not taken until it holds still over two listings")
    func fileStillBeingWritten() throws {
        let work = try SFTPWorkspace(settleSeconds: 0.3)
        let path = "\(work.outgoing)/growing.csv"
        try work.server.put("outgoing/growing.csv", SFTPWorkspace.assignments(["D-1"]))
        let pickup = try work.pickup()

        // First listing: seen once, not taken.
        #expect(try pickup.poll().taken.isEmpty)
        // It grows before the settle interval ends: seen anew, not taken.
        usleep(350_000)
        let handle = FileHandle(forWritingAtPath: path)!
        handle.seekToEndOfFile()
        handle.write("D-2,Débiteur Inventé 2,200.00\n".data(using: .utf8)!)
        try handle.close()
        #expect(try pickup.poll().taken.isEmpty)
        // Listed again too soon: still not taken.
        #expect(try pickup.poll().taken.isEmpty)
        // Unchanged a settle interval later: taken, with both rows.
        usleep(350_000)
        let report = try pickup.poll()
        #expect(report.taken.map(\.accepted) == [2])
    }

    @Test("a done-marker makes a file complete at once, and goes with it")
    func doneMarker() throws {
        let work = try SFTPWorkspace(settleSeconds: 60)
        try work.server.put("outgoing/marked.csv", SFTPWorkspace.assignments(["E-1"]))
        try work.server.put("outgoing/marked.csv.done", "")
        try work.server.put("outgoing/unmarked.csv", SFTPWorkspace.assignments(["E-2"]))
        let report = try work.pickup().poll()
        #expect(report.taken.count == 1)
        #expect(work.names(work.outgoing) == ["archive", "unmarked.csv"])
    }

    @Test("a changed host key refuses the connection, says so, and reads nothing")
    func changedHostKey() throws {
        let work = try SFTPWorkspace()
        try work.server.put("outgoing/nightly.csv", SFTPWorkspace.assignments(["F-1"]))
        try work.server.changeHostKey()

        let pickup = try work.pickup()
        let error = try #require(throws: SFTPError.self) { try pickup.poll(waitForSettle: true) }
        #expect(error.kind == .hostKeyChanged)
        #expect(error.step == "host key check")
        #expect(error.description.contains("127.0.0.1:\(work.server.port)"))
        #expect(error.description.contains("key changed"))
        #expect(error.description.contains("SHA256:"))
        #expect(work.names(work.outgoing) == ["nightly.csv"])
        #expect(try work.count("SELECT COUNT(*) FROM remote_pickups") == 0)
        #expect(try work.count("SELECT COUNT(*) FROM files") == 0)
    }

    @Test("an unknown host refuses the connection, says so, and reads nothing")
    func unknownHost() throws {
        let work = try SFTPWorkspace()
        try work.server.put("outgoing/nightly.csv", SFTPWorkspace.assignments(["G-1"]))
        // known_hosts knows this key for another port only: `[127.0.0.1]:port` must match exactly.
        let line = try String(contentsOfFile: work.server.knownHosts, encoding: .utf8)
        try line.replacingOccurrences(of: "]:\(work.server.port) ", with: "]:1 ")
            .write(toFile: work.server.knownHosts, atomically: true, encoding: .utf8)

        let error = try #require(throws: SFTPError.self) { try work.pickup().poll(waitForSettle: true) }
        #expect(error.kind == .unknownHost)
        #expect(error.description.contains("unknown host: [127.0.0.1]:\(work.server.port)"))
        #expect(work.names(work.outgoing) == ["nightly.csv"])
        #expect(try work.count("SELECT COUNT(*) FROM files") == 0)
    }

    @Test(
        "a server that stops answering mid-download times out within the deadline; later it is taken once"
    )
    func serverStopsDuringDownload() throws {
        let work = try SFTPWorkspace()
        // About 2 MB, many more pieces than libssh2 reads ahead: the server is frozen after the
        // first piece arrives, with most of the file still to come.
        let note = String(repeating: "n", count: 2_000)
        var big = "No de compte,Nom du débiteur,Solde,Note\n"
        for index in 0..<1_000 {
            big += "H-\(index),Débiteur Inventé \(index),\(index % 900 + 10).00,\(note)\n"
        }
        try work.server.put("outgoing/big.csv", big)

        let pickup = try work.pickup()
        var frozen = false
        pickup.downloadProgress = { _ in
            if !frozen {
                frozen = true
                work.server.freezeSessions()
            }
        }
        let started = Clock.monotonic()
        let error = try #require(throws: SFTPError.self) { try pickup.poll(waitForSettle: true) }
        let elapsed = Clock.monotonic() - started
        #expect(error.kind == .timeout)
        #expect(error.step.hasPrefix("download "))
        #expect(error.description.contains("no answer within 1.5 s"))
        // The settle wait (0.2 s) plus the 1.5 s deadline, and some slack for the machine.
        #expect(elapsed < 4)
        #expect(work.files(under: "staging").isEmpty)
        #expect(try work.count("SELECT COUNT(*) FROM remote_pickups") == 0)

        work.server.killSessions()
        pickup.downloadProgress = { _ in }
        let report = try pickup.poll(waitForSettle: true)
        #expect(report.taken.map(\.accepted) == [1_000])
        #expect(try work.count("SELECT COUNT(*) FROM files") == 1)
        #expect(work.names(work.outgoing) == ["archive"])
    }

    @Test(
        "a crash around the commit and the remote move: after a restart it is moved, never taken again",
        arguments: [SFTPPickup.Checkpoint.downloaded, .committed, .disposedRemotely])
    func crashAndRestart(at point: SFTPPickup.Checkpoint) throws {
        let work = try SFTPWorkspace()
        try work.server.put("outgoing/nightly.csv", SFTPWorkspace.assignments(["J-1", "J-2"]))

        let crashing = try work.pickup { reached in if reached == point { throw SimulatedCrash() } }
        #expect(throws: SimulatedCrash.self) { try crashing.poll(waitForSettle: true) }
        crashing.close()
        try crashing.store.close()

        // A restart: a new store connection, a new pickup, what the daemon does at startup.
        let restarted = try work.pickup()
        try restarted.intake.reconcile()
        let report = try restarted.poll(waitForSettle: true)
        #expect(report.taken.count == (point == .downloaded ? 1 : 0))
        #expect(try work.count("SELECT COUNT(*) FROM files") == 1)
        #expect(try work.count("SELECT COUNT(*) FROM cases") == 2)
        #expect(try work.count("SELECT COUNT(*) FROM remote_pickups") == 1)
        #expect(try work.count("SELECT COUNT(*) FROM remote_pickups WHERE state = 'disposed'") == 1)
        #expect(work.names(work.outgoing) == ["archive"])
        #expect(work.names(work.archive) == ["F0000001-nightly.csv"])
        #expect(work.files(under: "staging").isEmpty)
        #expect(try restarted.poll(waitForSettle: true).taken.isEmpty)
    }

    @Test("a new file under the name of a committed, undisposed one is taken, not archived unread")
    func replacedBeforeDisposal() throws {
        let work = try SFTPWorkspace()
        try work.server.put("outgoing/daily.csv", SFTPWorkspace.assignments(["K-1"]))
        let crashing = try work.pickup { if $0 == .committed { throw SimulatedCrash() } }
        #expect(throws: SimulatedCrash.self) { try crashing.poll(waitForSettle: true) }
        crashing.close()

        // The client replaces the file before Relais comes back.
        try work.server.put("outgoing/daily.csv", SFTPWorkspace.assignments(["K-2", "K-3"]))
        let report = try work.pickup().poll(waitForSettle: true)
        #expect(report.taken.map(\.accepted) == [2])
        #expect(try work.count("SELECT COUNT(*) FROM cases") == 3)
        #expect(work.names(work.archive) == ["F0000002-daily.csv"])
    }

    @Test("a folder of 20,000 files is listed in pieces and taken a batch at a time")
    func twentyThousandFiles() throws {
        let work = try SFTPWorkspace(sftpExtra: "\"maxFilesPerPoll\": 20")
        for index in 0..<20_000 {
            let name = "bulk-" + String(100_000 + index).dropFirst() + ".csv"
            try SSHTestServer.writeQuickly(
                "\(work.outgoing)/\(name)", SFTPWorkspace.assignments(["L-\(index)"]))
        }
        let pickup = try work.pickup()
        let report = try pickup.poll(waitForSettle: true)
        #expect(report.listed == 20_000)
        #expect(report.taken.count == 20)
        #expect(report.leftForLater == 19_980)
        #expect(report.taken.first?.file.hasSuffix("/bulk-00000.csv") == true)
        #expect(try work.count("SELECT COUNT(*) FROM cases") == 20)
        #expect(work.names(work.archive).count == 20)
        // The next poll takes the next batch: the settled sizes were kept between polls.
        #expect(try pickup.poll().taken.count == 20)
        #expect(try work.count("SELECT COUNT(*) FROM files") == 40)
    }

    @Test("a second relais polling the same client at the same time is refused at once, touching nothing")
    func oneRunPerClient() throws {
        let work = try SFTPWorkspace()
        try work.server.put("outgoing/nightly.csv", SFTPWorkspace.assignments(["R-1"]))
        let held = try SFTPClientLock(staging: work.configuration.staging, clientID: work.clientID)
        let error = try #require(throws: UsageError.self) { try work.pickup().poll(waitForSettle: true) }
        #expect(error.message.contains("another relais process"))
        #expect(work.names(work.outgoing) == ["nightly.csv"])
        held.release()
        #expect(try work.pickup().poll(waitForSettle: true).taken.count == 1)
    }
}
