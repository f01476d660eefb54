import Foundation
import Glibc

/// `relais review`: the queue of faxed-list rows a person must look at before they become cases.
enum ReviewCommand {
    static let command = Command(
        name: "review", summary: "list, show, accept, correct or discard rows held for review",
        usage: """
            Usage: relais review list [--client ID] [--all]
                   relais review show ID
                   relais review accept ID [--by NAME]
                   relais review correct ID FIELD=VALUE... [--by NAME]
                   relais review discard ID --reason TEXT [--by NAME]
            (each with --config FILE)

            Rows of a faxed list that OCR could not read with certainty, and every row of a list
            whose printed total, count or pages did not reconcile, wait here instead of becoming
            cases. list prints the open items (--all: every item); show prints one item: the
            row as OCR read it, each field as read and as proposed, why it is held, and what was
            done with it. accept opens the case from the fields as proposed; correct opens it
            with the given fields changed (FIELD is a field name such as amount, debtorName,
            clientReference, or a column heading); discard closes the item without a case.
            Each action is recorded with who did it (--by, else $USER) and when; the case's
            history says it came from review. When nothing of a list is left open, its
            acknowledgement is written.
            """,
        run: run)

    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(
            words, valued: ["config", "client", "by", "reason"], flagNames: ["all"])
        guard let action = arguments.operands.first else {
            throw UsageError("say what to do: list, show, accept, correct or discard")
        }
        let configuration = try RelaisCommandLine.configuration(arguments)
        let store = try RelaisCommandLine.openStore(configuration)
        defer { try? store.close() }
        let person = arguments["by"] ?? getenv("USER").map { String(cString: $0) } ?? "operator"
        let rest = Array(arguments.operands.dropFirst())

        switch action {
        case "list":
            guard rest.isEmpty else { throw UsageError("list takes no operand") }
            let items = try store.reviewItems(
                openOnly: !arguments.has("all"),
                clientID: try arguments["client"].map { try RelaisCommandLine.client(configuration, $0).id })
            for item in items { RelaisCommandLine.printOut(line(item)) }
            if items.isEmpty { RelaisCommandLine.printOut("nothing to review") }
        case "show":
            let item = try self.item(rest, store: store)
            RelaisCommandLine.printOut(try details(item, store: store))
        case "accept", "correct":
            let item = try self.item(
                Array(rest.prefix(1)), store: store, extra: action == "correct")
            var corrections: [AssignmentField: String] = [:]
            for word in rest.dropFirst() {
                guard action == "correct", let equals = word.firstIndex(of: "=") else {
                    throw UsageError(
                        "\(action) takes \(action == "correct" ? "FIELD=VALUE pairs" : "only the ID")"
                    )
                }
                let name = String(word[..<equals])
                guard
                    let field = AssignmentField(rawValue: name)
                        ?? HeaderDictionary.field(forHeading: name)
                else {
                    throw UsageError(
                        "\"\(name)\" is not a field (for example clientReference, debtorName, amount)"
                    )
                }
                corrections[field] = String(word[word.index(after: equals)...])
            }
            if action == "correct" && corrections.isEmpty {
                throw UsageError("correct needs at least one FIELD=VALUE")
            }
            let client = try RelaisCommandLine.client(configuration, item.clientID)
            var builder = AssignmentBuilder(
                today: CalendarDate.today(), amountStyle: .auto,
                defaultKind: client.profile.defaultKind)
            if let order = client.profile.dateOrder {
                for field in AssignmentField.allCases where field.isDate {
                    builder.dateOrders[field] = order
                }
            }
            let (reference, complete) = try resolving {
                try store.resolveReview(
                    id: item.id, corrections: corrections, builder: builder, by: person,
                    openedOn: CalendarDate.today())
            }
            RelaisCommandLine.printOut("review item \(item.id): case \(reference) opened")
            if complete {
                try acknowledge(item, configuration: configuration, store: store, client: client)
            }
        case "discard":
            let item = try self.item(rest, store: store)
            let reason = try arguments.required("reason")
            guard !reason.trimmedField.isEmpty else { throw UsageError("--reason must say why") }
            let complete = try resolving {
                try store.discardReview(id: item.id, reason: reason, by: person)
            }
            RelaisCommandLine.printOut("review item \(item.id): discarded")
            if complete {
                let client = try RelaisCommandLine.client(configuration, item.clientID)
                try acknowledge(item, configuration: configuration, store: store, client: client)
            }
        default:
            throw UsageError(
                "\"\(action)\" is not a review action (list, show, accept, correct, discard)")
        }
        return 0
    }

    /// A refused action is the user's to fix: exit 2 with the reason.
    private static func resolving<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as ReviewError { throw UsageError(error.message) }
    }

    private static func item(_ operands: [String], store: CaseStore, extra: Bool = false) throws
        -> ReviewItem
    {
        guard operands.count == 1 || (extra && !operands.isEmpty), let id = Int64(operands[0])
        else {
            throw UsageError("give one review item ID (a number; see relais review list)")
        }
        guard let item = try store.reviewItem(id: id) else {
            throw UsageError("no review item \(id)")
        }
        return item
    }

    /// Once nothing of the list is in review: its acknowledgement, through the intake's path.
    private static func acknowledge(
        _ item: ReviewItem, configuration: Configuration, store: CaseStore,
        client: ClientConfiguration
    ) throws {
        let intake = Intake(configuration: configuration, store: store, log: Log(level: .warning))
        guard let file = try store.ledgerEntry(id: item.fileID),
            let target = try store.ledgerEntry(id: try store.acknowledgedFile(of: file))
        else { return }
        try intake.finish(target, client: client, disposal: .copy)
        if let path = try store.connection.rows(
            "SELECT path FROM documents WHERE file_id = ? AND kind = 'acknowledgement'",
            [.integer(target.id)]
        ).first?[0].text {
            RelaisCommandLine.printOut(
                "nothing of \(Intake.fileNumber(target.id)) is left in review; "
                    + "acknowledgement written: \(path)")
        } else {
            RelaisCommandLine.printOut(
                "nothing of \(Intake.fileNumber(target.id)) is left in review")
        }
    }

    static func line(_ item: ReviewItem) -> String {
        func value(_ field: AssignmentField) -> String {
            item.fields.first { $0.field == field }?.proposed ?? "?"
        }
        return
            "\(item.id)\t\(item.state.rawValue)\t\(item.clientID)\t"
            + "\(Intake.fileNumber(item.fileID)) row \(item.line)"
            + "\t\(value(.clientReference))\t\(value(.debtorName))\t\(value(.amount))\t\(item.reason)"
    }

    static func details(_ item: ReviewItem, store: CaseStore) throws -> String {
        // A SIN or a date of birth is never printed whole, not even here.
        let hidden: Set<AssignmentField> = [.sin, .coDebtorSIN, .birthDate, .coDebtorBirthDate]
        var raw = item.rawText
        for field in item.fields where hidden.contains(field.field) {
            raw = raw.replacingOccurrences(
                of: field.asRead, with: String(repeating: "*", count: field.asRead.count))
        }
        var text = """
            review item \(item.id) (\(item.state.rawValue))
            client: \(item.clientID)
            file: \(Intake.fileNumber(item.fileID)) \(item.fileName), page \(item.page), row \(item.line)
            as read: \(raw)
            held because: \(item.reason)
            fields:

            """
        for field in item.fields {
            if hidden.contains(field.field) {
                text += "  \(field.field.rawValue): (hidden, \(field.asRead.count) characters)\n"
                continue
            }
            let proposed = field.proposed == field.asRead ? "" : "  (proposed: \(field.proposed))"
            text += "  \(field.field.rawValue): \(field.asRead)\(proposed)\n"
        }
        if let reference = item.caseReference { text += "case: \(reference)\n" }
        text += "history:\n"
        for action in try store.reviewActions(itemID: item.id) {
            text +=
                "  \(action.at) \(action.by) \(action.action)\(action.detail.map { ": \($0)" } ?? "")\n"
        }
        return text
    }
}
