import Foundation
import Testing

@testable import RelaisCore

@Suite("Fixed-width assignment files")
struct FixedWidthAssignmentTests {
    /// A bank-style layout: a two-letter record code, a header that counts the details, note
    /// lines to skip, and a trailer with the count and the total in implied cents.
    static let profile = """
        {"format": "fixed-width", "amountStyle": "cents",
         "fixedWidth": {"recordType": {"start": 1, "length": 2},
           "detail": {"code": "DT", "fields": {
             "clientReference": {"start": 3, "length": 12}, "lastName": {"start": 15, "length": 20},
             "firstName": {"start": 35, "length": 15}, "amount": {"start": 50, "length": 11},
             "lastPaymentDate": {"start": 61, "length": 8}, "postalCode": {"start": 69, "length": 7}}},
           "header": {"code": "HD", "count": {"start": 11, "length": 7}},
           "trailer": {"code": "TR", "count": {"start": 3, "length": 7},
                       "total": {"start": 10, "length": 13}},
           "skip": ["NT"]}}
        """

    @Test("A file whose header and trailer agree with its lines becomes cases, amounts read as implied cents")
    func agreeingFileIsIngested() throws {
        let harness = try FormatIntakeHarness(profile: Self.profile)
        let result = try harness.ingest(fixture: "fixedwidth/agrees.txt")
        #expect(result.status == .ingested)
        let cases = try harness.cases(result)
        #expect(cases.map(\.clientReference) == ["0000451001", "0000451002"])
        #expect(cases.map(\.assigned.cents) == [123_456, 8_990])
        // Windows-1252 bytes, positions counted in bytes of it.
        #expect(cases[0].debtor == "Josée Côté")
        #expect(result.rejects.map(\.line) == [5, 6])
        #expect(result.rejects[0].field == "lastPaymentDate (61-68)")
        #expect(result.rejects[0].reason.contains("not a real calendar day"))
        #expect(result.rejects[1].reason == "record type \"XX\" is not one the client profile describes")
        #expect(result.printedTotal == Money(cents: 182_446))
        #expect(result.computedTotal == Money(cents: 182_446))
    }

    @Test("A trailer whose control total disagrees with the lines refuses the file whole, with both figures")
    func disagreeingTotalRefusesTheFile() throws {
        let harness = try FormatIntakeHarness(profile: Self.profile)
        let result = try harness.ingest(fixture: "fixedwidth/total-disagrees.txt")
        #expect(result.status == .refused)
        #expect(
            result.reason == "line 6: the trailer's control total is \(Money(cents: 182_546).plain), "
                + "but the detail lines add up to \(Money(cents: 182_446).plain); the file is refused whole")
        #expect(try harness.store.connection.scalar("SELECT COUNT(*) FROM cases")?.int == 0)
    }

    @Test("A header whose record count disagrees with the lines refuses the file whole, with both figures")
    func disagreeingCountRefusesTheFile() throws {
        let harness = try FormatIntakeHarness(profile: Self.profile)
        let result = try harness.ingest(fixture: "fixedwidth/count-disagrees.txt")
        #expect(result.status == .refused)
        #expect(
            result.reason
                == "line 1: the header counts 4 detail records, but the file has 3; the file is refused whole"
        )
    }

    @Test("A file without the trailer its profile promises is refused as cut short")
    func missingTrailerRefusesTheFile() throws {
        let harness = try FormatIntakeHarness(profile: Self.profile)
        let result = try harness.ingest(fixture: "fixedwidth/no-trailer.txt")
        #expect(result.status == .refused)
        #expect(result.reason?.contains("no trailer record (code \"TR\" on its last line)") == true)
    }

    @Test("A line after the trailer refuses the file")
    func lineAfterTrailerRefusesTheFile() throws {
        let harness = try FormatIntakeHarness(profile: Self.profile)
        let lines = try String(
            contentsOfFile: FormatIntakeHarness.fixture("fixedwidth/agrees.txt"), encoding: .isoLatin1)
        let result = try harness.ingest(
            named: "after.txt", content: lines + "DT0000451009\r\n", encoding: .isoLatin1)
        #expect(result.status == .refused)
        #expect(result.reason?.hasPrefix("line 8: a record after the trailer record (line 7)") == true)
    }

    @Test("Without record types every line is a detail; in UTF-8 positions count characters")
    func plainLayoutCountsCharacters() throws {
        let harness = try FormatIntakeHarness(
            profile: """
                {"format": "fixed-width", "dateOrder": "DMY",
                 "fixedWidth": {"detail": {"fields": {"clientReference": {"start": 1, "length": 6},
                   "debtorName": {"start": 7, "length": 16}, "amount": {"start": 23, "length": 10},
                   "firstDelinquencyDate": {"start": 33, "length": 10}}}}}
                """)
        let result = try harness.ingest(
            named: "plain.txt",
            content: """
                A00001Éloïse Côté     1 234,56  05/03/2024
                A00002Luc Roy            89,90  31/01/2024

                """)
        #expect(result.status == .ingested)
        #expect(result.rejects.isEmpty)
        let cases = try harness.cases(result)
        #expect(cases.map(\.assigned.cents) == [123_456, 8_990])
        #expect(cases[0].debtor == "Éloïse Côté")
    }

    @Test("A layout that gives codes without saying where the code is, is a configuration error")
    func codesNeedARecordType() throws {
        #expect(throws: ConfigurationError.self) {
            _ = try FormatIntakeHarness(
                profile: """
                    {"format": "fixed-width", "fixedWidth": {"detail": {"code": "DT", "fields": {
                      "clientReference": {"start": 1, "length": 6}, "amount": {"start": 7, "length": 9}}},
                      "trailer": {"code": "TR", "total": {"start": 3, "length": 9}}}}
                    """)
        }
    }
}
