import Foundation
import Testing

@testable import RelaisCore

@Suite("Metro 2 file for Equifax Canada")
struct Metro2WriterTests {
    @Test("January's file is byte for byte the hand-counted fixture, trailer totals included")
    func januaryMatchesTheFixture() throws {
        let t = try BureauTestStore()
        try JanuaryFixture.build(t)
        let run = try t.write("2026-01")

        let expected = try BureauTestStore.fixture("equifax-2026-01.m2")
        let written = try BureauTestStore.bytes(try #require(run.path))
        #expect(run.records == 4)
        if written != expected {
            // Name the first differing record and column, so that a failure is readable.
            let a = String(decoding: written, as: UTF8.self).split(
                separator: "\n", omittingEmptySubsequences: false)
            let b = String(decoding: expected, as: UTF8.self).split(
                separator: "\n", omittingEmptySubsequences: false)
            for (index, (x, y)) in zip(a, b).enumerated() where x != y {
                let column = zip(x, y).prefix { $0 == $1 }.count + 1
                Issue.record(
                    "record \(index + 1) differs at position \(column): \(x.dropFirst(column - 1).prefix(30))"
                )
                break
            }
        }
        #expect(written == expected)
        #expect(run.path == t.folder + "/bureaus/equifax/equifax-2026-01.m2")
    }

    @Test("Without newlines the records follow one another and nothing else changes")
    func withoutNewlines() throws {
        let t = try BureauTestStore(newline: false)
        try JanuaryFixture.build(t)
        let run = try t.write("2026-01")
        let expected = try BureauTestStore.fixture("equifax-2026-01.m2").filter { $0 != 0x0A }
        #expect(try BureauTestStore.bytes(try #require(run.path)) == expected)
        #expect(expected.count == 426 + 560 + 660 + 460 + 460 + 426)
    }

    @Test("Cases without a first delinquency, or one over six years old, are in the exclusions report")
    func exclusionsReport() throws {
        let t = try BureauTestStore()
        try JanuaryFixture.build(t)
        let run = try t.write("2026-01")
        let text = try String(contentsOfFile: try #require(run.exclusionsPath), encoding: .utf8)
        #expect(
            text == """
                our_reference,client,client_reference,field,reason\r
                AC0000003,magasins,C-003,Date of First Delinquency,the client gave no date of first \
                delinquency; \
                a collection is never reported without it\r
                AC0000008,magasins,C-008,Date of First Delinquency,2019-12-31 is more than six years before \
                2026-01-31: too old to report\r

                """)
        #expect(run.skipped[.waiting] == 1)
    }

    @Test("The fixture passes the checker without a finding")
    func fixtureIsClean() throws {
        let url = try #require(
            Bundle.module.url(forResource: "Fixtures/bureau/equifax-2026-01.m2", withExtension: nil))
        let checker = try Metro2Checker.check(path: url.path)
        #expect(checker.findings == [])
        #expect(checker.accounts.count == 4)
    }

    @Test(
        "Names and addresses fold to uppercase ASCII, one byte per character",
        arguments: [
            ("Côté", "COTE"), ("Hélène", "HELENE"), ("Œuvre Ærø", "OEUVRE AERO"), ("l’Église", "L'EGLISE"),
            ("Saint-Jérôme  (Qc)", "SAINT-JEROME QC"), ("Müller-Łukasz", "MULLER-LUKASZ"),
            ("  ñandú  ", "NANDU"),
            ("Straße", "STRASSE"), ("日本", ""),
        ])
    func folding(input: String, folded: String) {
        #expect(BureauText.fold(input) == Array(folded.utf8))
    }

    @Test("A month is written once; writing it again must be asked, and gives the same file")
    func monthWrittenOnce() throws {
        let t = try BureauTestStore()
        try JanuaryFixture.build(t)
        let first = try t.write("2026-01")
        let bytes = try BureauTestStore.bytes(try #require(first.path))
        #expect(throws: BureauError.self) { try t.write("2026-01") }
        let again = try t.write("2026-01", rewrite: true)
        #expect(try BureauTestStore.bytes(try #require(again.path)) == bytes)
        #expect(try t.history(caseID: 1) == ["2026-01 93 - - 123456"])
        #expect(throws: BureauError.self) { try t.write("2025-12") }
    }

    @Test("A dry run writes no file and records nothing")
    func dryRun() throws {
        let t = try BureauTestStore()
        try JanuaryFixture.build(t)
        let run = try t.write("2026-01", dryRun: true)
        #expect(run.records == 4)
        #expect(run.path == nil)
        #expect(!FileManager.default.fileExists(atPath: t.folder + "/bureaus/equifax/equifax-2026-01.m2"))
        #expect(try t.history(caseID: 1) == [])
        #expect(try t.reporter().writtenMonths() == [])
    }

    @Test("A month that is not over is not written")
    func monthNotOver() throws {
        let t = try BureauTestStore()
        let m = ReportMonth("2026-01")!
        #expect(throws: BureauError.self) {
            try t.reporter().run(
                month: m, today: CalendarDate(iso: "2026-01-31")!,
                created: Metro2Writer.Moment(date: CalendarDate(iso: "2026-01-31")!))
        }
    }
}
