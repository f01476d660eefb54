/// Writes the monthly feed to Accès Crédit, the agency's own bureau: CSV (RFC 4180, UTF-8,
/// CRLF line ends, a header row), one row per reported case, with the same facts as the
/// Metro 2 file and French labels. The layout is documented in the README ("Accès Crédit").
///
/// Unlike Metro 2, names keep their accents and amounts keep their cents: the bureau is ours
/// and reads UTF-8. Dates are `YYYY-MM-DD`, empty when absent; amounts `1234.56`.
final class AccesCreditWriter {
    static let columns = [
        "mois", "notre_reference", "client", "reference_client", "nom", "prenom", "nas", "date_naissance",
        "telephone", "adresse_1", "adresse_2", "ville", "province", "code_postal", "pays",
        "creancier_origine", "classification", "date_ouverture", "montant_assigne", "solde",
        "paiements_du_mois", "date_dernier_paiement", "date_premier_defaut", "date_fermeture",
        "statut_code", "statut", "commentaire_code", "commentaire", "conformite_code", "conformite",
        "codebiteurs", "premiere_declaration",
    ]

    private let sink: FileSink
    private let month: String

    init(sink: FileSink, month: ReportMonth) {
        self.sink = sink
        self.month = month.description
    }

    func writeHeader() throws { try sink.write(CSVText.line(Self.columns)) }

    func write(_ a: BureauAccount) throws {
        let c = a.consumer
        let comment = a.specialComment == "AU" ? "Réglé pour moins que le solde" : ""
        let compliance: String
        switch a.compliance {
        case "XB": compliance = "Contesté par le consommateur"
        case "XH": compliance = "Contestation réglée"
        default: compliance = ""
        }
        let coDebtors = a.associated.map { "\($0.surname), \($0.firstName)" }.joined(separator: " ; ")
        let postal = String(decoding: Metro2Writer.postal(c.postalCode), as: UTF8.self)
        var fields: [String] = [
            month, a.ourReference, a.clientID, a.clientReference, c.surname, c.firstName, c.sin ?? "",
            c.birthDate?.iso ?? "", c.phone ?? "", c.address1 ?? "", c.address2 ?? "", c.city ?? "",
            c.province ?? "", postal, c.country,
        ]
        fields += [
            a.originalCreditor, a.creditorClassification, a.dateOpened.iso, a.highestCredit.plain,
            a.balance.plain,
            a.paymentThisMonth.plain, a.lastPayment?.iso ?? "", a.firstDelinquency.iso,
            a.dateClosed?.iso ?? "",
        ]
        fields += [
            a.status.rawValue, a.status.frenchLabel, a.specialComment, comment, a.compliance, compliance,
            coDebtors, a.firstReport ? "oui" : "non",
        ]
        try sink.write(CSVText.line(fields))
    }
}
