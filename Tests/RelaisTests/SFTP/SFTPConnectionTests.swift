import Foundation
import Glibc
import Testing

@testable import RelaisCore

@Suite("SFTP connection and authentication", .serialized)
struct SFTPConnectionTests {
    @Test("a refused password is reported with the user and step, never with the password")
    func refusedPassword() throws {
        // The test server accepts keys only, so any password is refused.
        let server = try SSHTestServer()
        let secret = "\(server.folder)/password"
        try "not-the-password-42\n".write(toFile: secret, atomically: true, encoding: .utf8)
        var endpoint = server.endpoint()
        endpoint.credential = .passwordFile(secret)
        let error = try #require(throws: SFTPError.self) { try SFTPClient.connect(endpoint) }
        #expect(error.kind == .authentication)
        #expect(error.description.contains("authentication: user root with password refused"))
        #expect(!error.description.contains("not-the-password-42"))
    }

    @Test("a missing key file is reported before anything is sent")
    func missingKey() throws {
        let server = try SSHTestServer()
        var endpoint = server.endpoint()
        endpoint.credential = .key(file: "\(server.folder)/absent", passphraseFile: nil)
        let error = try #require(throws: SFTPError.self) { try SFTPClient.connect(endpoint) }
        #expect(error.step == "credentials")
        #expect(error.description.contains("cannot read identity file"))
    }

    @Test("posix-rename replaces an existing name on OpenSSH in one step")
    func posixRename() throws {
        let server = try SSHTestServer()
        try server.put("a.txt", "new\n")
        try server.put("b.txt", "old\n")
        let client = try SFTPClient.connect(server.endpoint())
        defer { client.close() }
        #expect(try !client.renameIfAbsent("\(server.remote)/a.txt", to: "\(server.remote)/b.txt"))
        #expect(try client.posixRename("\(server.remote)/a.txt", to: "\(server.remote)/b.txt"))
        #expect(server.names("") == ["b.txt"])
        #expect(try String(contentsOfFile: "\(server.remote)/b.txt", encoding: .utf8) == "new\n")
        // The session is still in step after the hand-made request.
        #expect(try client.stat("\(server.remote)/b.txt")?.size == 4)
    }

    @Test("a port where nothing listens is reported at the connect step, with the server")
    func nothingListening() throws {
        let server = try SSHTestServer()
        var endpoint = server.endpoint()
        server.stop()
        // A socket bound and held but never listening: the kernel refuses every connection to its
        // port, and no other test can take the port meanwhile.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        #expect(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        endpoint.port = port
        let error = try #require(throws: SFTPError.self) { try SFTPClient.connect(endpoint) }
        #expect(error.step == "connect")
        #expect(error.description.hasPrefix("sftp 127.0.0.1:\(port): connect: "))
        #expect(error.description.contains("refused"))
    }
}
