/// Fields written as CSV: quoted when they hold the delimiter, a quote or a line break.
enum CSVText {
    static func line(_ fields: [String]) -> String {
        fields.map(quote).joined(separator: ",") + "\r\n"
    }

    /// A field as CSV: quoted when it holds the delimiter, a quote or a line break; and defused
    /// when a spreadsheet would take it for a formula (it starts with `=`, `+`, `-`, `@`, a tab or
    /// a carriage return): a leading `'` makes Excel and LibreOffice show it as text. A plain
    /// negative number (`-45.10`) is left as it is.
    static func quote(_ field: String) -> String {
        var text = field
        if let first = text.utf8.first, [0x3D, 0x2B, 0x40, 0x09, 0x0D, 0x2D].contains(first),
            !(first == 0x2D && text.utf8.dropFirst().allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E })
        {
            text = "'" + text
        }
        guard
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                || text.hasPrefix(" ")
        else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Text for the documents a client reads, in the client's language.
struct Wording {
    let language: Language

    func pick(_ french: String, _ english: String) -> String { language == .french ? french : english }

    /// A refusal's reason in the client's language (English reasons are the originals).
    func reason(_ english: String) -> String {
        language == .french ? FrenchReasons.translate(english) ?? english : english
    }

    /// `4 décembre 2026` / `December 4, 2026`.
    func date(_ date: CalendarDate) -> String {
        let french = [
            "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
            "novembre", "décembre",
        ]
        let english = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September",
            "October", "November", "December",
        ]
        return language == .french
            ? "\(date.day == 1 ? "1er" : String(date.day)) \(french[date.month - 1]) \(date.year)"
            : "\(english[date.month - 1]) \(date.day), \(date.year)"
    }

    /// Pads or cuts text to a column width, counting characters, for fixed-layout text documents.
    static func column(_ text: String, _ width: Int, right: Bool = false) -> String {
        let cut = text.count > width ? String(text.prefix(width - 1)) + "…" : text
        let padding = String(repeating: " ", count: max(0, width - cut.count))
        return right ? padding + cut : cut + padding
    }
}

/// The acknowledgement of receipt (accusé de réception): for each case a file created, the
/// debtor's exact name, the amount assigned, the client's reference and ours.
public struct Acknowledgement {
    public let agency: String
    public let client: ClientConfiguration
    public let file: LedgerEntry
    public let cases: [CaseSummary]
    public let date: CalendarDate

    public init(
        agency: String, client: ClientConfiguration, file: LedgerEntry, cases: [CaseSummary],
        date: CalendarDate
    ) {
        self.agency = agency
        self.client = client
        self.file = file
        self.cases = cases
        self.date = date
    }

    var words: Wording { Wording(language: client.language) }

    public func csv() -> String {
        let w = words
        var text = CSVText.line([
            w.pick("Notre référence", "Our reference"), w.pick("Votre référence", "Your reference"),
            w.pick("Débiteur", "Debtor"), w.pick("Montant assigné", "Amount assigned"),
        ])
        for c in cases {
            text += CSVText.line([c.ourReference, c.clientReference, c.debtor, c.assigned.plain])
        }
        return text
    }

    public func printable() -> String {
        let w = words
        let total = cases.reduce(Money.zero) { $0 + $1.assigned }
        var text = "\(agency)\n\n"
        text += w.pick("ACCUSÉ DE RÉCEPTION", "ACKNOWLEDGEMENT OF RECEIPT") + "\n\n"
        text += w.pick("Client : ", "Client: ") + "\(client.name) (\(client.id))\n"
        text += w.pick("Date : ", "Date: ") + w.date(date) + "\n"
        text += w.pick("Envoi reçu : ", "Received: ") + "\(file.name) (\(channelName(file.channel)))\n\n"
        text +=
            w.pick(
                "Nous accusons réception des dossiers suivants, qui nous ont été confiés pour recouvrement.",
                "We acknowledge receipt of the following accounts, assigned to us for collection.") + "\n\n"
        let header =
            Wording.column(w.pick("Notre réf.", "Our ref."), 11) + " "
            + Wording.column(w.pick("Votre réf.", "Your ref."), 18)
            + " " + Wording.column(w.pick("Débiteur", "Debtor"), 32) + " "
            + Wording.column(w.pick("Montant", "Amount"), 16, right: true)
        text += header + "\n" + String(repeating: "-", count: header.count) + "\n"
        for c in cases {
            text +=
                Wording.column(c.ourReference, 11) + " " + Wording.column(c.clientReference, 18) + " "
                + Wording.column(c.debtor, 32) + " "
                + Wording.column(c.assigned.formatted(client.language), 16, right: true) + "\n"
        }
        text += String(repeating: "-", count: header.count) + "\n"
        text +=
            w.pick("Dossiers : ", "Accounts: ") + "\(cases.count)    "
            + w.pick("Total assigné : ", "Total assigned: ")
            + total.formatted(client.language) + "\n"
        return text
    }

    func channelName(_ channel: Channel) -> String {
        switch channel {
        case .fax: return words.pick("télécopieur", "fax")
        case .mail: return words.pick("courrier", "mail")
        case .email: return words.pick("courriel", "email")
        case .drop: return words.pick("dépôt de fichier", "file drop")
        case .sftp: return "SFTP"
        case .portal: return words.pick("site Internet", "web site")
        }
    }
}

/// The reject report: what of a file did not become cases, line by line, and why; or why the
/// whole file was refused.
public struct RejectReport {
    public struct Row: Sendable {
        public var line: Int
        public var field: String?
        public var reason: String
    }

    /// Hands each row to a function, in order: from the store, so that a file with a million
    /// refused rows is reported without holding them in memory.
    public typealias RowSource = ((Row) throws -> Void) throws -> Void

    public let agency: String
    public let client: ClientConfiguration
    public let file: LedgerEntry
    public let rows: RowSource
    public let date: CalendarDate

    public init(
        agency: String, client: ClientConfiguration, file: LedgerEntry, rows: @escaping RowSource,
        date: CalendarDate
    ) {
        self.agency = agency
        self.client = client
        self.file = file
        self.rows = rows
        self.date = date
    }

    var words: Wording { Wording(language: client.language) }

    /// The report as CSV, written to a sink as it goes.
    public func writeCSV(to sink: FileSink) throws {
        let w = words
        try sink.write(
            CSVText.line([
                w.pick("Fichier", "File"), w.pick("Ligne", "Line"), w.pick("Champ", "Field"),
                w.pick("Raison", "Reason"),
            ]))
        if file.outcome != .ingested {
            try sink.write(CSVText.line([file.name, "", "", w.reason(file.reason ?? "")]))
        }
        try rows { row in
            try sink.write(
                CSVText.line([file.name, String(row.line), row.field ?? "", w.reason(row.reason)]))
        }
    }

    /// The report as a printable text document, written to a sink as it goes.
    public func writePrintable(to sink: FileSink) throws {
        let w = words
        var text = "\(agency)\n\n" + w.pick("RAPPORT DE REJETS", "REJECT REPORT") + "\n\n"
        text += w.pick("Client : ", "Client: ") + "\(client.name) (\(client.id))\n"
        text += w.pick("Date : ", "Date: ") + w.date(date) + "\n"
        text += w.pick("Fichier : ", "File: ") + file.name + "\n\n"
        switch file.outcome {
        case .refused:
            text +=
                w.pick(
                    "Le fichier entier a été refusé ; aucun dossier n'a été ouvert.",
                    "The whole file was refused; no case was opened.") + "\n"
            text += w.pick("Raison : ", "Reason: ") + w.reason(file.reason ?? "") + "\n"
        case .duplicateFile:
            text +=
                w.pick(
                    "Ce fichier a déjà été reçu ; aucun dossier n'a été ouvert.",
                    "This file was received before; no case was opened.") + "\n"
            text += w.pick("Raison : ", "Reason: ") + w.reason(file.reason ?? "") + "\n"
        case .ingested:
            text += w.pick("Dossiers ouverts : ", "Cases opened: ") + "\(file.accepted)\n"
            text += w.pick("Doublons : ", "Duplicates: ") + "\(file.duplicates)\n"
            text += w.pick("Lignes rejetées : ", "Rows rejected: ") + "\(file.rejected)\n\n"
        }
        try sink.write(text)
        guard file.outcome == .ingested else { return }
        let separator = w.pick(" : ", ": ")
        try rows { row in
            let field = row.field.map { " [\($0)]" } ?? ""
            try sink.write(
                w.pick("Ligne ", "Line ") + "\(row.line)\(field)\(separator)\(w.reason(row.reason))\n")
        }
    }
}
