import Foundation
import Testing

@testable import RelaisCore

/// A bureau's monthly file sent to its SFTP server, against a real sshd on 127.0.0.1.
@Suite("Bureau files sent by SFTP", .serialized)
struct BureauUploadTests {
    @Test(
        "a month's file reaches the bureau's server whole, once; one that cannot go is sent at the next try")
    func upload() throws {
        let server = try SSHTestServer()
        defer { server.stop() }
        let folder = server.remote + "/equifax"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let bureau = try BureauTestStore(sftp: server.configurationJSON(remoteFolder: folder))
        let upload = BureauUpload(configuration: bureau.configuration, log: Log(level: .error))

        let january = try bureau.write("2026-01")
        #expect(upload.sendPending(store: bureau.store) == [january.path!])
        #expect(server.names("equifax") == ["equifax-2026-01.m2"])
        let local = try Data(contentsOf: URL(fileURLWithPath: january.path!))
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/equifax-2026-01.m2")) == local)
        #expect(upload.sendPending(store: bureau.store).isEmpty, "a file sent is not sent again")

        // The server is down when February is written: the file waits, with its reason.
        server.stop()
        let february = try bureau.write("2026-02")
        #expect(upload.sendPending(store: bureau.store).isEmpty)
        let error = try bureau.store.connection.scalar(
            "SELECT upload_error FROM bureau_files WHERE month = '2026-02'")?.text
        #expect(error?.isEmpty == false)
        try server.start()
        #expect(upload.sendPending(store: bureau.store) == [february.path!])
        #expect(server.names("equifax") == ["equifax-2026-01.m2", "equifax-2026-02.m2"])
    }
}
