import Foundation
import Testing

@testable import RelaisCore

@Suite("Emailed lists")
struct EmailIntakeTests {
    /// A MIME message with the given attachments (name, type, content), base64-encoded.
    func message(
        _ attachments: [(String, String, String)], body: String = "Bonjour, voici les dossiers."
    ) -> String {
        var text = """
            From: Sylvie Comptable <comptes@caisse.example>
            To: intake@agence.example
            Subject: Nouveaux dossiers
            Date: Fri, 10 May 2024 10:31:00 -0400
            Message-ID: <lot-42@caisse.example>
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="frontiere"

            --frontiere
            Content-Type: text/plain; charset=utf-8

            \(body)

            """
        for (name, type, content) in attachments {
            text += """
                --frontiere
                Content-Type: \(type); name="\(name)"
                Content-Disposition: attachment; filename="\(name)"
                Content-Transfer-Encoding: base64

                \(Data(content.utf8).base64EncodedString(options: .lineLength76Characters))

                """
        }
        return text + "--frontiere--\n"
    }

    let lot1 =
        "No de compte,Nom du débiteur,Solde\n"
        + "A-1,\"Gagnon, Sylvie\",\"1 234,56\"\nA-2,\"Roy, Marc\",\"100,00\"\n"
    let lot2 = "No de compte,Nom du débiteur,Solde\nB-1,\"Côté, Line\",\"50,00\"\n"

    @Test(
        "a message with two list attachments ingests both, with one acknowledgement, sender and subject kept"
    )
    func twoAttachments() throws {
        let bench = try IntakeBench()
        let path = try bench.write(
            message([
                ("lot1.csv", "text/csv", lot1), ("lot2.csv", "text/csv", lot2),
                ("lettre.pdf", "application/pdf", "%PDF-1.4"),
            ]), as: "lots.eml")
        let result = try bench.ingest(path, channel: .email)
        #expect(result.status == .ingested)
        #expect(result.accepted == 3)
        #expect(try bench.cases().map(\.reference) == ["A-1", "A-2", "B-1"])
        let acks = try bench.store.connection.rows(
            "SELECT file_id, path FROM documents WHERE kind = 'acknowledgement'")
        #expect(acks.count == 1)
        #expect(acks.first?[0].int == result.fileID)
        let text = try String(contentsOfFile: acks[0][1].text!, encoding: .utf8)
        #expect(text.contains("A-1") && text.contains("B-1"))
        let headers = try #require(try bench.store.messageHeaders(fileID: result.fileID!))
        #expect(headers.sender == "Sylvie Comptable <comptes@caisse.example>")
        #expect(headers.subject == "Nouveaux dossiers")
        #expect(headers.date?.hasPrefix("2024-05-10T10:31:00") == true)
        let parts = try bench.store.attachmentFiles(ofMessage: result.fileID!)
        #expect(parts.map(\.name) == ["1-lot1.csv", "2-lot2.csv"])
    }

    @Test(
        "a message with a CSV and an XML attachment takes each through its own path, with one acknowledgement"
    )
    func csvAndXML() throws {
        let bench = try IntakeBench()
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <assignments xmlns="urn:relais:assignment:1"><assignment><clientReference>X-9</clientReference><debtorName>Roy, Line</debtorName>
            <amount>75.00</amount></assignment></assignments>
            """
        let path = try bench.write(
            message([("lot1.csv", "text/csv", lot1), ("lot.xml", "application/xml", xml)]),
            as: "mixte.eml")
        let result = try bench.ingest(path, channel: .email)
        #expect(result.status == .ingested)
        let parts = try bench.store.attachmentFiles(ofMessage: result.fileID!)
        #expect(parts.count == 2)
        #expect(parts[0].outcome == .ingested && parts[0].accepted == 2)
        #expect(parts[1].outcome == .ingested && parts[1].accepted == 1)
        let acknowledgements = try bench.store.connection.rows(
            "SELECT path FROM documents WHERE kind = 'acknowledgement'")
        #expect(acknowledgements.count == 1)
        let text = try String(contentsOfFile: try #require(acknowledgements.first?[0].text), encoding: .utf8)
        #expect(text.contains("X-9") && text.contains("Roy, Line"))
    }

    @Test("a message without an attachment is refused with its reason")
    func noAttachment() throws {
        let bench = try IntakeBench()
        let path = try bench.write(message([], body: "A-1, Gagnon, 100,00"), as: "vide.eml")
        let result = try bench.ingest(path, channel: .email)
        #expect(result.status == .refused)
        #expect(result.reason?.contains("no attachment") == true)
    }

    @Test("a message whose attachments are not lists is refused, naming them")
    func noList() throws {
        let bench = try IntakeBench()
        let path = try bench.write(
            message([("lettre.pdf", "application/pdf", "%PDF-1.4")]), as: "pdf.eml")
        let result = try bench.ingest(path, channel: .email)
        #expect(result.status == .refused)
        #expect(result.reason?.contains("lettre.pdf (application/pdf)") == true)
    }

    @Test(
        "a malformed message is refused with its reason and creates nothing",
        arguments: [
            "\u{0}\u{1}\u{2} not a message at all",
            "From: x@example\nContent-Type: multipart/mixed; boundary=\"absente\"\n\nno part ever starts\n",
        ])
    func malformed(content: String) throws {
        let bench = try IntakeBench()
        let path = try bench.write(content, as: "casse.eml")
        let result = try bench.ingest(path, channel: .email)
        #expect(result.status == .refused)
        #expect(result.reason?.isEmpty == false)
        #expect(try bench.cases().isEmpty)
    }

    @Test(
        "an attachment that is not a readable list is refused on its own, the message keeps the others"
    )
    func badAttachment() throws {
        let bench = try IntakeBench()
        let path = try bench.write(
            message([("lot1.csv", "text/csv", lot1), ("vide.csv", "text/csv", "")]),
            as: "partiel.eml")
        let result = try bench.ingest(path, channel: .email)
        #expect(result.status == .ingested)
        #expect(result.accepted == 2)
        let parts = try bench.store.attachmentFiles(ofMessage: result.fileID!)
        #expect(parts.map(\.outcome) == [.ingested, .refused])
    }
}
