import Foundation
import Testing

@testable import RelaisCore

/// A temporary folder with a configuration, a real SQLite case store and an intake, for the
/// XML and fixed-width tests. Each test makes its own and removes it.
final class FormatIntakeHarness {
    let folder: String
    let intake: Intake
    let store: CaseStore
    let client: ClientConfiguration

    /// The repository's root, found from this file's place in it.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let schema = repository + "/Config/relais-assignment.xsd"

    static func fixture(_ name: String) -> String { repository + "/Tests/RelaisTests/Fixtures/" + name }

    /// `profile` is the client's profile as JSON text, or nil for none.
    init(profile: String? = nil) throws {
        folder = NSTemporaryDirectory() + "relais-format-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let profileMember = profile.map { ", \"profile\": \($0)" } ?? ""
        let json = """
            {"store": "store.sqlite", "inbox": "inbox", "archive": "archive", "outbox": "outbox",
             "xmlSchema": "\(Self.schema)",
             "clients": [{"id": "creditor", "name": "Créancier de test"\(profileMember)}]}
            """
        try json.write(toFile: folder + "/relais.json", atomically: true, encoding: .utf8)
        let configuration = try Configuration.load(folder + "/relais.json")
        store = try CaseStore(path: configuration.store)
        try store.register(clients: configuration.clients.map { ($0.id, $0.name, $0.language) })
        intake = Intake(configuration: configuration, store: store, log: Log(level: .error))
        intake.today = { CalendarDate(year: 2025, month: 6, day: 1)! }
        client = configuration.client("creditor")!
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    /// Writes `content` into the folder under `name` and ingests it.
    func ingest(named name: String, content: String, encoding: String.Encoding = .utf8) throws -> IngestResult
    {
        let path = folder + "/" + name
        try content.data(using: encoding)!.write(to: URL(fileURLWithPath: path))
        return try ingest(path: path)
    }

    /// Ingests a copy of a fixture, so that the fixture itself stays where it is.
    func ingest(fixture name: String) throws -> IngestResult {
        let path = folder + "/" + (name.split(separator: "/").last.map(String.init) ?? name)
        try FileManager.default.copyItem(atPath: Self.fixture(name), toPath: path)
        return try ingest(path: path)
    }

    func ingest(path: String) throws -> IngestResult {
        try intake.ingest(path: path, client: client, channel: .drop, source: "test", disposal: .copy)
    }

    func cases(_ result: IngestResult) throws -> [CaseSummary] {
        try store.cases(fileID: result.fileID!)
    }

    /// Every file under the folder (store, reports, archive) that contains `text`.
    func filesContaining(_ text: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: folder)
        var found: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            let path = folder + "/" + relative
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            if data.range(of: Data(text.utf8)) != nil { found.append(relative) }
        }
        return found
    }
}
