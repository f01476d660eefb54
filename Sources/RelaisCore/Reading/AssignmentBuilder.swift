/// Why a row was refused: the field (nil when the whole row is wrong) and the reason.
public struct RowProblem: Error, Equatable, Sendable {
    public let field: String?
    public let reason: String

    public init(field: String?, reason: String) {
        self.field = field
        self.reason = reason
    }
}

/// Turns one row's raw field texts, whatever format they came from, into a normalized
/// assignment, or says which field is wrong and why. CSV, XML and faxed lists all end here, so
/// that every channel obeys the same rules.
public struct AssignmentBuilder: Sendable {
    public var dates: DateReader
    public var amountStyle: AmountStyle
    public var defaultKind: CaseKind?
    /// Day/month order per date field, as the file's columns or the profile decided it.
    var dateOrders: [AssignmentField: DateOrder] = [:]
    /// Reasons a date field's order is unusable (a column that mixes both orders).
    var dateOrderProblems: [AssignmentField: String] = [:]
    /// Decimal mark per amount field, when the column proved it.
    var decimalMarks: [AssignmentField: Character] = [:]
    /// How the field is named to the client: its column heading in the file.
    var headings: [AssignmentField: String] = [:]

    public init(today: CalendarDate, amountStyle: AmountStyle = .auto, defaultKind: CaseKind? = nil) {
        self.dates = DateReader(today: today)
        self.amountStyle = amountStyle
        self.defaultKind = defaultKind
    }

    func heading(_ field: AssignmentField) -> String { headings[field] ?? field.label }

    /// The assignment of one row. `values` holds the trimmed text of each field present; empty
    /// texts count as absent.
    public func build(_ values: [AssignmentField: String]) -> Result<Assignment, RowProblem> {
        build(FieldValues(values))
    }

    /// The assignment of one row, from its field texts.
    public func build(_ values: FieldValues) -> Result<Assignment, RowProblem> {
        attempt { try assemble(values) }
    }

    /// The body's value, or the row problem it threw (any other error as a row problem too).
    func attempt<T>(_ body: () throws -> T) -> Result<T, RowProblem> {
        do {
            return .success(try body())
        } catch let problem as RowProblem {
            return .failure(problem)
        } catch {
            return .failure(RowProblem(field: nil, reason: "\(error)"))
        }
    }

    func fail(_ field: AssignmentField, _ reason: String) -> RowProblem {
        RowProblem(field: heading(field), reason: reason)
    }

    func check<T>(_ field: AssignmentField, _ result: Result<T, FieldProblem>) throws -> T {
        switch result {
        case .success(let value): return value
        case .failure(let problem): throw fail(field, problem.reason)
        }
    }

    private func amount(_ field: AssignmentField, _ values: FieldValues) throws -> Money? {
        guard let raw = values[field] else { return nil }
        let reader = AmountReader(style: amountStyle, provenDecimalMark: decimalMarks[field])
        return try check(field, reader.read(raw))
    }

    private func date(_ field: AssignmentField, _ values: FieldValues) throws -> CalendarDate? {
        guard let raw = values[field] else { return nil }
        let written = try check(field, dates.parse(raw))
        if case .numeric(let a, let b, _) = written.shape, a != b, let problem = dateOrderProblems[field] {
            throw fail(field, "\(raw.quotedForReason): \(problem)")
        }
        let date = try check(field, dates.resolve(written, order: dateOrders[field], raw: raw))
        guard date <= dates.today else {
            throw fail(
                field,
                "\(field == .birthDate || field == .coDebtorBirthDate ? "the date of birth" : raw.quotedForReason) is in the future"
            )
        }
        return date
    }

    private func assemble(_ values: FieldValues) throws -> Assignment {
        if let unfit = values.firstUnfit() { throw fail(unfit.field, unfit.reason) }

        // The client's reference: required, kept as text.
        guard let rawReference = values[.clientReference] else {
            throw fail(.clientReference, "the client reference is missing")
        }
        let reference = try check(.clientReference, FieldValidators.reference(rawReference))

        // The amount assigned, whole or as the sum of its parts.
        let principal = try amount(.principal, values)
        let interest = try amount(.interest, values)
        let fees = try amount(.fees, values)
        let parts = [principal, interest, fees].compactMap { $0 }
        let partsTotal = parts.reduce(Money.zero, +)
        var total = try amount(.amount, values)
        if total == nil && !parts.isEmpty { total = partsTotal }
        guard let amount = total else { throw fail(.amount, "the amount assigned is missing") }
        guard amount.cents > 0 else {
            throw fail(
                .amount, "\(values[.amount]?.quotedForReason ?? amount.plain) is not a positive amount")
        }
        for (field, part) in [(AssignmentField.principal, principal), (.interest, interest), (.fees, fees)] {
            if let part, part.cents < 0 { throw fail(field, "\(values[field]!.quotedForReason) is negative") }
        }
        if !parts.isEmpty, values[.amount] != nil, partsTotal != amount {
            throw fail(
                .amount, "principal, interest and fees add up to \(partsTotal.plain), not \(amount.plain)")
        }

        // The debtor: a person, a company, or a name as given to be split.
        var debtor = try person(
            values, name: .debtorName, first: .firstName, last: .lastName, company: .companyName)
        let kind: CaseKind
        if let rawKind = values[.kind] {
            kind = try check(.kind, FieldValidators.kind(rawKind))
        } else if let defaultKind {
            kind = defaultKind
        } else {
            kind = debtor.companyName != nil && debtor.lastName == nil ? .commercial : .consumer
        }
        if kind == .commercial && debtor.companyName == nil && values[.firstName] == nil
            && values[.lastName] == nil
        {
            debtor.companyName = debtor.nameAsGiven
            debtor.firstName = nil
            debtor.lastName = nil
        }
        debtor.address = try address(
            values, line1: .addressLine1, line2: .addressLine2, city: .city,
            province: .province, postal: .postalCode, country: .country)
        for (field, phoneKind) in [
            (AssignmentField.phoneHome, Phone.Kind.home), (.phoneWork, .work), (.phoneMobile, .mobile),
        ] {
            if let raw = values[field] {
                debtor.phones.append(try check(field, FieldValidators.phone(raw, kind: phoneKind)))
            }
        }
        if let raw = values[.email] { debtor.email = try check(.email, FieldValidators.email(raw)) }
        if let raw = values[.language] {
            debtor.language = try check(.language, FieldValidators.language(raw))
        }
        debtor.birthDate = try date(.birthDate, values)
        if let raw = values[.sin] { debtor.sin = try check(.sin, FieldValidators.sin(raw)) }

        var assignment = Assignment(clientReference: reference, kind: kind, amount: amount, debtor: debtor)
        assignment.principal = principal
        assignment.interest = interest
        assignment.fees = fees

        // A co-debtor, when the row names one.
        if values[.coDebtorName] != nil {
            var co = try person(values, name: .coDebtorName, first: nil, last: nil, company: nil)
            co.birthDate = try date(.coDebtorBirthDate, values)
            if let raw = values[.coDebtorSIN] { co.sin = try check(.coDebtorSIN, FieldValidators.sin(raw)) }
            co.address = try address(
                values, line1: .coDebtorAddressLine1, line2: nil, city: .coDebtorCity,
                province: .coDebtorProvince, postal: .coDebtorPostalCode, country: nil)
            if let raw = values[.coDebtorPhone] {
                co.phones.append(try check(.coDebtorPhone, FieldValidators.phone(raw, kind: .home)))
            }
            assignment.coDebtors = [co]
        }

        // What the credit-bureau feed needs of the original account.
        assignment.originalCreditor = values[.originalCreditor]
        if let raw = values[.creditorClassification] {
            guard raw.count <= 2, raw.allSatisfy(\.isNumber) else {
                throw fail(
                    .creditorClassification,
                    "\(raw.quotedForReason) is not a two-digit creditor classification")
            }
            assignment.creditorClassification = raw.count == 1 ? "0" + raw : raw
        }
        assignment.chargeOffDate = try date(.chargeOffDate, values)
        assignment.firstDelinquencyDate = try date(.firstDelinquencyDate, values)
        assignment.lastPaymentDate = try date(.lastPaymentDate, values)
        assignment.note = values[.note]
        return assignment
    }

    static let companyMarkers: Set<String> = [
        "inc", "ltee", "ltd", "limitee", "limited", "corp", "corporation", "senc", "sencrl", "enr", "llc",
        "cie", "compagnie", "company", "co", "groupe", "entreprises", "societe",
    ]

    /// Whether a name has a word that only companies use (`inc`, `ltée`, `SENC`…).
    static func namesACompany(_ name: String) -> Bool {
        let folded = name.foldedForComparison.utf8
        var start = folded.startIndex
        while start < folded.endIndex {
            let end = folded[start...].firstIndex(of: 0x20) ?? folded.endIndex
            let length = folded.distance(from: start, to: end)
            // The markers are 2 to 11 letters; short words compare without allocating.
            if (2...11).contains(length),
                companyMarkers.contains(String(decoding: folded[start..<end], as: UTF8.self))
            {
                return true
            }
            start = end < folded.endIndex ? folded.index(after: end) : end
        }
        return false
    }

    private func person(
        _ values: FieldValues, name: AssignmentField, first: AssignmentField?, last: AssignmentField?,
        company: AssignmentField?
    ) throws -> Debtor {
        let given = values[name]
        let firstName = first.flatMap { values[$0] }
        var lastName = last.flatMap { values[$0] }
        let companyName = company.flatMap { values[$0] }
        // A file with "Nom" and "Prénom" uses "Nom" for the family name.
        if lastName == nil, firstName != nil, let given { lastName = given }
        let asGiven =
            given.map { g in firstName.map { "\($0) \(g)" } ?? g }
            ?? [firstName, lastName].compactMap { $0 }.joined(separator: " ").nonEmpty
            ?? companyName
        guard let asGiven, asGiven.hasLetter else {
            throw fail(name, "the debtor's name is missing")
        }
        var debtor = Debtor(nameAsGiven: asGiven)
        debtor.companyName = companyName
        if firstName != nil || lastName != nil {
            debtor.firstName = firstName
            debtor.lastName = lastName
        } else if companyName == nil, let given {
            if Self.namesACompany(given) {
                debtor.companyName = given
            } else if let comma = given.firstIndex(of: ",") {
                debtor.lastName = String(given[..<comma]).trimmedField.nonEmpty
                debtor.firstName = String(given[given.index(after: comma)...]).trimmedField.nonEmpty
            } else if let space = given.lastIndex(of: " ") {
                debtor.firstName = String(given[..<space]).trimmedField.nonEmpty
                debtor.lastName = String(given[given.index(after: space)...]).trimmedField.nonEmpty
            } else {
                debtor.lastName = given
            }
        }
        return debtor
    }

    private func address(
        _ values: FieldValues, line1: AssignmentField, line2: AssignmentField?, city: AssignmentField,
        province: AssignmentField, postal: AssignmentField, country: AssignmentField?
    ) throws -> PostalAddress? {
        let present = [line1, city, province, postal].contains { values[$0] != nil }
        guard present else { return nil }
        var result = PostalAddress(line1: values[line1])
        result.line2 = line2.flatMap { values[$0] }
        result.city = values[city]
        if let raw = values[province] { result.province = try check(province, FieldValidators.province(raw)) }
        if let raw = values[postal] { result.postalCode = try check(postal, FieldValidators.postalCode(raw)) }
        if let country, let raw = values[country] {
            switch raw.foldedForComparison {
            case "ca", "can", "canada": result.country = "CA"
            default: throw fail(country, "\(raw.quotedForReason): only Canadian addresses are taken")
            }
        }
        return result
    }
}

extension StringProtocol {
    var nonEmpty: String? { isEmpty ? nil : String(self) }
}
