import Foundation
import Glibc

@testable import RelaisCore

/// A temporary folder with a configuration, a case store and an intake, made fresh for one test
/// and removed after it.
final class Workspace {
    let root: String
    let configPath: String
    private(set) var configuration: Configuration
    private var openedStore: CaseStore?

    /// `clients` is the JSON of the `clients` list; `extra` adds top-level keys.
    init(clients: String = Workspace.defaultClients, extra: String = "") throws {
        var template = Array("/tmp/relais-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw FileError(path: "/tmp", operation: "mkdtemp", errno: errno)
        }
        root = String(cString: made)
        configPath = root + "/relais.json"
        let text = """
            {"store": "var/relais.sqlite", "inbox": "var/inbox", "archive": "var/archive",
             "rejected": "var/rejected", "outbox": "var/outbox", "settleSeconds": 0.3, "rescanSeconds": 5,
             \(extra.isEmpty ? "" : extra + ",")
             "clients": \(clients)}
            """
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        configuration = try Configuration.load(configPath)
    }

    static let defaultClients = """
        [{"id": "meubles", "name": "Meubles Laurentides", "language": "fr"},
         {"id": "northwind", "name": "Northwind Telecom", "language": "en"}]
        """

    deinit {
        openedStore = nil
        try? FileManager.default.removeItem(atPath: root)
    }

    var store: CaseStore {
        get throws {
            if let openedStore { return openedStore }
            let store = try RelaisCommandLine.openStore(configuration)
            openedStore = store
            return store
        }
    }

    func intake(today: CalendarDate = CalendarDate(year: 2026, month: 12, day: 4)!) throws -> Intake {
        let intake = Intake(configuration: configuration, store: try store, log: Log(level: .error))
        intake.today = { today }
        return intake
    }

    /// Writes a file under the workspace and returns its path.
    @discardableResult
    func write(_ relative: String, _ bytes: [UInt8]) throws -> String {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @discardableResult
    func write(_ relative: String, _ text: String, encoding: String.Encoding = .utf8) throws -> String {
        try write(relative, Array(text.data(using: encoding)!))
    }

    /// Ingests one file's text for a client through a channel, as `relais ingest` does.
    func ingest(
        _ text: String, client: String = "meubles", channel: Channel = .drop,
        name: String = "assignation.csv",
        encoding: String.Encoding = .utf8
    ) throws -> IngestResult {
        let path = try write("incoming/\(UUID().uuidString)/\(name)", text, encoding: encoding)
        return try ingestFile(path, client: client, channel: channel)
    }

    func ingestFile(_ path: String, client: String = "meubles", channel: Channel = .drop) throws
        -> IngestResult
    {
        try intake().ingest(
            path: path, client: configuration.client(client)!, channel: channel, source: "command line",
            disposal: .copy)
    }

    /// The cases of a client as the inventory lists them.
    func cases(_ client: String = "meubles") throws -> [CaseSummary] {
        var result: [CaseSummary] = []
        try store.forEachCase(clientID: client) { result.append($0) }
        return result
    }

    /// One column of the primary debtor of the case with this client reference.
    func debtorField(_ column: String, clientRef: String, client: String = "meubles") throws -> String? {
        try store.connection.scalar(
            """
            SELECT d.\(column) FROM debtors d JOIN cases c ON c.id = d.case_id
            WHERE c.client_id = ? AND c.client_ref = ? AND d.role = 'debtor'
            """, [.text(client), .text(clientRef)])?.text
    }

    func caseField(_ column: String, clientRef: String, client: String = "meubles") throws -> SQLiteValue? {
        try store.connection.scalar(
            "SELECT \(column) FROM cases WHERE client_id = ? AND client_ref = ?",
            [.text(client), .text(clientRef)])
    }

    func files(under relative: String) -> [String] {
        let base = root + "/" + relative
        guard let walker = FileManager.default.enumerator(atPath: base) else { return [] }
        return walker.compactMap { $0 as? String }.filter { !$0.hasPrefix(".") && !$0.contains("/.") }
            .filter {
                var isDir: ObjCBool = false
                FileManager.default.fileExists(atPath: base + "/" + $0, isDirectory: &isDir)
                return !isDir.boolValue
            }
            .sorted()
    }
}

/// The `relais` executable built beside the test bundle.
enum RelaisBinary {
    static var path: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidate = bundle
        // The test runner may be the .xctest file itself or a tool inside the build folder.
        for _ in 0..<4 {
            let relais = candidate.appendingPathComponent("relais").path
            if FileManager.default.isExecutableFile(atPath: relais) { return relais }
            candidate = candidate.deletingLastPathComponent()
        }
        return FileManager.default.currentDirectoryPath + "/.build/debug/relais"
    }

    /// Runs `relais` with arguments to the end; returns its exit code, output and errors.
    static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> (
        code: Int32, out: String, err: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: outData, as: UTF8.self),
            String(decoding: errData, as: UTF8.self)
        )
    }
}
