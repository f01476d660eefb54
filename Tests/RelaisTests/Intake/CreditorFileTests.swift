import Foundation
import Testing

@testable import RelaisCore

/// The kinds of creditor file that break importers (DOMAIN.md, "Creditor files in the wild"),
/// each ingested through the same path `relais ingest` takes, with the exact cases, duplicates
/// and rejected lines it must give.
@Suite("Creditor files in the wild")
struct CreditorFileTests {
    @Test("1. a UTF-8 byte-order mark glued to the first header name is not part of it")
    func byteOrderMark() throws {
        let w = try Workspace()
        let result = try w.ingest("\u{FEFF}No de compte,Nom du débiteur,Solde\nA-1,Marie Côté,100.00\n")
        #expect(result.status == .ingested && result.accepted == 1)
        #expect(try w.cases().map(\.clientReference) == ["A-1"])
        #expect(try w.cases().map(\.debtor) == ["Marie Côté"])
    }

    @Test(
        "2. Windows-1252 from Excel and ISO-8859-1 are detected and read right",
        arguments: [
            String.Encoding.windowsCP1252, .isoLatin1, .utf8,
        ])
    func encodings(encoding: String.Encoding) throws {
        let w = try Workspace()
        let text =
            "No de compte;Nom du débiteur;Solde;Ville\n77;Hélène Bélanger-Lévesque;250,00;Trois-Rivières\n"
        let result = try w.ingest(text, encoding: encoding)
        #expect(result.accepted == 1)
        #expect(try w.cases().first?.debtor == "Hélène Bélanger-Lévesque")
        #expect(try w.debtorField("city", clientRef: "77") == "Trois-Rivières")
    }

    @Test("2. Windows-1252's own characters (œ, ’, €) prove it is not ISO-8859-1")
    func windows1252Characters() throws {
        let w = try Workspace()
        let text = "No de compte;Nom du débiteur;Solde;Note\n5;Zoé L’Heureux;10,00;cœur\n"
        _ = try w.ingest(text, encoding: .windowsCP1252)
        #expect(try w.cases().first?.debtor == "Zoé L’Heureux")
    }

    @Test("2. a profile that says UTF-8 refuses a file that is not")
    func profileEncodingMismatch() throws {
        let w = try Workspace(
            clients: """
                [{"id": "meubles", "name": "Meubles", "profile": {"encoding": "utf-8"}}]
                """)
        let result = try w.ingest("No de compte;Nom;Solde\n1;Éric;10,00\n", encoding: .isoLatin1)
        #expect(result.status == .refused)
        #expect(result.reason?.contains("UTF-8") == true)
    }

    @Test("3. references and postal codes are text: leading zeros are kept")
    func leadingZeros() throws {
        let w = try Workspace()
        _ = try w.ingest("Account Number,Debtor Name,Balance,Postal Code\n000123,Ann Smith,5.00,h0h0h0\n")
        #expect(try w.cases().first?.clientReference == "000123")
        #expect(try w.debtorField("postal_code", clientRef: "000123") == "H0H 0H0")
    }

    @Test("4. a reference in scientific notation lost its digits: the row is rejected and says why")
    func scientificNotation() throws {
        let w = try Workspace()
        let result = try w.ingest(
            "Account Number,Debtor Name,Balance\n1.23457E+15,Ann Smith,5.00\n2,Bob Roy,6.00\n")
        #expect(result.accepted == 1 && result.rejected == 1)
        #expect(result.rejects.first?.line == 2)
        #expect(result.rejects.first?.field == "Account Number")
        #expect(result.rejects.first?.reason.contains("scientific notation") == true)
    }

    @Test("5. one date with a day above 12 proves the whole column's order")
    func dayMonthFromColumn() throws {
        let w = try Workspace()
        _ = try w.ingest(
            """
            No de compte,Nom,Solde,Date de naissance
            1,Ann Roy,5.00,03/04/1980
            2,Bob Roy,5.00,25/12/1975
            """)
        #expect(try w.debtorField("birth_date", clientRef: "1") == "1980-04-03")
        #expect(try w.debtorField("birth_date", clientRef: "2") == "1975-12-25")
    }

    @Test("5. a column that cannot prove its order, with no profile to say, rejects its ambiguous rows")
    func dayMonthUndecided() throws {
        let w = try Workspace()
        let result = try w.ingest(
            """
            No de compte,Nom,Solde,Date de naissance
            1,Ann Roy,5.00,03/04/1980
            2,Bob Roy,5.00,07/07/1975
            """)
        #expect(result.accepted == 1)
        #expect(result.rejects.map(\.line) == [2])
        #expect(result.rejects.first?.reason.contains("dateOrder") == true)
    }

    @Test("5. the client's profile gives the order a column cannot prove")
    func dayMonthFromProfile() throws {
        let w = try Workspace(
            clients: """
                [{"id": "meubles", "name": "Meubles", "profile": {"dateOrder": "MDY"}}]
                """)
        _ = try w.ingest("No de compte,Nom,Solde,Date de naissance\n1,Ann Roy,5.00,03/04/1980\n")
        #expect(try w.debtorField("birth_date", clientRef: "1") == "1980-03-04")
    }

    @Test("6. two-digit years are never read literally")
    func twoDigitYears() throws {
        let w = try Workspace()
        _ = try w.ingest("No de compte,Nom,Solde,Date de naissance\n1,Ann Roy,5.00,25/03/91\n")
        #expect(try w.debtorField("birth_date", clientRef: "1") == "1991-03-25")
    }

    @Test("7. French amounts with every thousands separator are exact to the cent")
    func frenchAmounts() throws {
        let w = try Workspace()
        let result = try w.ingest(
            """
            No de compte;Nom;Solde
            1;Ann Roy;14 000,12
            2;Bob Roy;1\u{00A0}234,56\u{00A0}$
            3;Cid Roy;2\u{202F}000,00 $
            4;Dan Roy;$1,234.56
            5;Eve Roy;1234.56
            """)
        #expect(result.accepted == 5)
        #expect(try w.cases().map(\.assigned.cents) == [1_400_012, 123_456, 200_000, 123_456, 123_456])
        #expect(
            try w.store.performance(clientID: "meubles").assigned.cents == 1_400_012 + 123_456 * 3 + 200_000)
    }

    @Test("8. a quoted line break makes one record, and rejects name the line the record starts on")
    func quotedLineBreaks() throws {
        let w = try Workspace()
        let result = try w.ingest(
            """
            Account Number,Debtor Name,Address,Balance\r
            1,Ann Smith,"12 Main St\r
            Apt 4",5.00\r
            2,Bob Roy,"3 Elm\r
            Unit 9",oops\r
            3,Cid Roy,4 Oak,7.00\r

            """)
        #expect(result.accepted == 2)
        #expect(result.rejects.map(\.line) == [4])
        #expect(try w.debtorField("address_line1", clientRef: "1") == "12 Main St\r\nApt 4")
        #expect(try w.caseField("file_line", clientRef: "3")?.int == 6)
    }

    @Test("8. a quote that is never closed spoils its own record, not the rest of the file")
    func unclosedQuote() throws {
        let w = try Workspace()
        let result = try w.ingest(
            """
            Account Number,Debtor Name,Balance
            1,"Ann Smith,5.00
            2,Bob Roy,6.00
            """)
        #expect(result.rejects.first?.line == 2)
        #expect(result.rejects.first?.reason.contains("never closed") == true)
        #expect(try w.cases().map(\.clientReference) == ["2"])
    }

    @Test("9. a total row is not a case, and its printed total is checked against the rows")
    func footers() throws {
        let w = try Workspace()
        let result = try w.ingest(
            """
            Account Number,Debtor Name,Balance
            1,Ann Smith,"$1,000.00"
            2,Bob Roy,"$2,345.67"
            TOTAL,,"$3,345.67"
            """)
        #expect(result.accepted == 2 && result.rejected == 0)
        #expect(result.printedTotal == Money(cents: 334_567))
        #expect(result.computedTotal == Money(cents: 334_567))
        let wrong = try w.ingest("No de compte;Nom;Solde\n3;Cid Roy;5,00\nTotal : ;;9,00\n")
        #expect(wrong.printedTotal == Money(cents: 900) && wrong.computedTotal == Money(cents: 500))
    }

    @Test("10. a file with no header is read through the client's profile")
    func noHeaderWithProfile() throws {
        let w = try Workspace(
            clients: """
                [{"id": "meubles", "name": "Meubles", "profile": {"header": false, "delimiter": "|",
                  "columns": {"clientReference": 1, "debtorName": 2, "amount": 3, "postalCode": 4}}}]
                """)
        let result = try w.ingest("0042|Côté, Marie|1 500,00|G1R 4P5\n0043|Roy, Paul|20,00|H3Z 2Y7\n")
        #expect(result.accepted == 2)
        #expect(try w.debtorField("last_name", clientRef: "0042") == "Côté")
        #expect(try w.debtorField("first_name", clientRef: "0042") == "Marie")
    }

    @Test("10. a file with no header and no profile is refused whole, and kept with its reason")
    func noHeaderNoProfile() throws {
        let w = try Workspace()
        let result = try w.ingest("0042,Côté Marie,1500.00\n0043,Roy Paul,20.00\n", name: "sans-entete.csv")
        #expect(result.status == .refused)
        #expect(result.reason?.contains("no usable header") == true)
        let kept = w.files(under: "var/rejected/meubles/drop")
        #expect(kept.count == 2)
        #expect(kept.contains { $0.hasSuffix("sans-entete.csv") })
        let reasonFile = kept.first { $0.hasSuffix(".reason") }!
        let reason = try String(
            contentsOfFile: w.root + "/var/rejected/meubles/drop/" + reasonFile, encoding: .utf8)
        #expect(reason.contains("no usable header"))
        #expect(result.rejectReport != nil)
    }

    @Test("11. the same client reference on an open case is a duplicate: reported, never overwritten")
    func duplicates() throws {
        let w = try Workspace()
        _ = try w.ingest("No de compte,Nom,Solde\nX1,Ann Roy,5.00\n")
        let result = try w.ingest(
            "No de compte,Nom,Solde\nX1,Ann Roy-Changed,999.00\nX2,Bob Roy,6.00\nX2,Bob Roy,6.00\n")
        #expect(result.accepted == 1 && result.duplicates == 2)
        #expect(result.duplicateRows.map(\.line) == [2, 4])
        #expect(try w.cases().map(\.assigned.cents) == [500, 600])
        #expect(try w.cases().first?.debtor == "Ann Roy")
    }

    @Test("11. a closed case's reference may be assigned again")
    func reassignAfterClosure() throws {
        let w = try Workspace()
        _ = try w.ingest("No de compte,Nom,Solde\nX1,Ann Roy,5.00\n")
        try w.store.connection.execute("UPDATE cases SET status = 'closed', sub_status = 'paid-in-full'")
        let result = try w.ingest("No de compte,Nom,Solde\nX1,Ann Roy,7.00\n")
        #expect(result.accepted == 1)
        #expect(try w.cases().count == 2)
    }

    @Test("a case is opened only for the client whose inbox the file came through")
    func clientIsolation() throws {
        let w = try Workspace()
        _ = try w.ingest("Account Number,Debtor Name,Balance\nZ9,Ann Smith,5.00\n", client: "northwind")
        #expect(try w.cases("meubles").isEmpty)
        #expect(try w.cases("northwind").map(\.clientReference) == ["Z9"])
    }

    @Test("delimiters are detected: comma, semicolon, tab and pipe", arguments: [",", ";", "\t", "|"])
    func delimiters(delimiter: String) throws {
        let w = try Workspace()
        let rows = [
            ["No de compte", "Nom", "Solde", "Ville"], ["1", "Ann Roy", "5,00", "Laval"],
            ["2", "Bob Roy", "6,50", "Lévis"],
        ]
        let text = rows.map {
            $0.map { $0.contains(",") && delimiter == "," ? "\"\($0)\"" : $0 }.joined(separator: delimiter)
        }
        .joined(separator: "\n")
        let result = try w.ingest(text)
        #expect(result.accepted == 2)
        #expect(try w.cases().map(\.assigned.cents) == [500, 650])
    }

    @Test("bad rows are each rejected with their line, field and reason; good rows around them are cases")
    func badRows() throws {
        let w = try Workspace()
        let result = try w.ingest(
            """
            No de compte;Nom du débiteur;Solde;Téléphone;Courriel;NAS;Province
            1;Ann Roy;5,00;514-555-0101;ann@example.com;046 454 286;QC
            ;Bob Roy;6,00;;;;
            3;;7,00;;;;
            4;Dan Roy;;;;;
            5;Eve Roy;-5,00;;;;
            6;Fay Roy;8,00;555-01;;;
            7;Guy Roy;9,00;;guy at example;;
            8;Hal Roy;10,00;;;046 454 287;
            9;Ida Roy;11,00;;;;Vermont
            10;Jo Roy;12,00;;;;ON;extra
            11;Kim Roy;13,00;;;;NB
            """)
        #expect(result.accepted == 2)
        #expect(result.rejects.map(\.line) == [3, 4, 5, 6, 7, 8, 9, 10, 11])
        #expect(
            result.rejects.map(\.field) == [
                "No de compte", "Nom du débiteur", "Solde", "Solde", "Téléphone",
                "Courriel", "NAS", "Province", nil,
            ])
        #expect(!result.rejects.contains { $0.reason.contains("454") })
    }

    @Test("a header with two columns for the amount is refused rather than guessed")
    func ambiguousColumns() throws {
        let w = try Workspace()
        let result = try w.ingest("No de compte,Nom,Solde,Montant\n1,Ann Roy,5.00,6.00\n")
        #expect(result.status == .refused)
        #expect(result.reason?.contains("both read as amount") == true)
    }

    @Test(
        "empty, header-only and binary files are refused whole with a specific reason",
        arguments: [
            ("", "empty"), ("No de compte,Nom,Solde\n", "no data rows"), ("\n\n  \n", "blank"),
        ])
    func refusedFiles(text: String, reason: String) throws {
        let w = try Workspace()
        let result = try w.ingest(text)
        #expect(result.status == .refused)
        #expect(result.reason?.contains(reason) == true, "\(result.reason ?? "")")
    }

    @Test("a binary file is refused as not text")
    func binary() throws {
        let w = try Workspace()
        let path = try w.write("in/photo.csv", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00])
        let result = try w.ingestFile(path)
        #expect(result.status == .refused)
        #expect(result.reason?.contains("not text") == true)
    }

    @Test("names are split into family and given names, companies recognised")
    func names() throws {
        let w = try Workspace()
        _ = try w.ingest(
            """
            No de compte;Nom du débiteur;Solde
            1;Côté, Marie-Ève;5,00
            2;Jean-Guy Tremblay;5,00
            3;Plomberie Gagnon Inc.;5,00
            """)
        #expect(try w.debtorField("last_name", clientRef: "1") == "Côté")
        #expect(try w.debtorField("first_name", clientRef: "1") == "Marie-Ève")
        #expect(try w.debtorField("last_name", clientRef: "2") == "Tremblay")
        #expect(try w.debtorField("company_name", clientRef: "3") == "Plomberie Gagnon Inc.")
        #expect(try w.caseField("kind", clientRef: "3")?.text == "commercial")
        #expect(try w.caseField("kind", clientRef: "1")?.text == "consumer")
    }

    @Test("principal, interest and fees are kept, and must add up to the amount")
    func amountSplit() throws {
        let w = try Workspace()
        let result = try w.ingest(
            """
            No de compte;Nom;Solde;Capital;Intérêts;Frais
            1;Ann Roy;115,00;100,00;10,00;5,00
            2;Bob Roy;120,00;100,00;10,00;5,00
            """)
        #expect(result.accepted == 1)
        #expect(result.rejects.first?.line == 3)
        #expect(try w.caseField("interest_cents", clientRef: "1")?.int == 1000)
    }

    @Test("a duplicate names the file's own column, and columns no field reads are listed")
    func ownHeadingsAndUnusedColumns() throws {
        let w = try Workspace()
        let result = try w.ingest(
            "Account Number,Debtor Name,Balance,Favourite Colour\nQ1,Ann Smith,5.00,blue\nQ1,Ann Smith,5.00,red\n",
            client: "northwind")
        #expect(result.duplicates == 1)
        #expect(result.unusedColumns == ["Favourite Colour"])
        let fields = try w.store.connection.rows("SELECT field FROM rejects").map { $0[0].text }
        #expect(fields == ["Account Number"])
    }
}
