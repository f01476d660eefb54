import Foundation
import Glibc
import Testing

@testable import RelaisCore

@Suite("SFTP delivery", .serialized)
struct SFTPDeliveryTests {
    /// A workspace whose delivery folder is the server's `incoming` folder.
    static func make(rule: String = "keep-both") throws -> SFTPWorkspace {
        let server = try SSHTestServer()
        return try SFTPWorkspace(
            server: server,
            delivery: "{\"remoteFolder\": \"\(server.remote)/incoming\", \"existingName\": \"\(rule)\"}")
    }

    func outbox(_ work: SFTPWorkspace, _ name: String, _ content: String) throws {
        try AtomicFile.write(content, to: "\(work.configuration.outbox)/\(work.clientID)/\(name)")
    }

    func remoteText(_ work: SFTPWorkspace, _ name: String) -> String? {
        try? String(contentsOfFile: "\(work.incoming)/\(name)", encoding: .utf8)
    }

    @Test("the outbox's files appear on the client's server under their names, once")
    func deliversOutbox() throws {
        let work = try Self.make()
        try outbox(work, "acknowledgement-F0000001.csv", "ack\n")
        try outbox(work, "inventory-2026-12-04.csv", "inventory\n")
        let delivery = try work.delivery()
        let report = try delivery.deliver()
        #expect(report.delivered.count == 2)
        #expect(work.names(work.incoming) == ["acknowledgement-F0000001.csv", "inventory-2026-12-04.csv"])
        #expect(remoteText(work, "inventory-2026-12-04.csv") == "inventory\n")
        #expect(try work.count("SELECT COUNT(*) FROM deliveries WHERE state = 'delivered'") == 2)
        #expect(try delivery.deliver().delivered.isEmpty)
    }

    @Test("an existing name is kept, and the new file gets a suffix, with keep-both")
    func existingNameKeepBoth() throws {
        let work = try Self.make(rule: "keep-both")
        try work.server.put("incoming/inventory.csv", "the client's copy\n")
        try work.server.put("incoming/inventory-2.csv", "an older copy\n")
        try outbox(work, "inventory.csv", "new inventory\n")
        let report = try work.delivery().deliver()
        #expect(report.delivered == ["\(work.incoming)/inventory-3.csv"])
        #expect(remoteText(work, "inventory.csv") == "the client's copy\n")
        #expect(remoteText(work, "inventory-3.csv") == "new inventory\n")
        #expect(work.names(work.incoming) == ["inventory-2.csv", "inventory-3.csv", "inventory.csv"])
    }

    @Test("an existing name is replaced in one step, with replace (posix-rename)")
    func existingNameReplace() throws {
        let work = try Self.make(rule: "replace")
        try work.server.put("incoming/inventory.csv", "yesterday\n")
        try outbox(work, "inventory.csv", "today\n")
        let report = try work.delivery().deliver()
        #expect(report.delivered == ["\(work.incoming)/inventory.csv"])
        #expect(remoteText(work, "inventory.csv") == "today\n")
        #expect(work.names(work.incoming) == ["inventory.csv"])
    }

    @Test("a server stopped mid-upload leaves nothing under the final name; the retry delivers it whole")
    func serverStopsDuringUpload() throws {
        let work = try Self.make()
        let line = String(repeating: "r", count: 999) + "\n"
        let content = String(repeating: line, count: 3_000)
        try outbox(work, "reject-report-F0000009.csv", content)

        let delivery = try work.delivery()
        var killed = false
        delivery.uploadProgress = { sent in
            if !killed && sent >= 65_536 {
                killed = true
                work.server.killSessions()
            }
        }
        #expect(throws: SFTPError.self) { try delivery.deliver() }
        #expect(!work.names(work.incoming).contains("reject-report-F0000009.csv"))
        #expect(try work.count("SELECT attempts FROM deliveries") == 1)

        delivery.uploadProgress = { _ in }
        let report = try delivery.deliver()
        #expect(report.delivered.count == 1)
        #expect(remoteText(work, "reject-report-F0000009.csv") == content)
        // The temporary file was reused and renamed: nothing else is left.
        #expect(work.names(work.incoming) == ["reject-report-F0000009.csv"])
    }

    @Test("a server that stops answering mid-upload times out within the deadline")
    func serverHangsDuringUpload() throws {
        let work = try Self.make()
        try outbox(work, "big.csv", String(repeating: "x", count: 4_000_000))
        let delivery = try work.delivery()
        var frozen = false
        delivery.uploadProgress = { sent in
            if !frozen && sent >= 65_536 {
                frozen = true
                work.server.freezeSessions()
            }
        }
        let started = Clock.monotonic()
        let error = try #require(throws: SFTPError.self) { try delivery.deliver() }
        #expect(error.kind == .timeout)
        #expect(Clock.monotonic() - started < 4)
        #expect(!work.names(work.incoming).contains("big.csv"))
        work.server.killSessions()
    }

    @Test("a rename made just before a crash is recognised at the retry, not made twice")
    func crashAfterRename() throws {
        let work = try Self.make(rule: "keep-both")
        try outbox(work, "inventory.csv", "today\n")
        let delivery = try work.delivery()
        try delivery.deliver()
        // As if the process died between the rename and its record.
        try delivery.store.connection.run("UPDATE deliveries SET state = 'uploaded'")
        let report = try delivery.deliver()
        #expect(report.delivered == ["\(work.incoming)/inventory.csv"])
        #expect(work.names(work.incoming) == ["inventory.csv"])
        #expect(try work.count("SELECT COUNT(*) FROM deliveries WHERE state = 'delivered'") == 1)
    }

    @Test("an upload cut short before its record is made again from the start")
    func crashDuringUpload() throws {
        let work = try Self.make()
        try outbox(work, "ack.csv", "acknowledged\n")
        // Recorded, and a partial temporary file on the server, as a crash mid-upload leaves them.
        let delivery = try work.delivery()
        let local = "\(work.configuration.outbox)/\(work.clientID)/ack.csv"
        try delivery.store.recordOutbound(
            clientID: work.clientID, localPath: local, size: 13,
            modified: Daemon.statRegular(local)!.modified,
            remoteFolder: work.incoming)
        try work.server.put("incoming/.ack.csv.relais-1.part", "ackn")
        let report = try delivery.deliver()
        #expect(report.delivered == ["\(work.incoming)/ack.csv"])
        #expect(remoteText(work, "ack.csv") == "acknowledged\n")
        #expect(work.names(work.incoming) == ["ack.csv"])
    }
}
