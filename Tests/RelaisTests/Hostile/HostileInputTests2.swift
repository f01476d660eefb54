import Foundation
import Glibc
import Testing

@testable import RelaisCore

/// What the second attack on Relais found (see the attack report): client updates, `--again`,
/// the configuration's folder checks, emails and personal data in reasons. Every test named
/// "KNOWN BUG" fails on the code it was written against and states the behaviour Relais must
/// have instead; the others hold and guard what held up.
@Suite("Hostile input, second round", .serialized)
struct HostileInputTests2 {
    static let header = "No de compte,Nom du débiteur,Solde\n"
    static let updateHeader = "No de compte,Type de transaction,Montant,Date de la transaction,Motif\n"
    static let clients = """
        [{"id": "meubles", "name": "Meubles Laurentides", "language": "fr",
          "profile": {"dateOrder": "DMY"}},
         {"id": "northwind", "name": "Northwind Telecom", "language": "en"}]
        """

    /// Ingests a file already written, with or without `again`, as `relais ingest` does.
    func ingest(_ w: Workspace, _ path: String, channel: Channel = .drop, again: Bool = false) throws
        -> IngestResult
    {
        try w.intake().ingest(
            path: path, client: w.configuration.client("meubles")!, channel: channel,
            source: "command line", disposal: .copy, again: again)
    }

    // MARK: Client updates

    @Test("updates that would overdraw, pay nothing or touch another client's case are rejected")
    func hostileUpdatesAreRejected() throws {
        let w = try Workspace(clients: Self.clients)
        #expect(try w.ingest(Self.header + "A-1,Marie Côté,100.00\nA-2,Paul Roy,50.00\n").accepted == 2)
        #expect(try w.ingest(Self.header + "N-1,Luc Roy,10.00\n", client: "northwind").accepted == 1)
        let result = try w.ingest(
            Self.updateHeader
                + "A-1,Paiement,150.00,01/12/2026,\n"  // more than the balance
                + "A-1,Paiement,-20.00,01/12/2026,\n"  // negative
                + "A-1,Ajustement,-100.01,01/12/2026,\n"  // below zero
                + "A-2,Rappel,,01/12/2026,fini\n"
                + "A-2,Paiement,10.00,01/12/2026,\n"  // closed two lines above
                + "A-1,Paiement,10.00,01/01/2027,\n",  // in the future
            name: "maj.csv")
        #expect(result.updates == 1)
        #expect(result.rejected == 5)
        let other = try w.ingest(
            "Notre référence,Type de transaction,Montant,Date de la transaction\n"
                + "AC0000003,Paiement,5.00,01/12/2026\n", name: "ours.csv")
        #expect(other.updates == 0 && other.rejected == 1)
        #expect(try w.caseField("balance_cents", clientRef: "A-1") == .integer(10000))
        #expect(try w.caseField("balance_cents", clientRef: "N-1", client: "northwind") == .integer(1000))
    }

    @Test("relais ingest --again on a file of updates does not apply its payments twice")
    func againDoesNotReapplyUpdates() throws {
        let w = try Workspace(clients: Self.clients)
        #expect(try w.ingest(Self.header + "G-1,Marie Côté,100.00\n").accepted == 1)
        let path = try w.write("in/maj.csv", Self.updateHeader + "G-1,Paiement,30.00,01/12/2026,\n")
        #expect(try ingest(w, path).updates == 1)
        // The file is read again (after a profile fix, say): its payment is already applied.
        _ = try ingest(w, path, again: true)
        #expect(try w.caseField("recovered_cents", clientRef: "G-1") == .integer(3000))
        #expect(try w.caseField("balance_cents", clientRef: "G-1") == .integer(7000))
    }

    @Test("relais ingest --again on an assignment file never reopens a case recalled since")
    func againDoesNotReopenRecalledCase() throws {
        let w = try Workspace(clients: Self.clients)
        let path = try w.write("in/assign.csv", Self.header + "R-1,Marie Côté,100.00\n")
        #expect(try ingest(w, path).accepted == 1)
        let recall = try w.ingest(Self.updateHeader + "R-1,Rappel,,01/12/2026,retiré\n", name: "rappel.csv")
        #expect(recall.updates == 1)
        // The README: "those that became cases are reported as duplicates, never opened twice".
        let again = try ingest(w, path, again: true)
        #expect(again.accepted == 0, "a case the client took back was opened again")
        #expect(try w.store.caseCount(clientID: "meubles") == 1)
    }

    // MARK: Emails

    static func message(_ attachments: [(name: String, body: String)]) -> String {
        var lines = [
            "From: comptes@example.com", "Subject: liste", "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"b\"", "",
        ]
        for a in attachments {
            lines += [
                "--b", "Content-Type: text/csv; name=\"\(a.name)\"",
                "Content-Disposition: attachment; filename=\"\(a.name)\"",
                "Content-Transfer-Encoding: base64", "", Data(a.body.utf8).base64EncodedString(),
            ]
        }
        lines.append("--b--")
        return lines.joined(separator: "\r\n")
    }

    @Test("attachment names that climb out of the staging folder stay inside it")
    func attachmentNamesStayInStaging() throws {
        let w = try Workspace(clients: Self.clients)
        let path = try w.write(
            "in/escape.eml",
            Self.message([
                ("../../../../\(w.root)/pwned.csv", Self.header + "S-1,Marie Côté,10.00\n"),
                ("/etc/passwd.csv", Self.header + "S-2,Paul Roy,10.00\n"),
                ("..", Self.header + "S-3,Luc Roy,10.00\n"),
            ]))
        let result = try ingest(w, path, channel: .email)
        #expect(result.accepted == 3)
        #expect(!FileManager.default.fileExists(atPath: w.root + "/pwned.csv"))
        #expect(w.files(under: "in").count == 1)
    }

    @Test("relais ingest --again on an emailed message reads it, or says why not")
    func againOnMessage() throws {
        let w = try Workspace(clients: Self.clients)
        let path = try w.write(
            "in/liste.eml", Self.message([("liste.csv", Self.header + "M-1,Marie Côté,10.00\n")]))
        #expect(try ingest(w, path, channel: .email).accepted == 1)
        let again = try RelaisBinary.run([
            "ingest", "--config", w.configPath, "--client", "meubles", "--channel", "email", "--again", path,
        ])
        // Today: exit 1 and a Swift dump of an internal error, AlreadyIngested(earlier: ...).
        #expect(again.code == 0, "\(again.err)")
        #expect(!again.err.contains("AlreadyIngested"), "\(again.err)")
    }

    // MARK: Configuration

    func configuration(_ w: Workspace, _ text: String) -> String {
        let path = w.root + "/other.json"
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a configuration whose case store is inside an inbox folder is refused")
    func storeInsideInboxRefused() throws {
        let w = try Workspace()
        // The daemon takes its own database, WAL and lock file as client files and moves them
        // into the rejected folder; the next start finds an empty store.
        let path = configuration(
            w,
            """
            {"store": "var/inbox/meubles/drop/relais.sqlite", "inbox": "var/inbox",
             "archive": "var/archive", "outbox": "var/outbox", "clients": [{"id": "meubles", "name": "M"}]}
            """)
        #expect(throws: (any Error).self) { try Configuration.load(path) }
    }

    @Test("a bureau outbox inside a client's outbox is refused")
    func bureauOutboxInsideClientOutboxRefused() throws {
        let w = try Workspace()
        // Delivery pushes every file of <outbox>/<client>/ to that client's server: the month's
        // bureau file, every debtor's SIN and date of birth, would go to one creditor.
        let path = configuration(
            w,
            """
            {"store": "var/relais.sqlite", "inbox": "var/inbox", "archive": "var/archive",
             "outbox": "var/outbox",
             "bureaus": {"reporterAddress": "1 rue A, Montréal QC H2X 1Y4",
                         "acces": {"identificationNumber": "AC1", "outbox": "var/outbox/meubles"}},
             "clients": [{"id": "meubles", "name": "M"}]}
            """)
        #expect(throws: (any Error).self) { try Configuration.load(path) }
    }

    @Test("an archive that is the inbox through a symbolic link is refused")
    func symbolicLinkFoldersRefused() throws {
        let w = try Workspace()
        try FileManager.default.createDirectory(
            atPath: w.root + "/var/real", withIntermediateDirectories: true)
        #expect(symlink("real", w.root + "/var/link") == 0)
        let path = configuration(
            w,
            """
            {"store": "var/relais.sqlite", "inbox": "var/real", "archive": "var/link",
             "outbox": "var/outbox", "clients": [{"id": "meubles", "name": "M"}]}
            """)
        #expect(throws: (any Error).self) { try Configuration.load(path) }
    }

    // MARK: Personal data

    @Test("a SIN or birth date shifted into another column is not quoted in the reason")
    func shiftedPersonalDataNotQuoted() throws {
        let w = try Workspace(clients: Self.clients)
        // A row missing its name: the SIN lands in Solde, the date of birth in the next row does.
        let result = try w.ingest(
            "No de compte,Nom du débiteur,Solde,NAS,Date de naissance\n"
                + "Q-1,Paul Roy,046 454 286,1980-03-25\n"
                + "Q-2,Luc Roy,1975-04-03\n")
        #expect(result.rejected == 2)
        var written = result.rejects.map(\.reason).joined(separator: "\n")
        for file in w.files(under: "var/outbox") {
            written += try String(contentsOfFile: w.root + "/var/outbox/" + file, encoding: .utf8)
        }
        for secret in ["046 454 286", "1975-04-03"] {
            #expect(!written.contains(secret), "\(secret) was written")
        }
    }
}
