/// One account a creditor hands to the agency, normalized from whatever form it came in
/// (CSV, XML, a faxed list). Everything the case store needs to open a case.
public struct Assignment: Sendable, Equatable {
    /// The client's own file number for this account: text, never a number.
    public var clientReference: String
    public var kind: CaseKind
    public var amount: Money
    /// The split of the amount assigned, when the file gives it.
    public var principal: Money?
    public var interest: Money?
    public var fees: Money?
    public var debtor: Debtor
    public var coDebtors: [Debtor]
    public var originalCreditor: String?
    /// Original creditor classification, as the credit bureaus code it (01 retail, 02 medical…).
    public var creditorClassification: String?
    public var chargeOffDate: CalendarDate?
    public var firstDelinquencyDate: CalendarDate?
    public var lastPaymentDate: CalendarDate?
    public var note: String?

    public init(
        clientReference: String, kind: CaseKind, amount: Money, debtor: Debtor,
        coDebtors: [Debtor] = []
    ) {
        self.clientReference = clientReference
        self.kind = kind
        self.amount = amount
        self.debtor = debtor
        self.coDebtors = coDebtors
    }
}

/// A debtor (débiteur) or co-debtor: a person or a company, with what the agency knows of how
/// to reach them.
public struct Debtor: Sendable, Equatable {
    /// The name exactly as the client gave it: the acknowledgement repeats it.
    public var nameAsGiven: String
    public var firstName: String?
    public var lastName: String?
    public var companyName: String?
    public var address: PostalAddress?
    public var phones: [Phone]
    public var email: String?
    public var language: Language?
    public var birthDate: CalendarDate?
    /// Social insurance number (NAS), nine digits. Never logged; shown masked.
    public var sin: SIN?

    public init(nameAsGiven: String) {
        self.nameAsGiven = nameAsGiven
        self.phones = []
    }
}

public struct PostalAddress: Sendable, Equatable {
    /// The street address; a client may give only the city or the postal code.
    public var line1: String?
    public var line2: String?
    public var city: String?
    /// Two-letter province or territory code: QC, ON…
    public var province: String?
    /// `A1A 1A1` for Canada.
    public var postalCode: String?
    public var country: String

    public init(
        line1: String?, line2: String? = nil, city: String? = nil, province: String? = nil,
        postalCode: String? = nil, country: String = "CA"
    ) {
        self.line1 = line1
        self.line2 = line2
        self.city = city
        self.province = province
        self.postalCode = postalCode
        self.country = country
    }
}

public struct Phone: Sendable, Equatable {
    public enum Kind: String, Sendable { case home, work, mobile }
    public var kind: Kind
    /// Ten digits, North American numbering.
    public var number: String
    public var extensionNumber: String?

    public init(kind: Kind, number: String, extensionNumber: String? = nil) {
        self.kind = kind
        self.number = number
        self.extensionNumber = extensionNumber
    }
}

/// A Canadian social insurance number (numéro d'assurance sociale). Its description is masked so
/// that it cannot reach a log by accident.
public struct SIN: Sendable, Equatable, CustomStringConvertible {
    /// The nine digits. Read it only to store it or to report it to a credit bureau.
    public let digits: String

    /// Nil unless the text holds nine digits (spaces and dashes allowed) that pass the Luhn check.
    public init?(_ text: String) {
        let digits = text.filter { $0 != " " && $0 != "-" }
        guard digits.count == 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        guard SIN.luhnValid(digits) else { return nil }
        self.digits = digits
    }

    static func luhnValid(_ digits: String) -> Bool {
        var sum = 0
        for (index, character) in digits.enumerated() {
            var value = Int(String(character))!
            if index % 2 == 1 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return sum % 10 == 0
    }

    /// `***-***-678`: what a person may see.
    public var masked: String { "***-***-" + String(digits.suffix(3)) }
    public var description: String { masked }
}
