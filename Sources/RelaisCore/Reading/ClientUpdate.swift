/// A change a client sends for a case already assigned (mise à jour): a payment the debtor made
/// to the creditor directly, an adjustment of the balance, a recall, or new contact details.
public struct ClientUpdate: Sendable, Equatable {
    /// How the row names its case.
    public enum CaseReference: Sendable, Equatable, CustomStringConvertible {
        /// The client's own file number.
        case client(String)
        /// Ours, `AC0000042`.
        case ours(String)

        public var description: String {
            switch self {
            case .client(let reference): return "client reference \(reference.quotedForReason)"
            case .ours(let reference): return "our reference \(reference)"
            }
        }
    }

    public enum Change: Sendable, Equatable {
        /// Paid by the debtor to the creditor: lowers the balance, and commission is still owed.
        case directPayment(Money, on: CalendarDate)
        /// Added to the balance (interest, fees), or taken off it when negative (a credit note).
        case adjustment(Money, on: CalendarDate, reason: String)
        /// The creditor takes the case back: it closes with that reason.
        case recall(on: CalendarDate, reason: String)
        /// New address, phones or email for the debtor.
        case contact(address: PostalAddress?, phones: [Phone], email: String?)
    }

    public var reference: CaseReference
    public var change: Change

    public init(reference: CaseReference, change: Change) {
        self.reference = reference
        self.change = change
    }
}

extension AssignmentBuilder {
    /// What one row of a file becomes: an assignment or, in a file of updates, an update; or a
    /// rejected row, whose amount still counts toward the file's control total when readable.
    public func outcome(_ values: FieldValues, line: Int, updates: Bool) -> RowOutcome {
        if updates {
            switch buildUpdate(values) {
            case .success(let update): return .update(line: line, update)
            case .failure(let problem): return .rejected(line: line, problem: problem, amount: nil)
            }
        }
        switch build(values) {
        case .success(let assignment): return .assignment(line: line, assignment)
        case .failure(let problem):
            let amount = values[.amount].flatMap { try? AmountReader(style: amountStyle).read($0).get() }
            return .rejected(line: line, problem: problem, amount: amount)
        }
    }

    /// The kinds of update a row's `updateKind` may name, in French and English, folded.
    enum UpdateWord {
        case payment, adjustment, credit, charge, recall, contact
    }

    static let updateWords: [String: UpdateWord] = {
        var table: [String: UpdateWord] = [:]
        let lists: [(UpdateWord, [String])] = [
            (
                .payment,
                [
                    "paiement", "paiement direct", "paiement au client", "paiement au creancier", "payment",
                    "direct payment", "paid to creditor", "payment to creditor", "pmt",
                ]
            ),
            (.adjustment, ["ajustement", "adjustment", "correction"]),
            (.credit, ["note de credit", "credit", "credit note", "rabais"]),
            (.charge, ["interets", "interet", "frais", "interest", "fees", "fee", "debit", "charge"]),
            (
                .recall,
                [
                    "rappel", "retrait", "retire", "retire par le client", "recall", "recalled", "withdrawal",
                    "withdrawn",
                ]
            ),
            (
                .contact,
                [
                    "changement d adresse", "adresse", "changement de coordonnees", "coordonnees",
                    "changement de telephone", "telephone", "changement de courriel", "courriel",
                    "address change",
                    "change of address", "address", "phone change", "phone", "email change", "email",
                    "contact",
                    "contact change",
                ]
            ),
        ]
        for (word, names) in lists { for name in names { table[name] = word } }
        return table
    }()

    /// The update of one row, or which field is wrong and why. Dates may not be in the future;
    /// a payment or an adjustment needs its date, a recall without one is dated today.
    public func buildUpdate(_ values: FieldValues) -> Result<ClientUpdate, RowProblem> {
        attempt { try assembleUpdate(values) }
    }

    private func assembleUpdate(_ values: FieldValues) throws -> ClientUpdate {
        if let unfit = values.firstUnfit() { throw fail(unfit.field, unfit.reason) }

        // The case: ours when the row gives it, else the client's reference.
        let reference: ClientUpdate.CaseReference
        if let ours = values[.ourReference] {
            let compact = ours.uppercased().filter { !$0.isWhitespace }
            guard compact.hasPrefix("AC"), compact.count == 9, compact.dropFirst(2).allSatisfy(\.isNumber)
            else {
                throw fail(
                    .ourReference,
                    "\(ours.quotedForReason) is not one of our references (AC and seven digits)")
            }
            reference = .ours(compact)
        } else if let theirs = values[.clientReference] {
            reference = .client(try check(.clientReference, FieldValidators.reference(theirs)))
        } else {
            throw fail(
                .clientReference, "the row names no case: neither the client reference nor ours is given")
        }

        guard let rawKind = values[.updateKind] else {
            throw fail(
                .updateKind,
                "the kind of update is missing (the file has a column for it, so every row is an update)")
        }
        guard let word = Self.updateWords[rawKind.foldedForComparison] else {
            throw fail(
                .updateKind,
                "\(rawKind.quotedForReason) is not a kind of update (paiement, ajustement, "
                    + "note de crédit, intérêts, frais, rappel, changement d'adresse)")
        }

        func amount() throws -> Money {
            guard let raw = values[.amount] else { throw fail(.amount, "the amount is missing") }
            let reader = AmountReader(style: amountStyle, provenDecimalMark: decimalMarks[.amount])
            return try check(.amount, reader.read(raw))
        }
        func date(required: Bool) throws -> CalendarDate {
            guard let raw = values[.transactionDate] else {
                if required { throw fail(.transactionDate, "the date is missing") }
                return dates.today
            }
            let written = try check(.transactionDate, dates.parse(raw))
            let date = try check(
                .transactionDate, dates.resolve(written, order: dateOrders[.transactionDate], raw: raw))
            guard date <= dates.today else {
                throw fail(.transactionDate, "\(raw.quotedForReason) is in the future")
            }
            return date
        }
        let reason = values[.reason] ?? values[.note]

        switch word {
        case .payment:
            let paid = try amount()
            guard paid.cents > 0 else { throw fail(.amount, "a payment must be more than zero") }
            return ClientUpdate(
                reference: reference, change: .directPayment(paid, on: try date(required: true)))
        case .adjustment, .credit, .charge:
            var change = try amount()
            guard change.cents != 0 else { throw fail(.amount, "an adjustment of zero changes nothing") }
            // A credit note lowers the balance and a charge raises it, whichever sign the file wrote.
            if word == .credit { change = Money(cents: -change.cents.magnitude.asInt64) }
            if word == .charge { change = Money(cents: change.cents.magnitude.asInt64) }
            return ClientUpdate(
                reference: reference,
                change: .adjustment(change, on: try date(required: true), reason: reason ?? rawKind))
        case .recall:
            return ClientUpdate(
                reference: reference,
                change: .recall(on: try date(required: false), reason: reason ?? "recalled by the client"))
        case .contact:
            var phones: [Phone] = []
            for (field, kind) in [
                (AssignmentField.phoneHome, Phone.Kind.home), (.phoneWork, .work), (.phoneMobile, .mobile),
            ] {
                if let raw = values[field] {
                    phones.append(try check(field, FieldValidators.phone(raw, kind: kind)))
                }
            }
            let email = try values[.email].map { try check(.email, FieldValidators.email($0)) }
            var address: PostalAddress?
            if [.addressLine1, .city, .province, .postalCode].contains(where: { values[$0] != nil }) {
                var a = PostalAddress(
                    line1: values[.addressLine1], line2: values[.addressLine2], city: values[.city])
                if let raw = values[.province] {
                    a.province = try check(.province, FieldValidators.province(raw))
                }
                if let raw = values[.postalCode] {
                    a.postalCode = try check(.postalCode, FieldValidators.postalCode(raw))
                }
                address = a
            }
            guard address != nil || !phones.isEmpty || email != nil else {
                throw fail(.updateKind, "a change of contact details gives no address, telephone or email")
            }
            return ClientUpdate(
                reference: reference, change: .contact(address: address, phones: phones, email: email))
        }
    }
}

extension UInt64 {
    var asInt64: Int64 { Int64(clamping: self) }
}
