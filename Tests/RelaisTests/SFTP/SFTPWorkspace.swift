import Foundation
import Glibc

@testable import RelaisCore

/// A temporary agency for one SFTP test: a configuration file naming one client whose `sftp`
/// object points at a fresh `SSHTestServer`, a real case store, inbox, archive and staging.
final class SFTPWorkspace {
    let folder: String
    let server: SSHTestServer
    let configuration: Configuration
    let clientID = "banque-nord"
    /// The remote folders, as absolute server paths.
    let outgoing: String
    let archive: String
    let incoming: String

    init(
        server: SSHTestServer? = nil, sftpExtra: String = "", settleSeconds: Double = 0.2,
        afterPickup: String? = nil, delivery: String? = nil
    ) throws {
        self.server = try server ?? SSHTestServer()
        let template = NSTemporaryDirectory() + "relais-sftp-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard mkdtemp(&bytes) != nil else { throw TestServerError("mkdtemp failed") }
        folder = String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        outgoing = "\(self.server.remote)/outgoing"
        archive = "\(self.server.remote)/outgoing/archive"
        incoming = "\(self.server.remote)/incoming"
        try SSHTestServer.makeFolder(outgoing, mode: 0o755)
        try SSHTestServer.makeFolder(incoming, mode: 0o755)

        var extra = """
            "pattern": "*.csv", "settleSeconds": \(settleSeconds), "pollSeconds": 1,
            "operationTimeoutSeconds": 1.5, "connectTimeoutSeconds": 2,
            "afterPickup": \(afterPickup ?? "{\"archive\": \"\(archive)\"}")
            """
        if let delivery { extra += ", \"delivery\": \(delivery)" }
        if !sftpExtra.isEmpty { extra += ", " + sftpExtra }
        let json = """
            {
              "store": "store/relais.sqlite", "inbox": "inbox", "archive": "archive", "outbox": "outbox",
              "staging": "staging", "settleSeconds": 0.2, "rescanSeconds": 1,
              "clients": [
                {"id": "\(clientID)", "name": "Banque du Nord", "channels": ["sftp"],
                 "sftp": \(self.server.configurationJSON(remoteFolder: outgoing, extra: extra))}
              ]
            }
            """
        try json.write(toFile: "\(folder)/relais.json", atomically: true, encoding: .utf8)
        configuration = try Configuration.load("\(folder)/relais.json")
    }

    deinit { _ = try? FileManager.default.removeItem(atPath: folder) }

    var client: ClientConfiguration { configuration.client(clientID)! }

    /// A store, an intake and a pickup, as one daemon thread (or one `relais sftp poll`) has.
    func pickup(checkpoint: @escaping (SFTPPickup.Checkpoint) throws -> Void = { _ in }) throws -> SFTPPickup
    {
        let store = try RelaisCommandLine.openStore(configuration)
        let intake = Intake(configuration: configuration, store: store, log: Log(level: .error))
        let pickup = try SFTPPickup(
            configuration: configuration, client: client, store: store, intake: intake,
            log: Log(level: .error))
        pickup.checkpoint = checkpoint
        return pickup
    }

    func delivery() throws -> SFTPDelivery {
        let store = try RelaisCommandLine.openStore(configuration)
        return try SFTPDelivery(
            configuration: configuration, client: client, store: store, log: Log(level: .error))
    }

    /// A small assignment file: one case per reference.
    static func assignments(_ references: [String]) -> String {
        var text = "No de compte,Nom du débiteur,Solde\n"
        for (index, reference) in references.enumerated() {
            text += "\(reference),Débiteur Inventé \(index + 1),\(100 + index).25\n"
        }
        return text
    }

    /// Counts from the store, read through a fresh connection.
    func count(_ sql: String) throws -> Int {
        let store = try RelaisCommandLine.openStore(configuration)
        defer { try? store.close() }
        return Int(try store.connection.scalar(sql)?.int ?? -1)
    }

    func names(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    /// Every regular file under a local folder, recursively; the per-client lock files of
    /// staging (`<client>.lock`) are not counted.
    func files(under relative: String) -> [String] {
        let root = "\(folder)/\(relative)"
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var result: [String] = []
        while let next = walker.nextObject() as? String {
            var info = stat()
            if lstat("\(root)/\(next)", &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
                !next.hasSuffix(".lock")
            {
                result.append(next)
            }
        }
        return result.sorted()
    }
}

struct SimulatedCrash: Error {}
