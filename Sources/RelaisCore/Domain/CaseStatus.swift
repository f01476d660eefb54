/// A case's status (statut) and sub-status (sous-statut), with stable codes and the labels a
/// client reads. The inventory always shows both.
public struct CaseStatus: Sendable, Hashable {
    public let status: String
    public let subStatus: String

    public init(status: String, subStatus: String) {
        self.status = status
        self.subStatus = subStatus
    }

    /// Where every case starts: Nouveau / Reçu.
    public static let received = CaseStatus(status: "new", subStatus: "received")

    public var isClosed: Bool { status == StatusCatalog.closed }
}

/// The catalog of statuses and sub-statuses, in the agency's words.
public enum StatusCatalog {
    public struct Entry: Sendable {
        public let code: String
        public let french: String
        public let english: String
        public let subStatuses: [(code: String, french: String, english: String)]
    }

    public static let closed = "closed"

    public static let entries: [Entry] = [
        Entry(
            code: "new", french: "Nouveau", english: "New",
            subStatuses: [
                ("received", "Reçu", "Received"),
                ("validating", "En validation", "Being checked"),
            ]),
        Entry(
            code: "active", french: "Actif", english: "Active",
            subStatuses: [
                ("tracing", "Recherche", "Tracing the debtor"),
                ("contact", "Contact établi", "Contact made"),
                ("payment-plan", "Entente de paiement", "Payment plan"),
                ("promise", "Promesse de paiement", "Promise to pay"),
                ("direct-payment", "Paiement direct au client", "Paid directly to the client"),
            ]),
        Entry(
            code: "on-hold", french: "En suspens", english: "On hold",
            subStatuses: [
                ("dispute", "Contestation", "Dispute"),
                ("waiting-client", "Attente du client", "Waiting for the client"),
                ("insolvency", "Faillite / proposition", "Bankruptcy or consumer proposal"),
            ]),
        Entry(
            code: "legal", french: "Légal", english: "Legal",
            subStatuses: [
                ("authorized", "Procédure autorisée", "Legal action authorized"),
                ("judgment", "Jugement obtenu", "Judgment obtained"),
                ("garnishment", "Saisie", "Garnishment"),
            ]),
        Entry(
            code: closed, french: "Fermé", english: "Closed",
            subStatuses: [
                ("paid-in-full", "Payé en totalité", "Paid in full"),
                ("settled", "Règlement", "Settled for less"),
                ("recalled", "Retiré par le client", "Recalled by the client"),
                ("returned", "Retourné au client", "Returned to the client"),
                ("uncollectible", "Irrécouvrable", "Uncollectible"),
                ("deceased", "Décédé", "Deceased"),
                ("time-barred", "Prescrit", "Time-barred"),
                ("discharged", "Faillite libérée", "Bankruptcy discharged"),
            ]),
    ]

    /// The label of a status code in a language; the code itself when it is not in the catalog.
    public static func label(status: String, in language: Language) -> String {
        guard let entry = entries.first(where: { $0.code == status }) else { return status }
        return language == .french ? entry.french : entry.english
    }

    /// The label of a sub-status code in a language; the code itself when unknown.
    public static func label(subStatus: String, of status: String, in language: Language) -> String {
        guard let entry = entries.first(where: { $0.code == status }),
            let sub = entry.subStatuses.first(where: { $0.code == subStatus })
        else { return subStatus }
        return language == .french ? sub.french : sub.english
    }
}
