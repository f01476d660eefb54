import Testing

@testable import RelaisCore

@Suite("Amounts are read into exact cents, in every style creditors write them")
struct AmountReaderTests {
    @Test(
        "each written amount reads as its exact number of cents",
        arguments: [
            ("1 234,56 $", Int64(123_456)),
            ("1\u{00A0}234,56\u{00A0}$", 123_456),
            ("1\u{202F}234,56 $", 123_456),
            ("14 000,12", 1_400_012),
            ("$1,234.56", 123_456),
            ("1234.56", 123_456),
            ("1234,56", 123_456),
            ("1.234,56", 123_456),
            ("1,234", 123_400),
            ("12,5", 1_250),
            ("12", 1_200),
            ("0,99", 99),
            ("1 000 000,00 $", 100_000_000),
            ("CAD 250.00", 25_000),
            ("250,00 $CA", 25_000),
            ("(45.10)", -4_510),
            ("-45,10", -4_510),
            ("45.10-", -4_510),
        ])
    func readsAmount(text: String, cents: Int64) throws {
        #expect(try AmountReader().read(text).get() == Money(cents: cents))
    }

    @Test(
        "a value that is not an exact amount is refused, with the reason",
        arguments: [
            ("1.23457E+15", "scientific notation"),
            ("12,345", nil),
            ("12,3x", "is not an amount"),
            ("1,2,3", "grouped by thousands"),
            ("12.345,678", "more than two decimals"),
            ("abc", "is not an amount"),
            ("$", "is not an amount"),
            ("12 34,00", "grouped by thousands"),
        ] as [(String, String?)])
    func refusesAmount(text: String, reason: String?) {
        let result = AmountReader().read(text)
        if let reason {
            guard case .failure(let problem) = result else {
                Issue.record("\(text) was read as \(result)")
                return
            }
            #expect(problem.reason.contains(reason), "\(problem.reason)")
        } else {
            // "12,345" alone is twelve thousand, not twelve dollars and a third of a cent.
            #expect(try! result.get() == Money(cents: 1_234_500))
        }
    }

    @Test("a column that proves a decimal comma refuses three decimals instead of reading thousands")
    func provenDecimalComma() {
        let reader = AmountReader(provenDecimalMark: ",")
        #expect(throws: FieldProblem.self) { try reader.read("1,234").get() }
        #expect(try! reader.read("1.234").get() == Money(cents: 123_400))
    }

    @Test("the client's style decides what a lone mark means")
    func styles() throws {
        #expect(try AmountReader(style: .english).read("1,234").get() == Money(cents: 123_400))
        #expect(try AmountReader(style: .french).read("1 234,5").get() == Money(cents: 123_450))
        #expect(try AmountReader(style: .cents).read("123456").get() == Money(cents: 123_456))
        #expect(throws: FieldProblem.self) { try AmountReader(style: .cents).read("1234.56").get() }
    }

    @Test("money prints in French and English the way a client reads it")
    func formatting() {
        #expect(Money(cents: 123_456).formatted(.french) == "1 234,56 $")
        #expect(Money(cents: 123_456).formatted(.english) == "$1,234.56")
        #expect(Money(cents: 5).plain == "0.05")
        #expect(Money(cents: -100_000_001).plain == "-1000000.01")
    }
}

@Suite("Dates are read whole-column, never guessed")
struct DateReaderTests {
    let reader = DateReader(today: CalendarDate(year: 2026, month: 12, day: 4)!)

    func read(_ text: String, _ order: DateOrder? = nil) throws -> CalendarDate {
        try reader.resolve(try reader.parse(text).get(), order: order, raw: text).get()
    }

    @Test(
        "unambiguous forms read alone",
        arguments: [
            ("2024-03-15", "2024-03-15"), ("2024/03/15", "2024-03-15"), ("20240315", "2024-03-15"),
            ("15 mars 2024", "2024-03-15"), ("March 15, 2024", "2024-03-15"), ("15-Mar-2024", "2024-03-15"),
            ("1er avril 2020", "2020-04-01"), ("25/03/1980", "1980-03-25"), ("03/25/1980", "1980-03-25"),
            ("2024-03-15 00:00:00", "2024-03-15"), ("07/07/2007", "2007-07-07"),
        ])
    func unambiguous(text: String, iso: String) throws {
        #expect(try read(text).iso == iso)
    }

    @Test("a two-digit year goes in the century that keeps the date in the past, never year 0091")
    func twoDigitYears() throws {
        #expect(try read("25/03/91").iso == "1991-03-25")
        #expect(try read("25/03/24").iso == "2024-03-25")
        #expect(try read("25/03/26").iso == "2026-03-25")
        #expect(try read("25/03/27").iso == "1927-03-25")
    }

    @Test("an ambiguous day and month needs the column's or the profile's order")
    func ambiguous() throws {
        #expect(throws: FieldProblem.self) { try read("03/04/2024") }
        #expect(try read("03/04/2024", .dayMonthYear).iso == "2024-04-03")
        #expect(try read("03/04/2024", .monthDayYear).iso == "2024-03-04")
    }

    @Test(
        "impossible days and years are refused",
        arguments: ["31/04/2024", "29/02/2023", "0091-01-01", "45123", "13/13/2020", "demain"])
    func impossible(text: String) {
        #expect(throws: (any Error).self) { try read(text, .dayMonthYear) }
    }

    @Test("the whole column proves its order, and a column that mixes both proves nothing")
    func columnEvidence() throws {
        var evidence = DateColumnEvidence()
        evidence.note(try reader.parse("03/04/2024").get(), line: 2)
        #expect(evidence.proven == nil)
        evidence.note(try reader.parse("25/04/2024").get(), line: 3)
        #expect(evidence.proven == .dayMonthYear)
        evidence.note(try reader.parse("04/25/2024").get(), line: 4)
        #expect(evidence.proven == nil)
        #expect(evidence.isContradictory)
    }
}

@Suite("Fields with a known shape are normalized or refused")
struct FieldValidatorTests {
    @Test("postal codes", arguments: [("h2x1y4", "H2X 1Y4"), ("H2X 1Y4", "H2X 1Y4"), ("j4k-2b1", "J4K 2B1")])
    func postalCodes(text: String, normalized: String) throws {
        #expect(try FieldValidators.postalCode(text).get() == normalized)
    }

    @Test(
        "a postal code with letters Canada Post never uses is refused",
        arguments: ["D2X 1Y4", "H2X1Y", "12345", "ZZZ ZZZ"])
    func badPostalCodes(text: String) {
        #expect(throws: FieldProblem.self) { try FieldValidators.postalCode(text).get() }
    }

    @Test("telephones keep ten digits and the extension")
    func phones() throws {
        #expect(try FieldValidators.phone("(514) 555-0101", kind: .home).get().number == "5145550101")
        #expect(try FieldValidators.phone("+1 450.555.0199", kind: .home).get().number == "4505550199")
        let office = try FieldValidators.phone("819-555-0123 poste 204", kind: .work).get()
        #expect(office.number == "8195550123" && office.extensionNumber == "204")
        #expect(throws: FieldProblem.self) { try FieldValidators.phone("555-0101", kind: .home).get() }
    }

    @Test("provinces by code or by name, French or English")
    func provinces() throws {
        #expect(try FieldValidators.province("Québec").get() == "QC")
        #expect(try FieldValidators.province("qc").get() == "QC")
        #expect(try FieldValidators.province("Nouveau-Brunswick").get() == "NB")
        #expect(try FieldValidators.province("British Columbia").get() == "BC")
        #expect(throws: FieldProblem.self) { try FieldValidators.province("Vermont").get() }
    }

    @Test("a SIN must pass its check digit, and no reason ever repeats it")
    func sins() throws {
        #expect(try FieldValidators.sin("046 454 286").get().digits == "046454286")
        guard case .failure(let problem) = FieldValidators.sin("046 454 287") else {
            Issue.record("a wrong check digit was accepted")
            return
        }
        #expect(!problem.reason.contains("454"))
        #expect(SIN("046454286")!.description == "***-***-286")
    }

    @Test("references are text: leading zeros stay, scientific notation is refused")
    func references() throws {
        #expect(try FieldValidators.reference(" 000123 ").get() == "000123")
        #expect(throws: FieldProblem.self) { try FieldValidators.reference("1.23457E+15").get() }
        #expect(try FieldValidators.reference("E-1234").get() == "E-1234")
    }
}

@Suite("SHA-256")
struct SHA256Tests {
    @Test(
        "the published test vectors",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
        ])
    func vectors(text: String, digest: String) {
        var hash = SHA256()
        hash.update(Array(text.utf8))
        #expect(hash.finalize() == digest)
    }

    @Test("pieces of any size hash as the whole")
    func pieces() {
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var whole = SHA256()
        whole.update(bytes)
        var split = SHA256()
        var offset = 0
        for size in [1, 63, 64, 65, 127, 1000, 5000] {
            split.update(Array(bytes[offset..<min(bytes.count, offset + size)]))
            offset = min(bytes.count, offset + size)
        }
        split.update(Array(bytes[offset...]))
        #expect(whole.finalize() == split.finalize())
    }
}
