import Foundation
import Glibc
import Testing

@testable import RelaisCore

@Suite("XML assignment files")
struct XMLAssignmentTests {
    static let mapping = """
        {"xml": {"record": "/Export/Comptes/Compte", "fields": {
            "clientReference": "@numero", "firstName": "Debiteur/Prenom", "lastName": "Debiteur/Nom",
            "addressLine1": "Debiteur/Adresse/Rue", "city": "Debiteur/Adresse/Ville",
            "province": "Debiteur/Adresse/Province", "postalCode": "Debiteur/Adresse/CodePostal",
            "amount": "Solde/@valeur", "lastPaymentDate": "DernierPaiement", "note": "Commentaire"}}}
        """

    @Test("Relais's own format, as the sample documents it, becomes one case per assignment")
    func sampleIngests() throws {
        let harness = try FormatIntakeHarness()
        let result = try harness.ingest(
            path: {
                // The sample names its client; the harness's client is "creditor".
                let copy = harness.folder + "/assignments.xml"
                let sample = try String(
                    contentsOfFile: FormatIntakeHarness.repository
                        + "/Samples/files/caisse-bellefeuille/sftp/assignations-2025-02-03.xml", encoding: .utf8)
                try sample.replacingOccurrences(of: "client=\"caisse-bellefeuille\"", with: "client=\"creditor\"")
                    .write(toFile: copy, atomically: true, encoding: .utf8)
                return copy
            }())
        #expect(result.status == .ingested)
        #expect(result.rejects.isEmpty)
        let cases = try harness.cases(result)
        #expect(cases.map(\.clientReference) == ["004512", "004513", "004514"])
        #expect(cases.map(\.assigned.cents) == [123_456, 848_735, 8_990])
        #expect(cases[1].kind == .commercial)
        #expect(cases[0].debtor.contains("Tremblay-Ouellet"))
    }

    @Test("An element the schema refuses rejects its assignment with the line and the element")
    func schemaViolationsRejectRows() throws {
        let harness = try FormatIntakeHarness()
        let result = try harness.ingest(fixture: "xml/invalid-elements.xml")
        #expect(result.status == .ingested)
        #expect(try harness.cases(result).map(\.clientReference) == ["V-1", "V-6"])
        let rejects = result.rejects.map { "\($0.line) \($0.field ?? "-"): \($0.reason)" }
        #expect(
            rejects == [
                "11 amount: \"1 200,50\" is not an amount written as 1234.56 (a point, at most two decimals, "
                    + "no grouping, no $)",
                "17 shoeSize: This element is not expected.",
                // A full date is masked in a reason but for its year: it may be a date of birth.
                "23 lastPaymentDate: \"**/**/2024\" is not a date written as 2024-03-15",
                // Valid to the schema, refused by the rules every format shares.
                "29 province: \"XY\" is not a Canadian province or territory (QC, ON, NB…)",
            ])
    }

    @Test("A document that is not well-formed is refused whole, with libxml2's line and reason")
    func malformedDocumentIsRefused() throws {
        let harness = try FormatIntakeHarness()
        let result = try harness.ingest(fixture: "xml/malformed.xml")
        #expect(result.status == .refused)
        #expect(result.reason?.contains("line 12") == true)
        #expect(
            result.reason?.contains("Opening and ending tag mismatch: assignment line 8 and assignmnet")
                == true)
        #expect(try harness.store.connection.scalar("SELECT COUNT(*) FROM cases")?.int == 0)
    }

    @Test("An external entity naming a local file is refused, and the file's content appears nowhere")
    func externalEntityIsRefused() throws {
        let harness = try FormatIntakeHarness()
        let secret = "SECRET-\(UUID().uuidString)"
        try secret.write(toFile: harness.folder + "/secret.txt", atomically: true, encoding: .utf8)
        let result = try harness.ingest(
            named: "xxe.xml",
            content: """
                <?xml version="1.0"?>
                <!DOCTYPE assignments [<!ENTITY leak SYSTEM "file://\(harness.folder)/secret.txt">]>
                <assignments xmlns="urn:relais:assignment:1"><assignment>
                <clientReference>X-1</clientReference><debtorName>&leak;</debtorName><amount>10.00</amount>
                </assignment></assignments>
                """)
        #expect(result.status == .refused)
        #expect(result.reason?.contains("declares entities") == true)
        #expect(harness.filesContaining(secret) == ["secret.txt"])
    }

    @Test("An entity declared only in a file:// DTD is never loaded: the document is refused, nothing leaks")
    func fileDTDIsNeverLoaded() throws {
        let harness = try FormatIntakeHarness()
        let secret = "SECRET-\(UUID().uuidString)"
        try "<!ENTITY leak \"\(secret)\">".write(
            toFile: harness.folder + "/evil.dtd", atomically: true, encoding: .utf8)
        let result = try harness.ingest(
            named: "dtd.xml",
            content: """
                <?xml version="1.0"?>
                <!DOCTYPE assignments SYSTEM "file://\(harness.folder)/evil.dtd">
                <assignments xmlns="urn:relais:assignment:1"><assignment>
                <clientReference>D-1</clientReference><debtorName>&leak;</debtorName><amount>10.00</amount>
                </assignment></assignments>
                """)
        #expect(result.status == .refused)
        #expect(result.reason?.contains("Entity 'leak' not defined") == true)
        #expect(result.reason?.contains("loads no DTD") == true)
        #expect(harness.filesContaining(secret) == ["evil.dtd"])
    }

    @Test("A remote DTD is refused without a connection being made to it")
    func remoteDTDIsNotFetched() throws {
        let listener = try LoopbackListener()
        let harness = try FormatIntakeHarness()
        let result = try harness.ingest(
            named: "remote.xml",
            content: """
                <?xml version="1.0"?>
                <!DOCTYPE assignments SYSTEM "http://127.0.0.1:\(listener.port)/evil.dtd">
                <assignments xmlns="urn:relais:assignment:1"><assignment>
                <clientReference>R-1</clientReference><debtorName>Jean Roy</debtorName><amount>10.00</amount>
                </assignment></assignments>
                """)
        #expect(result.status == .refused)
        #expect(result.reason?.contains("names an external DTD") == true)
        #expect(result.reason?.contains("127.0.0.1:\(listener.port)") == true)
        #expect(listener.connectionsWaiting() == 0)
    }

    @Test("A billion-laughs expansion is refused as an entity bomb")
    func billionLaughsIsRefused() throws {
        let harness = try FormatIntakeHarness()
        let result = try harness.ingest(fixture: "xml/billion-laughs.xml")
        #expect(result.status == .refused)
        #expect(
            result.reason?.contains("entity expansion bomb") == true
                || result.reason?.contains("declares entities") == true)
        #expect(harness.filesContaining("lollollol").isEmpty)
    }

    @Test("Elements nested deeper than 64 levels are refused with the reason")
    func deepNestingIsRefused() throws {
        let harness = try FormatIntakeHarness()
        let depth = 10_000
        let result = try harness.ingest(
            named: "deep.xml",
            content: """
                <?xml version="1.0"?>
                <assignments xmlns="urn:relais:assignment:1"><assignment><note>\
                \(String(repeating: "<a>", count: depth))x\(String(repeating: "</a>", count: depth))\
                </note></assignment></assignments>
                """)
        #expect(result.status == .refused)
        #expect(result.reason?.contains("nested deeper than 64 levels") == true)
    }

    @Test("An element other than <assignment> under the root refuses the file whole")
    func strayElementRefusesTheFile() throws {
        let harness = try FormatIntakeHarness()
        let result = try harness.ingest(
            named: "stray.xml",
            content: """
                <?xml version="1.0"?>
                <assignments xmlns="urn:relais:assignment:1">
                <assignment><clientReference>S-1</clientReference>
                <debtorName>Jean Roy</debtorName><amount>1</amount></assignment>
                <total>1.00</total>
                </assignments>
                """)
        #expect(result.status == .refused)
        #expect(result.reason?.contains("line 5: <total> is not an assignment") == true)
    }

    @Test("A root attribute the schema does not know refuses the file")
    func rootAttributeIsChecked() throws {
        let harness = try FormatIntakeHarness()
        let result = try harness.ingest(
            named: "root.xml",
            content: """
                <?xml version="1.0"?>
                <assignments xmlns="urn:relais:assignment:1" version="2">
                <assignment><clientReference>S-1</clientReference>
                <debtorName>Jean Roy</debtorName><amount>1</amount></assignment>
                </assignments>
                """)
        #expect(result.status == .refused)
        #expect(result.reason?.contains("does not follow Relais's schema") == true)
        #expect(result.reason?.contains("version") == true)
    }

    @Test("XML that is not Relais's format, from a client without a mapping, is refused with what to do")
    func foreignLayoutNeedsAMapping() throws {
        let harness = try FormatIntakeHarness()
        let result = try harness.ingest(fixture: "xml/creditor-export.xml")
        #expect(result.status == .refused)
        #expect(
            result.reason?.contains("root element is <Export> in namespace http://example.com/export") == true
        )
        #expect(result.reason?.contains("\"xml\" mapping") == true)
    }

    @Test(
        "A client's own layout is read through its mapping: attributes, nesting, its amounts and dates"
    )
    func clientMappingReadsTheExport() throws {
        let harness = try FormatIntakeHarness(profile: Self.mapping)
        let result = try harness.ingest(fixture: "xml/creditor-export.xml")
        #expect(result.status == .ingested)
        let cases = try harness.cases(result)
        #expect(cases.map(\.clientReference) == ["0045100", "0045101"])
        #expect(cases.map(\.assigned.cents) == [123_456, 8_990])
        #expect(cases[0].debtor.contains("Josée") && cases[0].debtor.contains("Côté"))
        #expect(result.rejects.count == 1)
        #expect(result.rejects.first?.line == 25)
        #expect(result.rejects.first?.field == "Solde/@valeur")
    }

    @Test("A file that starts with a byte-order mark and white space before '<' is read as XML")
    func contentDecidesTheFormat() throws {
        let harness = try FormatIntakeHarness()
        let result = try harness.ingest(
            named: "bom.txt",
            content: "\u{FEFF}\n  "
                + "<assignments xmlns=\"urn:relais:assignment:1\"><assignment>"
                + "<clientReference>B-1</clientReference>"
                + "<debtorName>Jean Roy</debtorName><amount>12.00</amount></assignment></assignments>")
        #expect(result.status == .ingested)
        #expect(try harness.cases(result).map(\.assigned.cents) == [1_200])
    }

    @Test(
        "A mapping path that cannot be streamed is refused when the configuration is read",
        arguments: ["Export/Compte", "//Compte", "/Export/*", "/Export/Compte[1]"])
    func badRecordPathIsAConfigurationError(path: String) throws {
        #expect(throws: ConfigurationError.self) {
            _ = try FormatIntakeHarness(
                profile: """
                    {"xml": {"record": "\(path)", "fields": {"clientReference": "No"}}}
                    """)
        }
    }
}

/// A TCP listener on 127.0.0.1 that nobody should ever connect to.
final class LoopbackListener {
    let socket: Int32
    let port: UInt16

    init() throws {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 8) == 0 else {
            close(fd)
            throw FileError(path: "127.0.0.1", operation: "listen", errno: errno)
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        socket = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(socket) }

    /// How many connections were made and are waiting to be accepted.
    func connectionsWaiting() -> Int {
        var count = 0
        while true {
            let connection = accept(socket, nil, nil)
            guard connection >= 0 else { return count }
            close(connection)
            count += 1
        }
    }
}
