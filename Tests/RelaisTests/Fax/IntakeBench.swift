import Foundation

@testable import RelaisCore

/// A temporary folder with a configuration, a real SQLite store and an intake, for one test.
final class IntakeBench {
    let folder: String
    let configuration: Configuration
    let store: CaseStore
    /// The repository's root, for the shipped XML schema.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    let intake: Intake
    let client: ClientConfiguration

    init() throws {
        folder = NSTemporaryDirectory() + "relais-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let config = """
            {"store": "store/relais.sqlite", "inbox": "inbox", "archive": "archive", "outbox": "outbox",
             "xmlSchema": "\(Self.repository)/Config/relais-assignment.xsd",
             "clients": [{"id": "caisse", "name": "Caisse Fictive"}]}
            """
        try config.write(toFile: folder + "/relais.json", atomically: true, encoding: .utf8)
        configuration = try Configuration.load(folder + "/relais.json")
        try FileManager.default.createDirectory(
            atPath: folder + "/store", withIntermediateDirectories: true)
        store = try CaseStore(path: configuration.store)
        try store.register(clients: configuration.clients.map { ($0.id, $0.name, $0.language) })
        intake = Intake(configuration: configuration, store: store, log: Log(level: .error))
        intake.today = { CalendarDate(year: 2024, month: 5, day: 15)! }
        client = configuration.clients[0]
    }

    deinit {
        try? store.close()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// A fixture copied into the test's folder, so that its archiving touches nothing shared.
    func fixture(_ name: String) throws -> String {
        let source = Bundle.module.path(forResource: "Fixtures", ofType: nil)! + "/fax/" + name
        let copy = folder + "/" + name
        try FileManager.default.copyItem(atPath: source, toPath: copy)
        return copy
    }

    func write(_ text: String, as name: String) throws -> String {
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func ingest(_ path: String, channel: Channel = .fax) throws -> IngestResult {
        try intake.ingest(
            path: path, client: client, channel: channel, source: "test", disposal: .copy)
    }

    /// The cases of the client: client reference, debtor's name as given, amount.
    func cases() throws -> [(reference: String, name: String, amount: Money)] {
        try store.connection.rows(
            """
            SELECT c.client_ref, d.name_as_given, c.assigned_cents FROM cases c
            JOIN debtors d ON d.case_id = c.id AND d.role = 'debtor' ORDER BY c.id
            """
        ).map { ($0[0].text ?? "", $0[1].text ?? "", Money(cents: $0[2].int ?? 0)) }
    }

    /// Runs `relais` with this test's configuration.
    func relais(_ words: [String]) -> Int32 {
        RelaisCommandLine.main(["relais"] + words + ["--config", folder + "/relais.json"])
    }
}

/// The true content of the faxed-list fixtures, from `Fixtures/fax/lists.json`.
struct TrueList {
    var rows: [(reference: String, name: String, amount: Money)]

    static func named(_ name: String) throws -> TrueList {
        let path = Bundle.module.path(forResource: "Fixtures", ofType: nil)! + "/fax/lists.json"
        let json = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: path)))
        let spec = (json as! [String: Any])[name] as! [String: Any]
        let headings = spec["headings"] as! [String]
        let amountColumn = headings.count - 1
        let rows = (spec["rows"] as! [[String]]).map { row in
            (row[0], row[1], try! AmountReader().read(row[amountColumn]).get())
        }
        return TrueList(rows: rows)
    }
}
