import Foundation
import Glibc
import Testing

@testable import RelaisCore

@Suite("The intake: each file once, its documents, its original kept")
struct IntakeTests {
    static let list = "No de compte;Nom du débiteur;Solde\nR-1;Marie Côté;1 234,56 $\nR-2;Paul Roy;10,00\n"

    @Test(
        "an acknowledgement of receipt is written for fax, mail and email",
        arguments: [Channel.fax, .mail, .email])
    func acknowledgementFor(channel: Channel) throws {
        let w = try Workspace()
        let result = try w.ingest(Self.list, channel: channel)
        let path = try #require(result.acknowledgement)
        let csv = try String(contentsOfFile: path, encoding: .utf8)
        #expect(csv.contains("AC0000001,R-1,Marie Côté,1234.56"))
        let text = try String(
            contentsOfFile: path.replacingOccurrences(of: ".csv", with: ".txt"), encoding: .utf8)
        #expect(text.contains("ACCUSÉ DE RÉCEPTION"))
        #expect(text.contains("1 234,56 $"))
        #expect(text.contains("Marie Côté"))
    }

    @Test("no acknowledgement for electronic channels", arguments: [Channel.drop, .sftp, .portal])
    func noAcknowledgementFor(channel: Channel) throws {
        let w = try Workspace()
        let result = try w.ingest(Self.list, channel: channel)
        #expect(result.accepted == 2)
        #expect(result.acknowledgement == nil)
        #expect(!w.files(under: "var/outbox").contains { $0.contains("acknowledgement") })
    }

    @Test("an English client's acknowledgement is in English")
    func englishAcknowledgement() throws {
        let w = try Workspace()
        let result = try w.ingest(
            "Account Number,Debtor Name,Balance\n9,Ann Smith,\"$1,234.56\"\n", client: "northwind",
            channel: .email)
        let text = try String(
            contentsOfFile: result.acknowledgement!.replacingOccurrences(of: ".csv", with: ".txt"),
            encoding: .utf8)
        #expect(text.contains("ACKNOWLEDGEMENT OF RECEIPT"))
        #expect(text.contains("$1,234.56"))
    }

    @Test("the same content delivered again creates nothing and is reported as a duplicate file")
    func duplicateFile() throws {
        let w = try Workspace()
        let first = try w.ingest(Self.list, name: "lundi.csv")
        let again = try w.ingest(Self.list, name: "mardi.csv")
        #expect(first.status == .ingested)
        #expect(again.status == .duplicateFile)
        #expect(again.reason?.contains("lundi.csv") == true)
        #expect(try w.cases().count == 2)
        #expect(again.rejectReport != nil)
    }

    @Test("a file read again makes its earlier cases duplicates, never second cases")
    func again() throws {
        let w = try Workspace()
        let path = try w.write(
            "in/liste.csv",
            "No de compte;Nom;Solde;Date de naissance\nA-1;Ann Roy;5,00;03/04/1980\nA-2;Bob Roy;6,00;\n")
        let first = try w.ingestFile(path)
        #expect(first.accepted == 1 && first.rejected == 1)
        let again = try w.intake().ingest(
            path: path, client: w.configuration.client("meubles")!, channel: .drop,
            source: "command line", disposal: .copy, again: true)
        #expect(again.status == .ingested)
        #expect(again.duplicates == 1)
        #expect(again.rejected == 1)
        #expect(try w.cases().count == 1, "nothing is overwritten, nothing counted twice")
    }

    @Test("the same content from another client is that client's own file")
    func sameContentOtherClient() throws {
        let w = try Workspace()
        _ = try w.ingest(Self.list, client: "meubles")
        let other = try w.ingest(Self.list, client: "northwind")
        #expect(other.status == .ingested)
    }

    @Test("rows refused get a reject report, in the client's language, with the line and field")
    func rejectReport() throws {
        let w = try Workspace()
        let result = try w.ingest("No de compte;Nom du débiteur;Solde\nR-1;Marie Côté;abc\n")
        let csv = try String(contentsOfFile: try #require(result.rejectReport), encoding: .utf8)
        #expect(csv.contains("assignation.csv,2,Solde,"))
        let text = try String(
            contentsOfFile: result.rejectReport!.replacingOccurrences(of: ".csv", with: ".txt"),
            encoding: .utf8)
        #expect(text.contains("RAPPORT DE REJETS"))
        #expect(text.contains("Ligne 2 [Solde]"))
    }

    @Test("a file recorded but not yet moved when the process died is finished at startup, not read again")
    func reconcileAfterCommit() throws {
        let w = try Workspace()
        let inbox = w.configuration.inbox + "/meubles/fax"
        try AtomicFile.makeFolder(inbox)
        let path = try w.write("var/inbox/meubles/fax/liste.csv", Self.list)
        // What a crash right after the commit leaves: the ledger row and cases, the file in place.
        let store = try w.store
        let survey = try FileSurvey.of(path: path)
        let reader = CSVAssignmentReader(
            path: path, survey: survey, profile: .none, today: CalendarDate.today())
        _ = try reader.prepare()
        let file = ReceivedFile(
            clientID: "meubles", channel: .fax, source: "inbox", name: "liste.csv", path: path, survey: survey
        )
        _ = try store.recordFile(file, reading: FileReading(format: "csv"), openedOn: CalendarDate.today()) {
            recorder in
            try reader.read {
                if case .assignment(let line, let a) = $0 { try recorder.record(a, line: line) }
            }
        }
        #expect(FileManager.default.fileExists(atPath: path))

        try w.intake().reconcile()
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(w.files(under: "var/archive/meubles/fax").count == 1)
        #expect(w.files(under: "var/outbox/meubles").contains { $0.hasPrefix("acknowledgement-") })
        #expect(try w.cases().count == 2)
        #expect(try store.pendingFiles().isEmpty)
    }

    @Test("the daemon's move takes the original out of the inbox into the archive")
    func moveDisposal() throws {
        let w = try Workspace()
        let path = try w.write("var/inbox/meubles/drop/liste.csv", Self.list)
        let result = try w.intake().ingest(
            path: path, client: w.configuration.client("meubles")!, channel: .drop,
            source: "inbox", disposal: .move)
        #expect(result.accepted == 2)
        #expect(!FileManager.default.fileExists(atPath: path))
        let archived = w.files(under: "var/archive/meubles/drop")
        #expect(archived.count == 1 && archived[0].hasSuffix("F0000001-liste.csv"))
    }

    @Test("a link in the inbox is refused and never followed")
    func symbolicLink() throws {
        let w = try Workspace()
        let secret = try w.write("secret/cles.csv", "No de compte,Nom,Solde\n1,Secret Person,5.00\n")
        try AtomicFile.makeFolder(w.configuration.inbox + "/meubles/drop")
        let link = w.configuration.inbox + "/meubles/drop/lien.csv"
        #expect(symlink(secret, link) == 0)
        let result = try w.intake().ingest(
            path: link, client: w.configuration.client("meubles")!, channel: .drop,
            source: "inbox", disposal: .move)
        #expect(result.status == .refused)
        #expect(try w.cases().isEmpty)
        #expect(FileManager.default.fileExists(atPath: secret))
    }

    @Test("the inventory lists every case with both references, status and sub-status, and sums to the cent")
    func inventory() throws {
        let w = try Workspace()
        _ = try w.ingest(Self.list)
        _ = try w.ingest("No de compte;Nom du débiteur;Solde\nR-3;Luc Roy;0,01\n")
        var json = ""
        let path = w.root + "/inventory.json"
        try AtomicFile.write(to: path) { sink in
            try Inventory(store: try w.store, client: w.configuration.client("meubles")!).write(
                .json, to: sink)
        }
        json = try String(contentsOfFile: path, encoding: .utf8)
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        let performance = object["performance"] as! [String: Any]
        #expect(performance["assignedCents"] as? Int == 123_456 + 1_000 + 1)
        let cases = object["cases"] as! [[String: Any]]
        #expect(cases.map { $0["ourRef"] as! String } == ["AC0000001", "AC0000002", "AC0000003"])
        #expect(cases.map { $0["clientRef"] as! String } == ["R-1", "R-2", "R-3"])
        #expect(cases[0]["status"] as? String == "new")
        #expect(cases[0]["subStatus"] as? String == "received")
        #expect(cases[0]["debtor"] as? String == "Marie Côté")
    }
}

@Suite("The configuration names the key it refuses")
struct ConfigurationTests {
    func load(_ json: String) throws -> Configuration {
        try Configuration.parse(Data(json.utf8), file: "/etc/relais/test.json", folder: "/etc/relais")
    }

    static let minimal = #""store": "s.sqlite", "inbox": "in", "archive": "a", "outbox": "o""#

    @Test("relative paths resolve against the configuration's folder")
    func relativePaths() throws {
        let c = try load("{\(Self.minimal), \"clients\": []}")
        #expect(c.store == "/etc/relais/s.sqlite")
        #expect(c.inbox == "/etc/relais/in")
        #expect(c.rejected == "/etc/relais/rejected")
    }

    @Test(
        "an unknown key or a wrong type is refused with a message naming the key",
        arguments: [
            ("{\(minimal), \"clients\": [], \"inboxx\": \"x\"}", "inboxx: unknown key"),
            (
                "{\(minimal), \"clients\": [{\"id\": \"a\", \"name\": \"A\", \"langue\": \"fr\"}]}",
                "clients[0].langue: unknown key"
            ),
            (
                "{\(minimal), \"clients\": [{\"id\": \"a\", \"name\": 5}]}",
                "clients[0].name: expected a string"
            ),
            (
                "{\(minimal), \"clients\": [{\"id\": \"a\", \"name\": \"A\", \"language\": \"de\"}]}",
                "clients[0].language"
            ),
            ("{\(minimal), \"settleSeconds\": \"2\", \"clients\": []}", "settleSeconds: expected a number"),
            (
                "{\(minimal), \"clients\": [{\"id\": \"a\", \"name\": \"A\", \"profile\": {\"header\": 1}}]}",
                "clients[0].profile.header: expected true or false"
            ),
            (
                "{\(minimal), \"clients\": [{\"id\": \"a\", \"name\": \"A\", \"profile\": {\"columns\": {\"amont\": 3}}}]}",
                "clients[0].profile.columns.amont: unknown key"
            ),
            (
                "{\"inbox\": \"in\", \"archive\": \"a\", \"outbox\": \"o\", \"clients\": []}",
                "store: required key is missing"
            ),
            ("{\(minimal), \"clients\": [{\"id\": \"../etc\", \"name\": \"A\"}]}", "clients[0].id"),
            ("{\(minimal), \"clients\": [{\"id\": \"a/b\", \"name\": \"A\"}]}", "not a plain name"),
            (
                "{\(minimal), \"clients\": [{\"id\": \"a\", \"name\": \"A\"}, {\"id\": \"a\", \"name\": \"B\"}]}",
                "configured twice"
            ),
            ("{\(minimal), \"clients\": [}", "not valid JSON"),
            ("{\(minimal), \"clients\": [],}", "line 1"),
            ("{\(minimal), \"store\": \"t.sqlite\", \"clients\": []}", "store: the key is given twice"),
            (
                "{\"store\": \"s\", \"inbox\": \"a/in\", \"archive\": \"a\", \"outbox\": \"o\", \"clients\": []}",
                "inbox: /etc/relais/a/in is inside archive"
            ),
            (
                "{\"store\": \"s\", \"inbox\": \"x\", \"archive\": \"x\", \"outbox\": \"o\", \"clients\": []}",
                "each needs a folder of its own"
            ),
            (
                "{\(minimal), \"clients\": [{\"id\": \"acme\", \"name\": \"A\"}, {\"id\": \"ACME\", \"name\": \"B\"}]}",
                "configured twice"
            ),
            ("{\(minimal), \"rescanSeconds\": 0, \"clients\": []}", "above 0"),
        ("{\(minimal), \"rescanSeconds\": 1e999, \"clients\": []}", "not a number a configuration can hold"),
        ("{\(minimal), \"clients\": [{\"id\": \"a\", \"name\": \"A\\u001b[2J\"}]}", "without control characters"),
        ])
    func refused(json: String, message: String) {
        do {
            _ = try load(json)
            Issue.record("accepted: \(json)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test("the example configuration in Config/ is valid and shows every key")
    func example() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
                "Config/relais.example.json"
            ).path
        let configuration = try Configuration.load(path)
        #expect(!configuration.clients.isEmpty)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for key in Configuration.topLevelKeys where key != "$comment" {
            #expect(text.contains("\"\(key)\""), "the example lacks \(key)")
        }
        for key in ClientConfiguration.profileKeys {
            #expect(text.contains("\"\(key)\""), "the example lacks \(key)")
        }
    }
}
