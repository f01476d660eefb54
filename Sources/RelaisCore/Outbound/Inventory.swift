/// The inventory (inventaire) of a client's cases: for each, the debtor, both references, the
/// opening date, the amount assigned, the amount recovered to date, the status and sub-status;
/// and the agency's overall performance. Streamed, so that a large portfolio never sits in
/// memory.
public struct Inventory {
    public enum Format: String, Sendable, CaseIterable { case csv, json }

    public let store: CaseStore
    public let client: ClientConfiguration

    public init(store: CaseStore, client: ClientConfiguration) {
        self.store = store
        self.client = client
    }

    public func write(_ format: Format, to sink: FileSink) throws {
        switch format {
        case .csv: try writeCSV(to: sink)
        case .json: try writeJSON(to: sink)
        }
        try sink.flush()
    }

    private func writeCSV(to sink: FileSink) throws {
        let w = Wording(language: client.language)
        try sink.write(
            CSVText.line([
                w.pick("Notre référence", "Our reference"), w.pick("Votre référence", "Your reference"),
                w.pick("Débiteur", "Debtor"), w.pick("Date d'ouverture", "Opened on"),
                w.pick("Montant assigné", "Amount assigned"), w.pick("Montant recouvré", "Amount recovered"),
                w.pick("Solde", "Balance"), w.pick("Statut", "Status"), w.pick("Sous-statut", "Sub-status"),
            ]))
        try store.forEachCase(clientID: client.id) { c in
            try sink.write(
                CSVText.line([
                    c.ourReference, c.clientReference, c.debtor, c.openedOn, c.assigned.plain,
                    c.recovered.plain, c.balance.plain,
                    StatusCatalog.label(status: c.status, in: client.language),
                    StatusCatalog.label(subStatus: c.subStatus, of: c.status, in: client.language),
                ]))
        }
        let p = try store.performance(clientID: client.id)
        try sink.write(
            CSVText.line([
                w.pick("TOTAL", "TOTAL"), w.pick("Dossiers : ", "Cases: ") + String(p.cases), "", "",
                p.assigned.plain, p.recovered.plain, "", w.pick("Performance", "Performance"),
                Self.percent(p.ratio),
            ]))
    }

    private func writeJSON(to sink: FileSink) throws {
        let p = try store.performance(clientID: client.id)
        try sink.write(
            "{\"client\":\(JSONText.string(client.id)),\"clientName\":\(JSONText.string(client.name)),")
        try sink.write("\"performance\":{\"cases\":\(p.cases),\"assignedCents\":\(p.assigned.cents),")
        try sink.write(
            "\"recoveredCents\":\(p.recovered.cents),\"ratio\":\(JSONText.ratio(p.ratio))},\"cases\":[")
        var first = true
        try store.forEachCase(clientID: client.id) { c in
            try sink.write(
                (first ? "\n" : ",\n")
                    + JSONText.object([
                        ("ourRef", JSONText.string(c.ourReference)),
                        ("clientRef", JSONText.string(c.clientReference)),
                        ("debtor", JSONText.string(c.debtor)), ("kind", JSONText.string(c.kind.rawValue)),
                        ("openedOn", JSONText.string(c.openedOn)),
                        ("assignedCents", String(c.assigned.cents)),
                        ("recoveredCents", String(c.recovered.cents)), ("balanceCents", String(c.balance.cents)),
                        ("status", JSONText.string(c.status)), ("subStatus", JSONText.string(c.subStatus)),
                        (
                            "statusLabel",
                            JSONText.string(StatusCatalog.label(status: c.status, in: client.language))
                        ),
                        (
                            "subStatusLabel",
                            JSONText.string(
                                StatusCatalog.label(subStatus: c.subStatus, of: c.status, in: client.language)
                            )
                        ),
                    ]))
            first = false
        }
        try sink.write("\n]}\n")
    }

    static func percent(_ ratio: Double) -> String {
        let tenths = Int((ratio * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10) %"
    }
}

/// JSON text written by hand, so that output streams and its key order is stable.
public enum JSONText {
    public static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    public static func optional(_ s: String?) -> String { s.map(string) ?? "null" }

    /// Members already rendered as JSON values, in order.
    public static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { "\(string($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    public static func array(_ values: [String]) -> String { "[" + values.joined(separator: ",") + "]" }

    /// A ratio to four decimals, never in exponent form.
    static func ratio(_ r: Double) -> String {
        let scaled = Int64((r * 10_000).rounded())
        let whole = scaled / 10_000
        let fraction = String(scaled % 10_000)
        return "\(whole).\(String(repeating: "0", count: 4 - fraction.count))\(fraction)"
    }
}
