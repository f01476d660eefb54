import Foundation
import Testing

@testable import RelaisCore

@Suite("Faxed lists after OCR")
struct FaxListTests {
    /// What the fixture lists give: every case must be a true row, exactly; every true row a
    /// case or a review item.
    func checkAgainstTruth(_ bench: IntakeBench, result: IngestResult, list: String) throws {
        let truth = try TrueList.named(list)
        let cases = try bench.cases()
        for made in cases {
            let row = truth.rows.first { $0.reference == made.reference }
            #expect(
                row != nil,
                "a case was made with a reference the list does not have: \(made.reference)")
            #expect(row?.name == made.name, "case \(made.reference) has the name \(made.name)")
            #expect(
                row?.amount == made.amount,
                "case \(made.reference) has the amount \(made.amount.plain)")
        }
        let items = try bench.store.reviewItems(openOnly: true)
        let missing = truth.rows.filter { row in !cases.contains { $0.reference == row.reference } }
        for row in missing {
            // The row in review: its reference or its amount was read into the item.
            let held = items.contains { item in
                item.rawText.contains(row.reference)
                    || item.fields.contains { $0.proposed == row.amount.plain }
            }
            #expect(held, "\(row.reference) is neither a case nor in review")
        }
        #expect(cases.count + result.inReview >= truth.rows.count)
    }

    @Test(
        "no case is ever made with a wrong reference, name or amount; each account is a case or in review",
        arguments: [
            "liste-fine.tsv", "liste-fine.txt", "list-standard.tsv", "list-standard.txt",
            "liste-total-faux.tsv", "liste-total-faux.txt",
        ])
    func truth(file: String) throws {
        let bench = try IntakeBench()
        let result = try bench.ingest(try bench.fixture(file))
        #expect(result.status == .ingested)
        try checkAgainstTruth(bench, result: result, list: String(file.split(separator: ".")[0]))
    }

    @Test(
        "a list whose printed total does not reconcile is held whole, with the reason, and not acknowledged"
    )
    func heldWhole() throws {
        let bench = try IntakeBench()
        let result = try bench.ingest(try bench.fixture("liste-total-faux.tsv"))
        #expect(result.accepted == 0)
        #expect(result.inReview == 3)
        #expect(result.acknowledgement == nil)
        let items = try bench.store.reviewItems()
        #expect(items.allSatisfy { $0.reason.contains("not the printed total 2455.55") })
    }

    @Test("a list that says it has two pages where one arrived is held whole")
    func missingPage() throws {
        let bench = try IntakeBench()
        let path = try bench.write(
            """
            No de compte Nom du débiteur Solde
            X-001 Gagnon, Sylvie 100,00 $
            X-002 Roy, Marc 50,00 $
            Total : 150,00 $
            Page 1 de 2
            """, as: "pages.txt")
        let result = try bench.ingest(path)
        #expect(result.accepted == 0)
        #expect(result.inReview == 2)
        #expect(
            try bench.store.reviewItems().allSatisfy { $0.reason.contains("page 2 did not arrive") }
        )
    }

    @Test(
        "a plain text list that reconciles becomes cases; without a printed total it waits for review"
    )
    func plainText() throws {
        let bench = try IntakeBench()
        let list = """
            Liste des comptes
            No de compte Nom du débiteur Dernier paiement Solde dû
            X-001 Gagnon, Sylvie 2023-11-15 1 234,56 $
            X-002 Roy, Marc 2024-01-02 5O,00 $
            """
        let total = try bench.ingest(
            try bench.write(list + "\nTotal : 1 284,56 $\n", as: "avec-total.txt"))
        #expect(total.accepted == 2)
        #expect(try bench.cases().map(\.amount) == [Money(cents: 123_456), Money(cents: 5_000)])
        let bare = try bench.ingest(
            try bench.write(
                list.replacingOccurrences(of: "X-00", with: "Y-00"),
                as: "sans-total.txt"))
        #expect(bare.accepted == 0)
        #expect(bare.inReview == 2)
    }

    @Test(
        "the acknowledgement waits until nothing is left in review, then covers the cases review opened"
    )
    func acknowledgementWaits() throws {
        let bench = try IntakeBench()
        let result = try bench.ingest(try bench.fixture("liste-fine.tsv"))
        #expect(result.inReview >= 1)
        #expect(result.acknowledgement == nil)
        let items = try bench.store.reviewItems()
        for item in items.dropLast() {
            #expect(bench.relais(["review", "accept", String(item.id), "--by", "marie"]) == 0)
        }
        #expect(
            try bench.store.connection.rows(
                "SELECT 1 FROM documents WHERE kind = 'acknowledgement'"
            ).isEmpty)
        #expect(bench.relais(["review", "accept", String(items.last!.id), "--by", "marie"]) == 0)
        let ack = try bench.store.connection.rows(
            "SELECT path FROM documents WHERE kind = 'acknowledgement'")
        #expect(ack.count == 1)
        let text = try String(contentsOfFile: ack[0][0].text!, encoding: .utf8)
        #expect(text.split(whereSeparator: \.isNewline).count == 1 + 6)
        // The case's history says it came from review, by whom.
        let notes = try bench.store.connection.rows("SELECT author, text FROM notes")
        #expect(notes.count == items.count)
        // Every case has the first entry of its status history, those opened from review too.
        let withoutHistory = try bench.store.connection.scalar(
            "SELECT COUNT(*) FROM cases WHERE id NOT IN (SELECT case_id FROM status_history)")
        #expect(withoutHistory == .integer(0))
        #expect(
            notes.allSatisfy {
                $0[0].text == "marie" && ($0[1].text ?? "").contains("after review item")
            })
        // Accepting twice is refused.
        #expect(bench.relais(["review", "accept", String(items[0].id)]) == 2)
    }

    @Test(
        "a correction opens the case with the corrected field; a discard needs a reason and opens nothing"
    )
    func correctAndDiscard() throws {
        let bench = try IntakeBench()
        _ = try bench.ingest(try bench.fixture("list-standard.tsv"))
        let items = try bench.store.reviewItems()
        let smith = try #require(items.first { $0.rawText.contains("NT-55012") })
        #expect(
            bench.relais([
                "review", "correct", String(smith.id), "debtorName=Smith, John", "amount=1200.00",
                "--by", "luc",
            ]) == 0)
        let made = try bench.cases()
        #expect(made.count == 1)
        #expect(
            made[0].reference == "NT-55012" && made[0].name == "Smith, John"
                && made[0].amount.cents == 120_000)
        #expect(try bench.store.reviewItem(id: smith.id)?.state == .corrected)

        let other = try #require(items.first { $0.id != smith.id })
        #expect(bench.relais(["review", "discard", String(other.id)]) == 2)
        #expect(
            bench.relais([
                "review", "discard", String(other.id), "--reason", "a speck line", "--by", "luc",
            ]) == 0)
        let actions = try bench.store.reviewActions(itemID: other.id)
        #expect(actions.map(\.action) == ["held", "discarded"])
        #expect(actions.last?.by == "luc" && actions.last?.detail == "a speck line")
        #expect(try bench.cases().count == 1)
    }

    @Test(
        "OCR confusions are repaired only inside amounts, and an ambiguous S is never taken",
        arguments: [
            ("l 234,S6 $", "1234.56", true), ("12 400.10", "12400.10", true),
            ("$1,2OO.00", "1200.00", true),
            ("875,00 S", "875.00", true), ("S12,00", "12.00", false), ("1,23,45", "123.45", false),
        ])
    func repairs(raw: String, expected: String, certain: Bool) {
        let repair = OCRRepair.amount(raw)
        #expect(repair.text == expected)
        #expect(repair.doubts.isEmpty == certain)
    }

    @Test(
        "a name OCR may have misread is doubted",
        arguments: [
            ("Gagnon, Sylvie", false), ("TremblaIy, Marc", true), ("lsabelle Roy", true),
            ("Roy, J3anne", true),
            ("O'Neil, Mary", false), ("McDonald, Ann", false), ("de la Fontaine, Luc", false),
            ("ROY, JEANNE", false),
        ])
    func names(name: String, doubted: Bool) {
        #expect((FaxList.nameDoubt(name) != nil) == doubted)
    }

    @Test(
        "a fax image, fine and standard resolution, is read by Relais itself with no wrong case",
        arguments: [("liste-fine.tif", "liste-fine"), ("list-standard.png", "list-standard")])
    func image(file: String, list: String) throws {
        let bench = try IntakeBench()
        let result = try bench.ingest(try bench.fixture(file))
        #expect(result.status == .ingested, "\(result.reason ?? "")")
        try checkAgainstTruth(bench, result: result, list: list)
        #expect(result.accepted + result.inReview >= 1)
    }
}
