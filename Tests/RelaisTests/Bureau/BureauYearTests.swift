import Foundation
import Testing

@testable import RelaisCore

@Suite("A year of monthly reports")
struct BureauYearTests {
    static func day(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }

    @Test("Each case follows its status sequence month by month, and every file checks clean")
    func yearOfMonths() throws {
        let t = try BureauTestStore()
        let s = t.store
        func person(_ first: String, _ last: String) -> TestPerson {
            TestPerson(first: first, last: last, born: "1980-01-01")
        }
        let assigned = try t.addCase(
            opened: "2025-01-05", assigned: 100_000, firstDelinquency: "2024-06-01",
            debtor: person("Alice", "Assignée"))
        let paying = try t.addCase(
            opened: "2025-01-10", assigned: 30_000, firstDelinquency: "2024-09-15",
            debtor: person("Bruno", "Payeur"))
        let recalled = try t.addCase(
            opened: "2025-01-15", assigned: 50_000, firstDelinquency: "2024-10-01",
            debtor: person("Chloé", "Retirée"))
        let disputed = try t.addCase(
            opened: "2025-01-20", assigned: 80_000, firstDelinquency: "2024-11-11",
            debtor: person("Denis", "Conteste"))
        let paidEarly = try t.addCase(
            opened: "2025-03-01", assigned: 25_000, firstDelinquency: "2024-12-01",
            debtor: person("Émile", "Rapide"))
        let changed = try t.addCase(
            opened: "2025-02-01", assigned: 40_000, firstDelinquency: "2024-08-08",
            debtor: person("Fanny", "Change"))
        let lateDispute = try t.addCase(
            opened: "2025-06-02", assigned: 60_000, firstDelinquency: "2025-01-01",
            debtor: person("Gilles", "Attente"))
        let settled = try t.addCase(
            opened: "2025-02-14", assigned: 100_000, firstDelinquency: "2024-07-07",
            debtor: person("Hélène", "Règlement"))

        // Each month's events, applied before the month is written.
        let events: [String: () throws -> Void] = [
            "2025-03": {
                try s.recordPayment(
                    caseID: paying, amount: Money(cents: 10_000), on: Self.day("2025-03-10"),
                    source: "test")
                try s.recordPayment(
                    caseID: paidEarly, amount: Money(cents: 25_000), on: Self.day("2025-03-20"),
                    to: .creditor, source: "test")
                try s.closeCase(
                    caseID: paidEarly, on: Self.day("2025-03-20"), subStatus: "paid-in-full",
                    reason: "paid to the client", source: "test")
            },
            "2025-04": {
                try s.recordPayment(
                    caseID: paying, amount: Money(cents: 10_000), on: Self.day("2025-04-10"),
                    source: "test")
                try s.closeCase(
                    caseID: recalled, on: Self.day("2025-04-03"), subStatus: "recalled",
                    reason: "recalled", source: "test")
                try s.openDispute(
                    caseID: disputed, on: Self.day("2025-04-10"), reason: "amount", source: "test")
            },
            "2025-05": {
                try s.recordPayment(
                    caseID: paying, amount: Money(cents: 10_000), on: Self.day("2025-05-10"),
                    source: "test")
                try s.closeCase(
                    caseID: paying, on: Self.day("2025-05-12"), subStatus: "paid-in-full",
                    reason: "paid", source: "test")
            },
            "2025-06": {
                try s.resolveDispute(
                    caseID: disputed, on: Self.day("2025-06-15"), outcome: "confirmed",
                    source: "test")
                try s.connection.run(
                    "UPDATE cases SET first_delinquency_date = '2024-12-12' WHERE id = ?",
                    [.integer(changed)])
                try s.openDispute(
                    caseID: lateDispute, on: Self.day("2025-06-20"), reason: "identity",
                    source: "test")
            },
            "2025-08": {
                try s.resolveDispute(
                    caseID: lateDispute, on: Self.day("2025-08-05"), outcome: "confirmed",
                    source: "test")
            },
            "2025-09": {
                try s.recordPayment(
                    caseID: settled, amount: Money(cents: 60_000), on: Self.day("2025-09-03"),
                    source: "test")
                try s.closeCase(
                    caseID: settled, on: Self.day("2025-09-03"), subStatus: "settled",
                    reason: "settled for $600", source: "test")
            },
        ]

        var previous: Metro2Checker?
        for month in 1...12 {
            let name = String(format: "2025-%02d", month)
            try events[name]?()
            let run = try t.write(name)
            let checker = try Metro2Checker.check(path: try #require(run.path))
            #expect(checker.findings == [], "\(name)")
            if let previous { #expect(checker.compare(previous: previous) == [], "\(name)") }
            previous = checker
        }

        let later = (2...12).map { String(format: "2025-%02d 93 - - 100000", $0) }
        #expect(try t.history(caseID: assigned) == later)
        #expect(
            try t.history(caseID: paying) == [
                "2025-02 93 - - 30000", "2025-03 93 - - 20000", "2025-04 93 - - 10000", "2025-05 62 - - 0",
            ])
        #expect(
            try t.history(caseID: recalled) == [
                "2025-02 93 - - 50000", "2025-03 93 - - 50000", "2025-04 DA - - 50000",
            ])
        #expect(
            try t.history(caseID: disputed) == [
                "2025-02 93 - - 80000", "2025-03 93 - - 80000", "2025-04 93 - XB 80000",
                "2025-05 93 - XB 80000",
                "2025-06 93 - XH 80000",
            ] + (7...12).map { String(format: "2025-%02d 93 - - 80000", $0) })
        #expect(try t.history(caseID: paidEarly) == [])
        #expect(
            try t.history(caseID: changed) == (3...12).map { String(format: "2025-%02d 93 - - 40000", $0) })
        let dates = try s.connection.rows(
            "SELECT DISTINCT first_delinquency_date FROM bureau_reports WHERE case_id = ?",
            [.integer(changed)])
        #expect(dates == [[.text("2024-08-08")]])
        #expect(
            try t.history(caseID: lateDispute)
                == (8...12).map { String(format: "2025-%02d 93 - - 60000", $0) })
        #expect(
            try t.history(caseID: settled) == (3...8).map { String(format: "2025-%02d 93 - - 100000", $0) }
                + ["2025-09 62 AU - 0"])
        #expect(try t.reporter().writtenMonths().count == 12)
    }

    @Test("An account stops being reported the month its first delinquency turns more than six years old")
    func sixYearLimit() throws {
        let t = try BureauTestStore(waitingDays: 0)
        let id = try t.addCase(
            opened: "2024-01-10", assigned: 50_000, firstDelinquency: "2019-03-15",
            debtor: TestPerson(first: "Vieux", last: "Compte", born: "1970-01-01"))
        let february = try t.write("2025-02")
        #expect(february.records == 1)
        let march = try t.write("2025-03")
        #expect(march.records == 0)
        #expect(march.exclusions.map(\.field) == ["Date of First Delinquency"])
        #expect(try t.history(caseID: id) == ["2025-02 93 - - 50000"])
    }

    @Test("A case paid, recalled or asked deleted is reported once with 62 or DA, then never again")
    func finalStatusesOnce() throws {
        let t = try BureauTestStore(waitingDays: 0)
        let id = try t.addCase(
            opened: "2025-01-10", assigned: 50_000, firstDelinquency: "2024-03-15",
            debtor: TestPerson(first: "Erreur", last: "Déclarée", born: "1970-01-01"))
        try t.write("2025-01")
        try t.store.requestBureauDeletion(caseID: id, on: Self.day("2025-02-03"), reason: "wrong debtor")
        try t.write("2025-02")
        try t.write("2025-03")
        #expect(try t.history(caseID: id) == ["2025-01 93 - - 50000", "2025-02 DA - - 50000"])
    }

    @Test("The Accès Crédit feed carries the same accounts with French labels")
    func accesFeed() throws {
        let t = try BureauTestStore()
        try JanuaryFixture.build(t)
        try t.store.connection.execute("DELETE FROM bureau_accounts; DELETE FROM bureau_reports")
        for id: Int64 in [2, 4, 5] {
            try t.priorReport(
                caseID: id, bureau: "acces", month: "2025-12",
                compliance: id == 2 ? "XB" : "",
                firstDelinquency: ["2024-12-01", "2025-01-05", "2024-06-30"][
                    Int(id == 2 ? 0 : id == 4 ? 1 : 2)])
        }
        let run = try t.write("2026-01", bureau: .acces)
        #expect(run.records == 4)
        let lines = try String(contentsOfFile: try #require(run.path), encoding: .utf8)
            .components(separatedBy: "\r\n")
        #expect(lines[0] == AccesCreditWriter.columns.joined(separator: ","))
        #expect(
            lines[1] == "2026-01,AC0000001,magasins,C-001,Côté,Hélène,046454286,1980-04-02,5145551234,"
                + "\"12, rue de l'Église\",app. 3,Montréal,QC,H2X1Y4,CA,Banque "
                + "Laurentienne,12,2025-11-15,1234.56,"
                + "1234.56,0.00,,2025-03-10,,93,En recouvrement,,,,,\"Côté, Jean\",oui")
        #expect(lines[3].contains(",62,Payé,AU,Réglé pour moins que le solde,,,"))
        #expect(lines[2].contains(",XH,Contestation réglée,\"Nguyen, Minh\",non"))
        #expect(lines[4].contains(",DA,Supprimé,"))
        #expect(lines.count == 6 && lines[5].isEmpty)
        #expect(run.path == t.folder + "/bureaus/acces/acces-2026-01.csv")
    }
}

@Suite("Bureau feed from cases opened by the CSV intake")
struct BureauIntakeTests {
    @Test("Cases ingested from a client's CSV file are reported once their waiting period is over")
    func fromIntake() throws {
        let t = try BureauTestStore()
        let csv = t.folder + "/assignation.csv"
        try """
        No de compte;Prénom;Nom de famille;Adresse;Ville;Province;Code postal;Date de naissance;NAS;\
        Montant;Créancier d'origine;Classification du créancier;Date du premier défaut
        A-1;Hélène;Côté;12 rue de l'Église;Montréal;Québec;h2x1y4;1980-04-02;046 454 286;1 234,56 $;\
        Banque Laurentienne;12;2025-03-10
        A-2;Jean;Roy;3 rue Nord;Laval;QC;H7G 2T1;1975-07-14;;500,00 $;Hydro-Québec;10;

        """.write(toFile: csv, atomically: true, encoding: .utf8)
        let intake = Intake(configuration: t.configuration, store: t.store, log: Log(level: .error))
        intake.today = { CalendarDate(iso: "2025-11-15")! }
        let result = try intake.ingest(
            path: csv, client: try #require(t.configuration.client("magasins")),
            channel: .drop, source: "test", disposal: .copy)
        #expect(result.status.rawValue == "ingested")

        #expect(try t.write("2025-11").records == 0)
        let december = try t.write("2025-12")
        #expect(december.records == 1)
        #expect(december.exclusions.map(\.field) == ["Date of First Delinquency"])
        let checker = try Metro2Checker.check(path: try #require(december.path))
        #expect(checker.findings == [])
        #expect(checker.accounts.keys.sorted() == ["AC0000001"])
    }
}
