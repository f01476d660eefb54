import Foundation
import Glibc
import Testing

@testable import RelaisCore

/// `relais serve` as a real process, on a temporary folder, with real inotify.
@Suite("The daemon", .serialized)
struct DaemonTests {
    static let list = "No de compte;Nom du débiteur;Solde\nD-1;Marie Côté;100,00\nD-2;Paul Roy;200,00\n"

    func caseCount(_ w: Workspace) throws -> Int {
        // A separate connection, as an operator's `relais inventory` would open.
        let store = try CaseStore(path: w.configuration.store)
        return try store.caseCount(clientID: "meubles")
    }

    @Test(
        "a file written into a watched inbox is a case within 2 seconds; the same content again adds nothing")
    func dropIsIngested() throws {
        let w = try Workspace()
        let socket = try NotifySocket(path: w.root + "/notify.sock")
        let daemon = try DaemonProcess(configPath: w.configPath, environment: ["NOTIFY_SOCKET": socket.path])
        let ready = socket.messages(for: 1.5)
        #expect(ready.contains { $0.contains("READY=1") }, "\(ready) \(daemon.log)")

        // Written in place (not renamed): taken once it has held still for the settle interval.
        try w.write("var/inbox/meubles/drop/lundi.csv", Self.list)
        let took = try eventually(within: 2) { try caseCount(w) == 2 }
        #expect(took != nil, "not ingested within 2 s: \(daemon.log)")

        // Renamed in: complete at once.
        let staged = try w.write("var/inbox/meubles/drop/.mardi.csv.tmp", Self.list)
        #expect(rename(staged, w.configuration.inbox + "/meubles/drop/mardi.csv") == 0)
        let dup = eventually(within: 2) { daemon.log.contains("duplicate file") }
        #expect(dup != nil, "\(daemon.log)")
        #expect(eventually(within: 2) { w.files(under: "var/inbox/meubles/drop").isEmpty } != nil)
        #expect(try caseCount(w) == 2)

        daemon.signal(SIGTERM)
        #expect(daemon.wait(seconds: 5) == 0)
        #expect(daemon.log.contains("stopped"))
    }

    @Test("a done-marker makes a file complete, and the marker is removed with it")
    func doneMarker() throws {
        let w = try Workspace(
            extra: #""$comment": "long settle so that only the marker can explain the pick-up""#)
        var text = try String(contentsOfFile: w.configPath, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"settleSeconds\": 0.3", with: "\"settleSeconds\": 60")
        try text.write(toFile: w.configPath, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(configPath: w.configPath)
        #expect(eventually(within: 3) { daemon.log.contains("watching") } != nil)
        try w.write("var/inbox/meubles/fax/liste.csv", Self.list)
        usleep(300_000)
        #expect(try caseCount(w) == 0)
        try w.write("var/inbox/meubles/fax/liste.csv.done", "")
        #expect(try eventually(within: 2) { try caseCount(w) == 2 } != nil, "\(daemon.log)")
        #expect(eventually(within: 1) { w.files(under: "var/inbox/meubles/fax").isEmpty } != nil)
        #expect(w.files(under: "var/outbox/meubles").contains { $0.hasPrefix("acknowledgement-") })
        daemon.signal(SIGTERM)
        #expect(daemon.wait(seconds: 5) == 0)
    }

    @Test("files already waiting when the daemon starts are taken by the startup scan")
    func startupScan() throws {
        let w = try Workspace()
        try w.write(
            "var/inbox/northwind/sftp/nightly.csv", "Account Number,Debtor Name,Balance\n1,Ann Smith,5.00\n")
        let daemon = try DaemonProcess(configPath: w.configPath)
        let store = { try CaseStore(path: w.configuration.store).caseCount(clientID: "northwind") }
        #expect(try eventually(within: 3) { try store() == 1 } != nil, "\(daemon.log)")
        #expect(!w.files(under: "var/outbox").contains { $0.contains("acknowledgement") })
        daemon.signal(SIGTERM)
        #expect(daemon.wait(seconds: 5) == 0)
    }

    @Test(
        "killed with SIGKILL in the middle of a file, again and again, every row ends recorded exactly once")
    func killedMidFile() throws {
        let w = try Workspace()
        var text = "No de compte;Nom du débiteur;Solde;Ville\n"
        let rows = 30_000
        for i in 1...rows {
            text += "K\(i);Débiteur \(i);\(i % 900 + 1),\(i % 100 < 10 ? "0" : "")\(i % 100);Laval\n"
        }
        let staged = try w.write("staging/gros.csv", text)
        try AtomicFile.makeFolder(w.configuration.inbox + "/meubles/drop")
        #expect(rename(staged, w.configuration.inbox + "/meubles/drop/gros.csv") == 0)

        // Kill at moments spread over the file's reading, then let a last run finish.
        for delay in [0.15, 0.3, 0.5, 0.8, 1.1, 1.5] {
            let daemon = try DaemonProcess(configPath: w.configPath)
            usleep(useconds_t(delay * 1_000_000))
            daemon.signal(SIGKILL)
            _ = daemon.wait(seconds: 5)
        }
        let last = try DaemonProcess(configPath: w.configPath)
        let done = eventually(within: 60) { w.files(under: "var/inbox/meubles/drop").isEmpty }
        #expect(done != nil, "\(last.log)")
        last.signal(SIGTERM)
        #expect(last.wait(seconds: 10) == 0)

        let store = try CaseStore(path: w.configuration.store)
        let db = store.connection
        #expect(try db.scalar("SELECT COUNT(*) FROM cases")?.int == Int64(rows))
        #expect(try db.scalar("SELECT COUNT(DISTINCT client_ref) FROM cases")?.int == Int64(rows))
        #expect(try db.scalar("SELECT COUNT(*) FROM files WHERE outcome = 'ingested'")?.int == 1)
        #expect(try db.scalar("SELECT COUNT(*) FROM files WHERE disposed_at IS NULL")?.int == 0)
        #expect(w.files(under: "var/archive/meubles/drop").count == 1)
    }

    @Test("an unreadable configuration stops the command with one line and a non-zero exit")
    func badConfiguration() throws {
        let w = try Workspace()
        try "{\"store\": 1, \"clients\": []}".write(toFile: w.configPath, atomically: true, encoding: .utf8)
        let run = try RelaisBinary.run(["serve", "--config", w.configPath])
        #expect(run.code == 2)
        #expect(run.err.contains("store: expected a string"))
        #expect(run.err.split(separator: "\n").count == 1)
    }
}

/// The command line as an operator uses it.
@Suite("The relais command")
struct CommandTests {
    @Test("relais ingest prints one JSON line per file and exits 0 when every file was processed")
    func ingest() throws {
        let w = try Workspace()
        let good = try w.write("a.csv", "No de compte;Nom;Solde\n1;Ann Roy;5,00\n2;;6,00\n")
        let refused = try w.write("b.csv", "")
        let run = try RelaisBinary.run([
            "ingest", "--config", w.configPath, "--client", "meubles", "--channel", "mail", good, refused,
        ])
        #expect(run.code == 0, "\(run.err)")
        let lines = run.out.split(separator: "\n").map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        #expect(lines.count == 2)
        #expect(lines[0]["status"] as? String == "ingested")
        #expect(lines[0]["accepted"] as? Int == 1)
        #expect(lines[0]["rejected"] as? Int == 1)
        #expect((lines[0]["rejects"] as? [[String: Any]])?.first?["line"] as? Int == 3)
        #expect(lines[0]["acknowledgement"] is String)
        #expect(lines[1]["status"] as? String == "refused")
        #expect(lines[1]["reason"] as? String == "the file is empty")
        #expect(FileManager.default.fileExists(atPath: good), "the user's own file is left in place")
    }

    @Test(
        "bad arguments and unknown clients exit non-zero with one line on stderr",
        arguments: [
            ["ingest", "--client", "nobody", "--channel", "drop", "x.csv"],
            ["ingest", "--client", "meubles", "--channel", "pigeon", "x.csv"],
            ["ingest", "--client", "meubles", "--channel", "drop"],
            ["inventory", "--client", "meubles", "--format", "xml"],
            ["inventory"],
            ["frobnicate"],
        ])
    func badArguments(arguments: [String]) throws {
        let w = try Workspace()
        var words = arguments
        if words.count > 1 { words.insert(contentsOf: ["--config", w.configPath], at: 1) }
        let run = try RelaisBinary.run(words)
        #expect(run.code != 0)
        #expect(run.err.split(separator: "\n").count == 1, "\(run.err)")
    }

    @Test("relais inventory prints CSV or JSON with the performance")
    func inventory() throws {
        let w = try Workspace()
        let file = try w.write("a.csv", "No de compte;Nom;Solde\n1;Ann Roy;5,00\n2;Bob Roy;6,25\n")
        _ = try RelaisBinary.run([
            "ingest", "--config", w.configPath, "--client", "meubles", "--channel", "drop", file,
        ])
        let json = try RelaisBinary.run([
            "inventory", "--config", w.configPath, "--client", "meubles", "--format", "json",
        ])
        let object = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as! [String: Any]
        #expect(object["client"] as? String == "meubles")
        #expect((object["performance"] as? [String: Any])?["assignedCents"] as? Int == 1125)
        let csv = try RelaisBinary.run(["inventory", "--config", w.configPath, "--client", "meubles"])
        #expect(
            csv.out.hasPrefix("Notre référence,Votre référence,Débiteur,Date d'ouverture,Montant assigné"))
        #expect(csv.out.contains("Nouveau,Reçu"))
    }

    @Test("help and version")
    func help() throws {
        #expect(try RelaisBinary.run(["--version"]).out.hasPrefix("relais "))
        let help = try RelaisBinary.run(["--help"])
        #expect(
            help.code == 0 && help.out.contains("serve") && help.out.contains("ingest")
                && help.out.contains("inventory"))
        #expect(try RelaisBinary.run(["help", "ingest"]).out.contains("--channel"))
    }
}
