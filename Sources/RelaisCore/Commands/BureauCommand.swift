/// `relais bureau`: writes a month's credit-bureau file, or checks a Metro 2 file.
enum BureauCommand {
    static let command = Command(
        name: "bureau", summary: "write a month's credit-bureau file, or check a Metro 2 file",
        usage: """
            Usage: relais bureau --config FILE --bureau equifax|acces --month YYYY-MM
                                 [--out FILE] [--dry-run] [--rewrite]
                   relais bureau check FILE [--previous FILE]

            The first form writes the month's file for the bureau (Metro 2 for Equifax Canada,
            CSV for Accès Crédit) into the bureau's outbox, or to --out, with an exclusions
            report beside it, and records what was reported per case so that the next month
            follows from it. Months go in order; a month already written is written again only
            with --rewrite. --dry-run writes and records nothing and prints what would be done.
            Prints a summary line, then one line per case left out.

            The second form reads any Metro 2 character file and prints each finding with its
            record number, segment and field: layout, trailer totals, and the collection rules.
            With --previous, also compares the accounts with the month before (a changed date
            of first delinquency, an account reported again after 62 or DA).
            Exits 0 when nothing was found, 1 otherwise.
            """,
        run: run)

    static func run(_ words: [String]) throws -> Int32 {
        if words.first == "check" { return try check(Array(words.dropFirst())) }
        let arguments = try Arguments(
            words, valued: ["config", "bureau", "month", "out"],
            flagNames: ["dry-run", "rewrite"])
        guard arguments.operands.isEmpty else {
            throw UsageError(
                "unexpected \"\(arguments.operands[0])\" (did you mean relais bureau check FILE?)")
        }
        let bureauName = try arguments.required("bureau")
        guard let bureau = Bureau(rawValue: bureauName) else {
            throw UsageError("--bureau must be equifax or acces, not \"\(bureauName)\"")
        }
        let monthText = try arguments.required("month")
        guard let month = ReportMonth(monthText) else {
            throw UsageError("--month must be YYYY-MM, not \"\(monthText)\"")
        }
        // A month is reported once it is over, dry run or not.
        guard month < ReportMonth(CalendarDate.today()) else {
            throw UsageError("--month \(month) is not over yet; the latest month that can be written is "
                + "\(ReportMonth(CalendarDate.today()).previous)")
        }
        let configuration = try RelaisCommandLine.configuration(arguments)
        let store = try RelaisCommandLine.openStore(configuration)
        defer { try? store.close() }
        let reporter: BureauReporter
        do {
            reporter = try BureauReporter(store: store, configuration: configuration, bureau: bureau)
        } catch let error as BureauError {
            throw UsageError(error.message)
        }
        let today = CalendarDate.today()
        let run = try reporter.run(
            month: month, today: today, created: BureauSchedule.now(today),
            output: arguments["out"], dryRun: arguments.has("dry-run"), rewrite: arguments.has("rewrite"))
        RelaisCommandLine.printOut((arguments.has("dry-run") ? "dry run: " : "") + run.summary)
        for e in run.exclusions {
            RelaisCommandLine.printOut(
                "excluded \(e.ourReference) (\(e.clientID) \(e.clientReference)): \(e.field): \(e.reason)")
        }
        return 0
    }

    static func check(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, valued: ["previous"])
        guard arguments.operands.count == 1 else { throw UsageError("check takes one FILE") }
        let checker = try Metro2Checker.check(path: arguments.operands[0])
        var findings = checker.findings
        if let previous = arguments["previous"] {
            findings += checker.compare(previous: try Metro2Checker.check(path: previous))
        }
        for finding in findings { RelaisCommandLine.printOut(finding.description) }
        RelaisCommandLine.printOut(
            "\(arguments.operands[0]): \(checker.accounts.count) accounts, "
                + "\(findings.count) finding\(findings.count == 1 ? "" : "s")"
        )
        return findings.isEmpty ? 0 : 1
    }
}
