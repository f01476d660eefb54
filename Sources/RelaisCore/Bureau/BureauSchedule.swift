import Foundation

/// The monthly schedule of the bureau feed: on each configured bureau's day of the month, the
/// previous month is written into its outbox, once. The daemon asks at startup and on each
/// rescan; a month already written is left alone, so asking often costs one query.
///
/// Only the previous month is ever written by the schedule. A month missed entirely (the daemon
/// was down from its day until the next month's day) is not caught up: once a later month is
/// written the missed one is refused, since months go in order; each account's state carries
/// forward, so the later file is still right. Write a missed month by hand with `relais bureau`
/// before the schedule writes the next one.
public struct BureauSchedule {
    let configuration: Configuration
    let log: Log
    /// Called while a month is written, to keep a watchdog fed.
    public var progress: (() -> Void)?

    public init(configuration: Configuration, log: Log) {
        self.configuration = configuration
        self.log = log
    }

    /// Writes every bureau file that is due on `today`; returns what was written. A bureau that
    /// fails is logged and the others still run.
    @discardableResult
    public func runDue(store: CaseStore, today: CalendarDate) -> [BureauRun] {
        guard let bureaus = configuration.bureaus else { return [] }
        var runs: [BureauRun] = []
        for bureau in Bureau.allCases {
            guard let feed = bureaus.feeds[bureau], today.day >= feed.dayOfMonth else { continue }
            let month = ReportMonth(today).previous
            do {
                let reporter = try BureauReporter(store: store, configuration: configuration, bureau: bureau)
                reporter.log = log
                reporter.progress = progress
                let written = try reporter.writtenMonths()
                if let latest = written.last.flatMap(ReportMonth.init), latest >= month { continue }
                runs.append(try reporter.run(month: month, today: today, created: Self.now(today)))
            } catch {
                log.error(
                    "bureau file not written",
                    [
                        "bureau": bureau.rawValue, "month": month.description,
                        "error": "\(error)",
                    ])
            }
        }
        return runs
    }

    /// The moment of creation: today's date and the current local time.
    static func now(_ today: CalendarDate) -> Metro2Writer.Moment {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/Toronto") ?? .current
        let parts = calendar.dateComponents([.hour, .minute, .second], from: Date())
        return Metro2Writer.Moment(
            date: today, hour: parts.hour ?? 0, minute: parts.minute ?? 0,
            second: parts.second ?? 0)
    }
}
