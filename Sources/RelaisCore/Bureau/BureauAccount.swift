/// The status a collection account is reported with.
public enum BureauStatus: String, Sendable {
    /// Assigned to collections, unpaid.
    case collection = "93"
    /// Paid in full (with Special Comment AU when settled for less): reported once.
    case paid = "62"
    /// Delete: recalled, returned, or reported in error: reported once.
    case delete = "DA"

    /// The label Accès Crédit shows.
    public var frenchLabel: String {
        switch self {
        case .collection: return "En recouvrement"
        case .paid: return "Payé"
        case .delete: return "Supprimé"
        }
    }

    var isFinal: Bool { self != .collection }
}

/// A month to report: `YYYY-MM`.
public struct ReportMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init?(_ text: String) {
        // Exactly YYYY-MM: split would pass over a leading dash ("-2026-11").
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 7, parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]),
            let m = Int(parts[1]), (1900...9999).contains(y), (1...12).contains(m)
        else { return nil }
        year = y
        month = m
    }

    public init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// The month a date falls in.
    public init(_ date: CalendarDate) { self.init(year: date.year, month: date.month) }

    public var firstDay: CalendarDate { CalendarDate(year: year, month: month, day: 1)! }
    public var lastDay: CalendarDate {
        CalendarDate(year: year, month: month, day: CalendarDate.daysIn(month: month, year: year))!
    }
    public var previous: ReportMonth {
        month == 1 ? ReportMonth(year: year - 1, month: 12) : ReportMonth(year: year, month: month - 1)
    }
    public var next: ReportMonth {
        month == 12 ? ReportMonth(year: year + 1, month: 1) : ReportMonth(year: year, month: month + 1)
    }
    public var description: String { year.description + "-" + (month < 10 ? "0" : "") + month.description }

    public static func < (a: ReportMonth, b: ReportMonth) -> Bool { (a.year, a.month) < (b.year, b.month) }
}

/// A person as a bureau record names them.
public struct BureauConsumer: Sendable, Equatable {
    public var surname: String
    public var firstName: String
    /// Nine digits, checked; nil when not given.
    public var sin: String?
    public var birthDate: CalendarDate?
    /// Ten digits; nil when none is usable.
    public var phone: String?
    public var address1: String?
    public var address2: String?
    public var city: String?
    public var province: String?
    public var postalCode: String?
    public var country: String

    /// Same street line and postal code, once folded: the J1 / J2 choice.
    func livesWith(_ other: BureauConsumer) -> Bool {
        BureauText.fold(address1 ?? "") == BureauText.fold(other.address1 ?? "")
            && BureauText.fold(postalCode ?? "").filter({ $0 != 0x20 })
                == BureauText.fold(other.postalCode ?? "").filter({ $0 != 0x20 })
    }
}

/// One account as reported for one month: the facts both feeds carry.
public struct BureauAccount: Sendable, Equatable {
    public var caseID: Int64
    public var ourReference: String
    public var clientID: String
    public var clientReference: String
    public var status: BureauStatus
    /// `AU` or empty.
    public var specialComment: String
    /// `XB`, `XH` or empty.
    public var compliance: String
    public var dateOpened: CalendarDate
    public var highestCredit: Money
    public var balance: Money
    public var amountPastDue: Money
    public var paymentThisMonth: Money
    public var accountInformationDate: CalendarDate
    public var firstDelinquency: CalendarDate
    public var dateClosed: CalendarDate?
    public var lastPayment: CalendarDate?
    public var consumer: BureauConsumer
    public var associated: [BureauConsumer]
    public var originalCreditor: String
    public var creditorClassification: String
    /// The first month this account is reported to this bureau.
    public var firstReport: Bool
}

/// A case left out of a month's file, and why: the exclusions report lists each.
public struct BureauExclusion: Sendable, Equatable {
    public var caseID: Int64
    public var ourReference: String
    public var clientID: String
    public var clientReference: String
    /// The Metro 2 field or fact concerned.
    public var field: String
    public var reason: String
}
