import Foundation
import Testing

@testable import RelaisCore

@Suite("relais bureau check")
struct Metro2CheckerTests {
    /// The fixture's records, each without its newline.
    static func records() throws -> [[UInt8]] {
        try BureauTestStore.fixture("equifax-2026-01.m2").split(separator: 0x0A).map(Array.init)
    }

    /// Writes records (joined with newlines, or not) to a temporary file and checks it.
    static func check(_ records: [[UInt8]], newline: Bool = true) throws -> [String] {
        let path = NSTemporaryDirectory() + "relais-check-\(UUID().uuidString.prefix(8)).m2"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var bytes: [UInt8] = []
        for r in records { bytes += r + (newline ? [0x0A] : []) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return try Metro2Checker.check(path: path).findings.map(\.description)
    }

    static func replace(_ record: inout [UInt8], at position: Int, with text: String) {
        for (i, b) in text.utf8.enumerated() { record[position - 1 + i] = b }
    }

    /// A planted fault: which record (0-based in the fixture), where, what, and the finding.
    struct Fault: Sendable, CustomStringConvertible {
        var record: Int
        var position: Int
        var text: String
        var finding: String
        var description: String { finding }
    }

    static let faults: [Fault] = [
        Fault(
            record: 5, position: 219, text: "000000003",
            finding:
                "record 6, Trailer, Total of Status Code 93 (219–227): the trailer says 3, the "
                + "records count 2"
        ),
        Fault(
            record: 5, position: 12, text: "000000005",
            finding: "record 6, Trailer, Total Base Records (12–20): the trailer says 5, the records "
                + "count 4"),
        Fault(
            record: 5, position: 336, text: "000000001",
            finding:
                "record 6, Trailer, Total SINs in Base Segments (336–344): the trailer says 1, the "
                + "records count 2"
        ),
        Fault(
            record: 5, position: 399, text: "000000009",
            finding:
                "record 6, Trailer, Total Telephone Numbers (all segments) (399–407): the trailer "
                + "says 9, the records count 3"
        ),
        Fault(
            record: 1, position: 232, text: "Cote",
            finding:
                "record 2, Base, Surname (232–256): holds lowercase letters; alphanumeric fields are "
                + "uppercase"
        ),
        Fault(
            record: 1, position: 298, text: "046454287",
            finding: "record 2, Base, Social Insurance Number (298–306): fails the SIN checksum"),
        Fault(
            record: 1, position: 190, text: "12312025",
            finding: "record 2, Base, Date of First Delinquency (190–197): after the date opened"),
        Fault(
            record: 1, position: 190, text: "00000000",
            finding: "record 2, Base, Date of First Delinquency (190–197): required with status 93"),
        Fault(
            record: 3, position: 155, text: "000000050",
            finding: "record 4, Base, Current Balance (155–163): status 62 (paid) with a balance of 50"),
        Fault(
            record: 4, position: 198, text: "00000000",
            finding: "record 5, Base, Date Closed (198–205): status DA needs the date closed"),
        Fault(
            record: 1, position: 414, text: "XX",
            finding:
                "record 2, Base, State (province) (414–415): \"XX\" is not a Canadian province or "
                + "territory code"
        ),
        Fault(
            record: 1, position: 416, text: "H2X 1Y",
            finding: "record 2, Base, Postal/Zip Code (416–424): \"H2X 1Y\" is not a postal code A1A1A1"),
        Fault(
            record: 1, position: 84, text: "000000100",
            finding: "record 2, Base, Credit Limit (84–92): a collection account reports 0"),
        Fault(
            record: 1, position: 124, text: "71",
            finding:
                "record 2, Base, Account Status (124–125): a collection account is reported 93, 62 "
                + "or DA, not 71"
        ),
        Fault(
            record: 1, position: 76, text: "02302025",
            finding: "record 2, Base, Date Opened (76–83): not a real date in MMDDYYYY"),
        Fault(
            record: 1, position: 190, text: "01012020",
            finding:
                "record 2, Base, Date of First Delinquency (190–197): more than six years before the "
                + "date of account information"
        ),
        Fault(
            record: 2, position: 151, text: "AU",
            finding: "record 3, Base, Special Comment (151–152): AU (settled for less) goes with 62 only"),
        Fault(
            record: 2, position: 426 + 70, text: "130692545",
            finding: "record 3, J2, Social Insurance Number (70–78): fails the SIN checksum"),
        Fault(
            record: 1, position: 426 + 100 + 33, text: "99",
            finding:
                "record 2, K1, Creditor Classification (33–34): \"99\" is not a classification from "
                + "01 to 15"),
    ]

    @Test("Each planted fault is found, with its record number and field", arguments: faults)
    func plantedFault(_ fault: Fault) throws {
        var records = try Self.records()
        Self.replace(&records[fault.record], at: fault.position, with: fault.text)
        let findings = try Self.check(records)
        #expect(findings.contains(fault.finding), "\(findings)")
    }

    @Test("A file without newlines is read by its Record Descriptor Words")
    func withoutNewlines() throws {
        #expect(try Self.check(try Self.records(), newline: false) == [])
    }

    @Test("A Record Descriptor Word that does not match the segments is found")
    func wrongLength() throws {
        var records = try Self.records()
        records[1].removeLast(34)  // drop the K1 segment but keep RDW 0560
        Self.replace(&records[1], at: 1, with: "0526")
        let findings = try Self.check(records)
        #expect(
            findings.contains(
                "record 2, Record, —: a collection account (type 48) without its K1 original creditor segment"
            ))
        #expect(
            findings.contains(
                "record 6, Trailer, Total Original Creditor Segments (282–290): the trailer says 4, "
                    + "the records count 3"
            ))
    }

    @Test("A missing trailer, a repeated account and a non-ASCII byte are found")
    func structure() throws {
        var records = try Self.records()
        records.removeLast()
        records.append(records[1])
        records[2][300] = 0xC3
        let findings = try Self.check(records)
        #expect(
            findings.contains(
                "record 6, Base, Consumer Account Number (43–72): account AC0000001 is reported twice"))
        #expect(findings.contains("record 6, File, —: no Trailer record"))
        #expect(findings.contains { $0.hasPrefix("record 3, Base, Social Insurance Number (298–306)") })
    }

    @Test("Against the month before: a changed first delinquency, an account sent after 62 or DA")
    func changedFirstDelinquency() throws {
        let before = try Self.records()
        var after = before
        Self.replace(&after[1], at: 190, text: "03112025")
        let path = NSTemporaryDirectory() + "relais-check-\(UUID().uuidString.prefix(8))"
        defer {
            try? FileManager.default.removeItem(atPath: path + "a")
            try? FileManager.default.removeItem(atPath: path + "b")
        }
        try Data(before.joined(separator: [0x0A])).write(to: URL(fileURLWithPath: path + "a"))
        try Data(after.joined(separator: [0x0A])).write(to: URL(fileURLWithPath: path + "b"))
        let findings = try Metro2Checker.check(path: path + "b").compare(
            previous: Metro2Checker.check(path: path + "a"))
        #expect(
            findings.map(\.description) == [
                "record 0, Base, Date of First Delinquency (190–197): account AC0000001: the date of "
                    + "first delinquency changed from the previous month",
                "record 0, Base, Account Status (124–125): account AC0000004: reported again after status 62",
                "record 0, Base, Account Status (124–125): account AC0000005: reported again after status DA",
            ])
    }

    @Test("The command prints the findings and exits 1, or exits 0 on a clean file")
    func command() throws {
        let url = try #require(
            Bundle.module.url(forResource: "Fixtures/bureau/equifax-2026-01.m2", withExtension: nil))
        #expect(RelaisCommandLine.main(["relais", "bureau", "check", url.path]) == 0)
        var records = try Self.records()
        Self.replace(&records[5], at: 12, with: "000000007")
        let path = NSTemporaryDirectory() + "relais-check-\(UUID().uuidString.prefix(8)).m2"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(records.joined(separator: [0x0A])).write(to: URL(fileURLWithPath: path))
        #expect(RelaisCommandLine.main(["relais", "bureau", "check", path]) == 1)
    }
}

extension Metro2CheckerTests {
    static func replace(_ record: inout [UInt8], at position: Int, text: String) {
        replace(&record, at: position, with: text)
    }
}
