/// What the store knows of one consumer case at the end of a month, read for the feed.
struct BureauCaseFacts {
    var caseID: Int64
    var ourReference: String
    var clientID: String
    var clientReference: String
    var clientName: String
    var openedOn: CalendarDate?
    var assigned: Money
    var balance: Money
    var status: String
    var subStatus: String
    var closedOn: CalendarDate?
    var originalCreditor: String?
    var classification: String?
    var firstDelinquency: CalendarDate?
    /// The client's last payment date, from the assignment.
    var clientLastPayment: CalendarDate?
    /// The latest payment recorded by the agency (to it or to the creditor) up to month end.
    var lastPayment: CalendarDate?
    var paymentThisMonth: Money
    var consumer: BureauConsumer
    /// Raw SIN texts as stored, checked by the validation (a bad one excludes the case).
    var rawSIN: String?
    var associated: [(consumer: BureauConsumer, rawSIN: String?)]
    /// A dispute open at month end.
    var disputeOpen: Bool
    /// The agency asked the bureaus to delete this account (reported in error), on this date.
    var deletionRequested: CalendarDate?
    var prior: PriorReport?
}

/// What was last reported to this bureau for a case.
struct PriorReport {
    var month: String
    var status: String
    var compliance: String
    var firstDelinquency: CalendarDate
}

/// The outcome of the rules for one case and month.
enum BureauDecision {
    case report(BureauAccount)
    case exclude(field: String, reason: String)
    /// Not reported this month, and rightly so: nothing to list.
    case skip(BureauSkip)
}

/// Why a case is rightly absent from a month's file; the summary counts each.
public enum BureauSkip: String, Sendable, CaseIterable {
    /// 62 or DA was reported: nothing more is ever sent.
    case finished
    /// The waiting period from assignment has not run out.
    case waiting
    /// A dispute is open and the account was never reported: it waits for the resolution.
    case disputedBeforeFirstReport
    /// Paid, recalled or deleted before it was ever reported: there is nothing to report.
    case neverReported
    /// Closed (or a deletion asked) after the month's end: reported with next month.
    case changedAfterMonthEnd
}

/// The month-by-month reporting rules, as one pure function of the facts and the prior report.
///
/// - 93 while the case is open with a balance; 62 once when closed paid-in-full (with AU when
///   settled for less); DA once when closed any other way (recalled, returned, uncollectible,
///   deceased, time-barred, discharged) or when a deletion was asked. Closures other than
///   payment are reported as deletions because the public rules say nothing about them and
///   a deletion is the report that cannot harm the consumer.
/// - Nothing after 62 or DA; 62 or DA only for an account that was reported before.
/// - First report only after the waiting period, never during an open dispute, and only for
///   a well-identified debtor (checked by `BureauValidator`).
/// - The date of first delinquency is the one first reported, whatever the client sends later.
/// - XB while a dispute is open, XH in the month after XB when it is resolved, then blank.
enum BureauRules {
    static func decide(_ facts: BureauCaseFacts, month: ReportMonth, waitingDays: Int) -> BureauDecision {
        let end = month.lastDay
        if let prior = facts.prior, prior.status != BureauStatus.collection.rawValue {
            return .skip(.finished)
        }

        let isClosed = facts.status == StatusCatalog.closed
        if isClosed, facts.closedOn.map({ $0 > end }) ?? false { return .skip(.changedAfterMonthEnd) }
        if let asked = facts.deletionRequested, asked > end { return .skip(.changedAfterMonthEnd) }

        var status = BureauStatus.collection
        var comment = ""
        var closedOn: CalendarDate?
        if let asked = facts.deletionRequested {
            status = .delete
            closedOn = isClosed ? min(facts.closedOn ?? asked, asked) : asked
        } else if isClosed {
            closedOn = facts.closedOn
            switch facts.subStatus {
            case "paid-in-full": status = .paid
            case "settled":
                status = .paid
                comment = "AU"
            default: status = .delete
            }
        }

        if facts.prior == nil {
            if status != .collection { return .skip(.neverReported) }
            guard let opened = facts.openedOn else {
                return .exclude(field: "Date Opened", reason: "the case has no readable opening date")
            }
            if opened.adding(days: waitingDays) > end { return .skip(.waiting) }
            if facts.disputeOpen { return .skip(.disputedBeforeFirstReport) }
        }

        guard let firstDelinquency = facts.prior?.firstDelinquency ?? facts.firstDelinquency else {
            return .exclude(
                field: "Date of First Delinquency",
                reason:
                    "the client gave no date of first delinquency; a collection is never reported without it")
        }

        var compliance = ""
        if facts.disputeOpen {
            compliance = "XB"
        } else if facts.prior?.compliance == "XB" {
            compliance = "XH"
        }

        let balance = status == .paid ? Money.zero : Money(cents: max(0, facts.balance.cents))
        let lastPayment = [facts.lastPayment, facts.clientLastPayment.flatMap { $0 <= end ? $0 : nil }]
            .compactMap { $0 }.max()
        let account = BureauAccount(
            caseID: facts.caseID, ourReference: facts.ourReference, clientID: facts.clientID,
            clientReference: facts.clientReference, status: status, specialComment: comment,
            compliance: compliance,
            dateOpened: facts.openedOn ?? end, highestCredit: facts.assigned, balance: balance,
            amountPastDue: status == .collection ? balance : .zero, paymentThisMonth: facts.paymentThisMonth,
            accountInformationDate: end, firstDelinquency: firstDelinquency, dateClosed: closedOn,
            lastPayment: lastPayment, consumer: facts.consumer, associated: facts.associated.map(\.consumer),
            originalCreditor: facts.originalCreditor ?? facts.clientName,
            creditorClassification: facts.classification ?? "", firstReport: facts.prior == nil)

        if let problem = BureauValidator.problem(account, facts: facts, month: month) {
            return .exclude(field: problem.field, reason: problem.reason)
        }
        return .report(account)
    }
}

extension CalendarDate {
    /// The date `days` later (or earlier when negative).
    func adding(days: Int) -> CalendarDate {
        var (y, m, d) = (year, month, day + days)
        while d > CalendarDate.daysIn(month: m, year: y) {
            d -= CalendarDate.daysIn(month: m, year: y)
            (y, m) = m == 12 ? (y + 1, 1) : (y, m + 1)
        }
        while d < 1 {
            (y, m) = m == 1 ? (y - 1, 12) : (y, m - 1)
            d += CalendarDate.daysIn(month: m, year: y)
        }
        return CalendarDate(year: y, month: m, day: d)!
    }

    /// The same day `years` earlier; 29 February becomes 28 February.
    func minus(years: Int) -> CalendarDate {
        CalendarDate(
            year: year - years, month: month,
            day: min(day, CalendarDate.daysIn(month: month, year: year - years)))!
    }
}
