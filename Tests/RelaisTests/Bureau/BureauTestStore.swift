import Foundation
import Testing

@testable import RelaisCore

/// An invented person for bureau tests.
struct TestPerson {
    var first: String
    var last: String
    var sin: String? = nil
    var born: String? = nil
    var phone: String? = nil
    var line1: String? = "1 rue Principale"
    var line2: String? = nil
    var city: String? = "Montréal"
    var province: String? = "QC"
    var postal: String? = "H2X 1Y4"
    var country: String? = "CA"
}

/// A temporary folder with a configuration file and a real case store, with cases inserted
/// straight into the tables the intake fills, so that every date is the test's own.
final class BureauTestStore {
    let folder: String
    let configuration: Configuration
    let store: CaseStore
    private var fileID: Int64 = 0
    private var nextRef = 1

    init(newline: Bool = true, waitingDays: Int = 30, gpg: String? = nil, sftp: String? = nil) throws {
        folder = NSTemporaryDirectory() + "relais-bureau-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let config = """
            {
              "store": "store.sqlite", "inbox": "inbox", "archive": "archive", "outbox": "outbox",
              "agency": { "name": "Agence de recouvrement Accès" },
              "clients": [ { "id": "magasins", "name": "Magasins Exemple inc." } ],
              "bureaus": {
                "reporterAddress": "1234 rue Saint-Denis, Montréal QC H2X 3K2",
                "reporterPhone": "5145550100",
                "equifax": { "identificationNumber": "ACCES00001", "programIdentifier": "EFXPROG001",
                  "outbox": "bureaus/equifax", "dayOfMonth": 5, "waitingDays": \(waitingDays),
                  "newline": \(newline) \(gpg.map { ", \"gpg\": \($0)" } ?? "")
                  \(sftp.map { ", \"sftp\": \($0)" } ?? "") },
                "acces": { "identificationNumber": "AC123", "outbox": "bureaus/acces", "dayOfMonth": 7,
                  "waitingDays": \(waitingDays) }
              }
            }
            """
        try config.write(toFile: folder + "/relais.json", atomically: true, encoding: .utf8)
        configuration = try Configuration.load(folder + "/relais.json")
        store = try CaseStore(path: configuration.store)
        try store.register(clients: [("magasins", "Magasins Exemple inc.", .french)])
        try store.connection.run(
            """
            INSERT INTO files (client_id, source, channel, name, size, sha256, received_at, outcome,
                original_path)
            VALUES ('magasins', 'test', 'drop', 'cases.csv', 0, '', '2025-01-01T00:00:00Z', 'ingested',
                '/dev/null')
            """)
        fileID = store.connection.lastInsertRowID
    }

    deinit {
        try? store.close()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Opens a case; returns its id. Our reference is AC and the id on seven digits.
    @discardableResult
    func addCase(
        opened: String, assigned: Int64, kind: String = "consumer", firstDelinquency: String?,
        creditor: String? = "Banque Exemple", classification: String? = "12",
        clientLastPayment: String? = nil,
        debtor: TestPerson, coDebtors: [TestPerson] = []
    ) throws -> Int64 {
        let db = store.connection
        let id = Int64(nextRef)
        let ref = String(format: "C-%03d", nextRef)
        nextRef += 1
        try db.run(
            """
            INSERT INTO cases (id, client_id, client_ref, kind, opened_on, assigned_cents,
                balance_cents,
                status, sub_status, original_creditor, creditor_classification, first_delinquency_date,
                last_payment_date, file_id, file_line)
            VALUES (?, 'magasins', ?, ?, ?, ?, ?, 'new', 'received', ?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(id), .text(ref), .text(kind),
                .text(opened),
                .integer(assigned), .integer(assigned), SQLiteValue(creditor), SQLiteValue(classification),
                SQLiteValue(firstDelinquency), SQLiteValue(clientLastPayment), .integer(fileID), .integer(id),
            ])
        try insert(debtor, role: "debtor", caseID: id)
        for co in coDebtors { try insert(co, role: "co-debtor", caseID: id) }
        return id
    }

    private func insert(_ p: TestPerson, role: String, caseID: Int64) throws {
        try store.connection.run(
            """
            INSERT INTO debtors (case_id, role, name_as_given, first_name, last_name, address_line1,
                address_line2,
                city, province, postal_code, country, phone_home, birth_date, sin)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(caseID), .text(role), .text("\(p.first) \(p.last)"), .text(p.first), .text(p.last),
                SQLiteValue(p.line1), SQLiteValue(p.line2), SQLiteValue(p.city), SQLiteValue(p.province),
                SQLiteValue(p.postal), SQLiteValue(p.country), SQLiteValue(p.phone), SQLiteValue(p.born),
                SQLiteValue(p.sin),
            ])
    }

    /// Records that a month before the test's first was already reported for a case.
    func priorReport(
        caseID: Int64, bureau: String = "equifax", month: String, status: String = "93",
        compliance: String = "", firstDelinquency: String
    ) throws {
        try store.connection.run(
            """
            INSERT INTO bureau_accounts (bureau, case_id, first_month, last_month, last_status,
                last_special_comment, last_compliance, last_balance_cents, first_delinquency_date)
            VALUES (?, ?, ?, ?, ?, '', ?, 0, ?)
            """,
            [
                .text(bureau), .integer(caseID), .text(month), .text(month), .text(status), .text(compliance),
                .text(firstDelinquency),
            ])
        try store.connection.run(
            """
            INSERT INTO bureau_reports (bureau, month, case_id, status, special_comment, compliance,
                balance_cents,
                first_delinquency_date) VALUES (?, ?, ?, ?, '', ?, 0, ?)
            """,
            [
                .text(bureau), .text(month), .integer(caseID), .text(status), .text(compliance),
                .text(firstDelinquency),
            ])
    }

    func reporter(_ bureau: Bureau = .equifax) throws -> BureauReporter {
        try BureauReporter(store: store, configuration: configuration, bureau: bureau)
    }

    /// Writes a month as the schedule would, a few days after it ends.
    @discardableResult
    func write(
        _ month: String, bureau: Bureau = .equifax, rewrite: Bool = false, dryRun: Bool = false,
        output: String? = nil
    ) throws -> BureauRun {
        let m = ReportMonth(month)!
        return try reporter(bureau).run(
            month: m, today: m.next.firstDay.adding(days: 4),
            created: Metro2Writer.Moment(date: m.next.firstDay.adding(days: 4), hour: 8, minute: 30),
            output: output, dryRun: dryRun, rewrite: rewrite)
    }

    /// What was reported for a case, month by month: "month status comment compliance balance".
    func history(caseID: Int64, bureau: String = "equifax") throws -> [String] {
        try store.connection.rows(
            """
            SELECT month, status, special_comment, compliance, balance_cents FROM bureau_reports
            WHERE bureau = ? AND case_id = ? ORDER BY month
            """, [.text(bureau), .integer(caseID)]
        ).map { row in
            row.map { value -> String in
                switch value {
                case .text(let s): return s.isEmpty ? "-" : s
                case .integer(let n): return String(n)
                default: return "?"
                }
            }.joined(separator: " ")
        }
    }

    static func fixture(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/bureau/\(name)", withExtension: nil))
        return Array(try Data(contentsOf: url))
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// The January 2026 store the hand-built fixture was counted from.
enum JanuaryFixture {
    static func build(_ t: BureauTestStore) throws {
        // AC0000001: first report, accents, J1 co-debtor at the same address.
        try t.addCase(
            opened: "2025-11-15", assigned: 123_456, firstDelinquency: "2025-03-10",
            creditor: "Banque Laurentienne", classification: "12",
            debtor: TestPerson(
                first: "Hélène", last: "Côté", sin: "046 454 286", born: "1980-04-02",
                phone: "5145551234", line1: "12, rue de l'Église", line2: "app. 3", city: "Montréal",
                postal: "H2X 1Y4"),
            coDebtors: [
                TestPerson(
                    first: "Jean", last: "Côté", born: "1979-12-24", line1: "12, rue de l’Église",
                    line2: "app. 3", city: "Montréal", postal: "h2x1y4")
            ])
        // AC0000002: reported in December with XB, dispute resolved in January; long names.
        let two = try t.addCase(
            opened: "2025-10-01", assigned: 50_099, firstDelinquency: "2024-12-01",
            creditor: "Hydro-Québec", classification: "10",
            debtor: TestPerson(
                first: "Marie-Ève-Geneviève Anne", last: "Bouchard-Lévesque-Tremblay de la Montagne",
                born: "1975-07-14", line1: "4567 boulevard des Laurentides Ouest, bureau 890", city: "Laval",
                postal: "H7G 2T1"),
            coDebtors: [
                TestPerson(
                    first: "Minh", last: "Nguyen", sin: "130-692-544", phone: "6135550199",
                    line1: "88 Main Street", city: "Ottawa", province: "ON", postal: "K1A 0B1")
            ])
        try t.priorReport(caseID: two, month: "2025-12", compliance: "XB", firstDelinquency: "2024-12-01")
        try t.store.connection.run(
            """
            INSERT INTO disputes (case_id, opened_on, reason, resolved_on, outcome)
            VALUES (?, '2025-12-05', 'not my debt', '2026-01-20', 'debt confirmed')
            """, [.integer(two)])
        try t.store.recordPayment(
            caseID: two, amount: Money(cents: 10_050), on: CalendarDate(iso: "2026-01-10")!,
            source: "test")
        // AC0000003: no date of first delinquency: excluded.
        try t.addCase(
            opened: "2025-10-01", assigned: 20_000, firstDelinquency: nil,
            debtor: TestPerson(first: "Paul", last: "Gagnon", sin: "046454286"))
        // AC0000004: settled for less in January: 62 AU. No original creditor: the client's name.
        let four = try t.addCase(
            opened: "2025-09-01", assigned: 30_000, firstDelinquency: "2025-01-05",
            creditor: nil, classification: "01",
            debtor: TestPerson(
                first: "Luc", last: "Tremblay", sin: "193456787", line1: "300 avenue du Parc",
                city: "Québec", postal: "G1R 2L3"))
        try t.priorReport(caseID: four, month: "2025-12", firstDelinquency: "2025-01-05")
        try t.store.recordPayment(
            caseID: four, amount: Money(cents: 25_000), on: CalendarDate(iso: "2026-01-15")!,
            source: "test")
        try t.store.closeCase(
            caseID: four, on: CalendarDate(iso: "2026-01-20")!, subStatus: "settled",
            reason: "settled for $250", source: "test")
        // AC0000005: recalled by the client in January: DA.
        let five = try t.addCase(
            opened: "2025-08-15", assigned: 7_525, firstDelinquency: "2024-06-30",
            creditor: "Telus", classification: "11", clientLastPayment: "2024-05-01",
            debtor: TestPerson(
                first: "Siobhán", last: "O'Brien", born: "1990-02-28", phone: "4185550123 x45",
                line1: "7 chemin du Lac", city: "Sherbrooke", postal: "J1H 5N4"))
        try t.priorReport(caseID: five, month: "2025-12", firstDelinquency: "2024-06-30")
        try t.store.closeCase(
            caseID: five, on: CalendarDate(iso: "2026-01-25")!, subStatus: "recalled",
            reason: "recalled by the client", source: "test")
        // AC0000006: commercial: never reported.
        try t.addCase(
            opened: "2025-05-01", assigned: 900_000, kind: "commercial", firstDelinquency: "2025-01-01",
            debtor: TestPerson(first: "", last: "Entreprise", sin: nil, born: "1970-01-01"))
        // AC0000007: assigned eleven days before the month's end: waiting.
        try t.addCase(
            opened: "2026-01-20", assigned: 10_000, firstDelinquency: "2025-06-01",
            debtor: TestPerson(first: "Anne", last: "Roy", born: "1985-05-05"))
        // AC0000008: first delinquency more than six years before 2026-01-31: excluded.
        try t.addCase(
            opened: "2025-06-01", assigned: 10_000, firstDelinquency: "2019-12-31",
            debtor: TestPerson(first: "Marc", last: "Roy", born: "1960-01-01"))
    }
}
