import Foundation
import Testing

@testable import RelaisCore

@Suite("Validation before a bureau file is written")
struct BureauValidationTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var person: TestPerson
        var classification: String? = "12"
        var coDebtor: TestPerson? = nil
        var field: String
        var reason: String
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "bad SIN", person: TestPerson(first: "A", last: "B", sin: "046454287"),
            field: "Social Insurance Number", reason: "the debtor's SIN fails its checksum"),
        Case(
            name: "neither SIN nor birth date", person: TestPerson(first: "A", last: "B"),
            field: "Social Insurance Number", reason: "the debtor has neither a SIN nor a date of birth"),
        Case(
            name: "bad province",
            person: TestPerson(first: "A", last: "B", born: "1980-01-01", province: "PQ"),
            field: "State (province)",
            reason: "the debtor's province \"PQ\" is not a Canadian province or territory code"),
        Case(
            name: "bad postal code",
            person: TestPerson(first: "A", last: "B", born: "1980-01-01", postal: "H2X 1Y"),
            field: "Postal/Zip Code", reason: "the debtor's postal code \"H2X 1Y\" is not of the form A1A 1A1"
        ),
        Case(
            name: "no street", person: TestPerson(first: "A", last: "B", born: "1980-01-01", line1: nil),
            field: "First Line of Address", reason: "the debtor has no street address"),
        Case(
            name: "no first name", person: TestPerson(first: "", last: "B", born: "1980-01-01"),
            field: "First Name", reason: "the debtor has no first name"),
        Case(
            name: "abroad", person: TestPerson(first: "A", last: "B", born: "1980-01-01", country: "US"),
            field: "Country Code", reason: "the debtor's address is not in Canada (US)"),
        Case(
            name: "no classification", person: TestPerson(first: "A", last: "B", born: "1980-01-01"),
            classification: nil, field: "Creditor Classification",
            reason: "none is not a classification from 01 to 15"),
        Case(
            name: "co-debtor elsewhere without an address",
            person: TestPerson(first: "A", last: "B", born: "1980-01-01"),
            coDebtor: TestPerson(first: "C", last: "D", line1: nil, postal: nil),
            field: "First Line of Address", reason: "the co-debtor 1 has no street address"),
        Case(
            name: "born after the opening", person: TestPerson(first: "A", last: "B", born: "2025-03-01"),
            field: "Date of Birth", reason: "the date of birth is not before the date opened"),
    ]

    @Test("A case that fails a check is left out and listed with the field and the reason", arguments: cases)
    func excluded(_ c: Case) throws {
        let t = try BureauTestStore(waitingDays: 0)
        try t.addCase(
            opened: "2025-01-10", assigned: 10_000, firstDelinquency: "2024-06-01",
            classification: c.classification, debtor: c.person, coDebtors: c.coDebtor.map { [$0] } ?? [])
        let run = try t.write("2025-01")
        #expect(run.records == 0)
        #expect(run.exclusions.map(\.field) == [c.field])
        #expect(run.exclusions.map(\.reason) == [c.reason])
        let checker = try Metro2Checker.check(path: try #require(run.path))
        #expect(checker.findings == [])
        #expect(checker.accounts.isEmpty)
    }

    @Test("A first delinquency after the opening date is refused")
    func dateOrder() throws {
        let t = try BureauTestStore(waitingDays: 0)
        try t.addCase(
            opened: "2025-01-10", assigned: 10_000, firstDelinquency: "2025-01-11",
            debtor: TestPerson(first: "A", last: "B", born: "1980-01-01"))
        let run = try t.write("2025-01")
        #expect(run.exclusions.map(\.reason) == ["2025-01-11 is after the date opened 2025-01-10"])
    }

    @Test("An open case whose balance fell under one dollar is not reported as 93")
    func tinyBalance() throws {
        let t = try BureauTestStore(waitingDays: 0)
        let id = try t.addCase(
            opened: "2025-01-10", assigned: 10_000, firstDelinquency: "2024-01-11",
            debtor: TestPerson(first: "A", last: "B", born: "1980-01-01"))
        try t.store.recordPayment(
            caseID: id, amount: Money(cents: 9_950), on: CalendarDate(iso: "2025-01-20")!,
            source: "test")
        let run = try t.write("2025-01")
        #expect(run.exclusions.map(\.field) == ["Current Balance"])
    }
}

@Suite("Case events")
struct CaseEventsTests {
    @Test("Payments, adjustments, disputes and closure update the case and write their history rows")
    func events() throws {
        let t = try BureauTestStore()
        let id = try t.addCase(
            opened: "2025-01-10", assigned: 10_000, firstDelinquency: "2024-01-11",
            debtor: TestPerson(first: "A", last: "B"))
        let s = t.store
        let day = CalendarDate(iso: "2025-02-01")!
        try s.recordPayment(caseID: id, amount: Money(cents: 2_500), on: day, source: "test")
        try s.recordPayment(caseID: id, amount: Money(cents: 1_000), on: day, to: .creditor, source: "test")
        try s.recordAdjustment(
            caseID: id, amount: Money(cents: 500), on: day, reason: "interest", source: "test")
        try s.changeStatus(
            caseID: id, to: CaseStatus(status: "active", subStatus: "payment-plan"),
            reason: "plan agreed", source: "test")
        try s.openDispute(caseID: id, on: day, reason: "amount", source: "test")
        #expect(throws: CaseEventError.self) {
            try s.openDispute(caseID: id, on: day, reason: "again", source: "test")
        }
        try s.resolveDispute(caseID: id, on: day, outcome: "confirmed", source: "test")
        try s.closeCase(caseID: id, on: day, subStatus: "uncollectible", reason: "no assets", source: "test")
        #expect(throws: CaseEventError.self) {
            try s.recordPayment(caseID: 999, amount: Money(cents: 1), on: day, source: "test")
        }
        #expect(throws: CaseEventError.self) {
            try s.changeStatus(
                caseID: id, to: CaseStatus(status: "active", subStatus: "contact"), reason: "",
                source: "test")
        }

        let row = try s.connection.rows(
            """
            SELECT balance_cents, recovered_cents, status, sub_status, closed_on, closure_reason,
                balance_at_closure_cents FROM cases WHERE id = ?
            """, [.integer(id)])[0]
        #expect(
            row == [
                .integer(7_000), .integer(3_500), .text("closed"), .text("uncollectible"),
                .text("2025-02-01"), .text("no assets"), .integer(7_000),
            ])
        let kinds = try s.connection.rows(
            "SELECT kind, amount_cents FROM transactions WHERE case_id = ? ORDER BY id",
            [.integer(id)])
        #expect(
            kinds == [
                [.text("payment"), .integer(2_500)], [.text("direct-payment"), .integer(1_000)],
                [.text("adjustment"), .integer(500)],
            ])
        let history = try s.connection.rows(
            "SELECT status, sub_status FROM status_history WHERE case_id = ? ORDER BY id",
            [.integer(id)]
        ).map { "\($0[0].text!)/\($0[1].text!)" }
        #expect(
            history == ["active/payment-plan", "on-hold/dispute", "active/contact", "closed/uncollectible"])
    }
}

@Suite("Bureau configuration")
struct BureauConfigurationTests {
    static func load(_ bureaus: String) throws -> Configuration {
        let folder = NSTemporaryDirectory() + "relais-bconf-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let text = """
            { "store": "s.sqlite", "inbox": "in", "archive": "ar", "outbox": "out", "clients": [],
              "bureaus": \(bureaus) }
            """
        try text.write(toFile: folder + "/r.json", atomically: true, encoding: .utf8)
        return try Configuration.load(folder + "/r.json")
    }

    @Test("The bureaus key is read with its defaults, paths resolved against the configuration's folder")
    func defaults() throws {
        let c = try Self.load(
            """
            { "reporterAddress": "1 rue A", "equifax": { "identificationNumber": "X1", "outbox": "eq",
              "gpg": { "recipient": "bureau@example.invalid", "publicKeyFile": "k.asc" } } }
            """)
        let feed = try #require(c.bureaus?.feeds[.equifax])
        #expect(feed.dayOfMonth == 5 && feed.waitingDays == 30 && feed.newline)
        #expect(feed.outbox.hasSuffix("/eq") && feed.outbox.hasPrefix("/"))
        #expect(feed.gpg?.publicKeyFile?.hasSuffix("/k.asc") == true)
        #expect(c.bureaus?.feeds[.acces] == nil)
        #expect(c.bureaus?.reporterName == "Agence de recouvrement Accès")
    }

    @Test(
        "A wrong bureau setting names its key",
        arguments: [
            (
                "{ \"reporterAddress\": \"a\", \"equifax\": { \"identificationNumber\": \"X\", "
                    + "\"outbox\": \"o\", \"dayOfMonth\": 31 } }",
                "bureaus.equifax.dayOfMonth"
            ),
            (
                "{ \"reporterAddress\": \"a\", \"equifax\": { \"identificationNumber\": \"X\", "
                    + "\"outbox\": \"o\", \"newLine\": true } }",
                "bureaus.equifax.newLine: unknown key"
            ),
            (
                "{ \"reporterAddress\": \"a\", \"acces\": { \"outbox\": \"o\" } }",
                "bureaus.acces.identificationNumber: required key is missing"
            ),
            (
                "{ \"equifax\": { \"identificationNumber\": \"X\", \"outbox\": \"o\" } }",
                "bureaus.reporterAddress: required key is missing"
            ),
        ])
    func refused(json: String, message: String) throws {
        do {
            _ = try Self.load(json)
            Issue.record("accepted")
        } catch let error as ConfigurationError {
            #expect(error.message.hasPrefix(message), "\(error.message)")
        }
    }
}
