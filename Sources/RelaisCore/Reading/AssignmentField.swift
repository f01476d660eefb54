/// Every field an assignment can carry, by the name a client profile uses for it.
public enum AssignmentField: String, Sendable, CaseIterable, Hashable {
    case clientReference, kind
    case debtorName, firstName, lastName, companyName
    case amount, principal, interest, fees
    case addressLine1, addressLine2, city, province, postalCode, country
    case phoneHome, phoneWork, phoneMobile, email, language, birthDate, sin
    case coDebtorName, coDebtorBirthDate, coDebtorSIN, coDebtorAddressLine1, coDebtorCity
    case coDebtorProvince, coDebtorPostalCode, coDebtorPhone
    case originalCreditor, creditorClassification
    case chargeOffDate, firstDelinquencyDate, lastPaymentDate
    case note
    /// For client updates: what the row changes, our reference for the case, when, and why.
    case updateKind, ourReference, transactionDate, reason

    /// The column heading used in reject reports: the agency's own words, in French.
    public var label: String {
        HeaderDictionary.preferredHeading[self] ?? rawValue
    }

    /// The case's number, 0 to `allCases.count - 1`: the first byte of a case without a payload.
    var ordinal: Int { Int(withUnsafeBytes(of: self) { $0[0] }) }

    /// Hashed by its case, not by its name: `RawRepresentable`'s default would hash the raw
    /// string, and every row looks fields up many times. The first byte of a case without a
    /// payload is its case number.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(ordinal)
    }

    var isAmount: Bool { [.amount, .principal, .interest, .fees].contains(self) }
    var isDate: Bool {
        [
            .birthDate, .coDebtorBirthDate, .chargeOffDate, .firstDelinquencyDate, .lastPaymentDate,
            .transactionDate,
        ]
        .contains(self)
    }
}

/// The raw texts of one row's fields, by field: what every reader hands to the
/// `AssignmentBuilder`. An empty text is no value.
public struct FieldValues: Sendable {
    private var texts: [String?] = Array(repeating: nil, count: AssignmentField.allCases.count)

    public init() {}

    public init(_ dictionary: [AssignmentField: String]) {
        for (field, text) in dictionary { self[field] = text }
    }

    public subscript(field: AssignmentField) -> String? {
        get { texts[field.ordinal] }
        set { texts[field.ordinal] = newValue?.isEmpty == true ? nil : newValue }
    }

    /// The longest text a field may hold: a note or an address may run long, nothing else does.
    static func limit(of field: AssignmentField) -> Int {
        switch field {
        case .note, .reason: return 4_000
        default: return 1_000
        }
    }

    /// The first field whose text no field should hold: longer than its limit, or with control
    /// characters (a terminal escape, a NUL, a bell). Line breaks and tabs are allowed only in
    /// addresses and notes, where a quoted field may carry them.
    func firstUnfit() -> (field: AssignmentField, reason: String)? {
        for (index, text) in texts.enumerated() {
            guard let text else { continue }
            let field = AssignmentField.allCases[index]
            if text.utf8.count > Self.limit(of: field) {
                return (field, "the field is longer than \(Self.limit(of: field)) bytes")
            }
            let multiline = [.note, .reason, .addressLine1, .addressLine2, .coDebtorAddressLine1].contains(
                field)
            let unfit = text.unicodeScalars.contains { scalar in
                let v = scalar.value
                if v == 0x09 || v == 0x0A || v == 0x0D { return !multiline }
                return v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v)
            }
            if unfit { return (field, "the field holds control characters") }
        }
        return nil
    }
}

/// The built-in dictionary of column names, French and English, that creditors' files use.
/// Names are compared folded: case, accents and punctuation do not matter, and `N°`, `No.`,
/// `#`, `Numéro` and `Number` all read as `no`.
public enum HeaderDictionary {
    static let names: [AssignmentField: [String]] = [
        .clientReference: [
            "No de compte", "Numéro de compte", "No compte", "Compte", "No de dossier", "No dossier",
            "Numéro de dossier", "Votre référence", "Votre no de dossier", "No de référence", "Référence",
            "Référence client", "No client", "Numéro client", "Account Number", "Account No", "Account",
            "Account ID", "Acct No", "Acct", "Reference", "Client Reference", "Client Ref", "Ref",
            "File Number", "File No", "Customer Number", "Customer No", "Customer ID", "Invoice Number",
            "No de facture",
        ],
        .kind: [
            "Type", "Type de dossier", "Catégorie", "Type de débiteur", "Kind", "Account Type", "Debtor Type",
        ],
        .debtorName: [
            "Nom du débiteur", "Débiteur", "Nom", "Nom complet", "Nom du client", "Client", "Debtor Name",
            "Debtor", "Name", "Full Name", "Customer Name", "Customer", "Nom du débiteur principal",
        ],
        .firstName: ["Prénom", "Prénom du débiteur", "First Name", "Given Name", "Firstname"],
        .lastName: [
            "Nom de famille", "Nom du débiteur famille", "Last Name", "Surname", "Family Name", "Lastname",
        ],
        .companyName: [
            "Entreprise", "Raison sociale", "Nom de l'entreprise", "Compagnie", "Société", "Company",
            "Company Name", "Business Name", "Business", "Legal Name",
        ],
        .amount: [
            "Solde", "Solde dû", "Montant", "Montant dû", "Montant assigné", "Montant à recouvrer",
            "Solde à recouvrer", "Total dû", "Balance", "Balance Due", "Amount", "Amount Due",
            "Amount Owed", "Amount Assigned", "Total Due", "Outstanding", "Outstanding Balance",
        ],
        .principal: ["Capital", "Principal", "Montant principal", "Principal Amount"],
        .interest: ["Intérêts", "Intérêt", "Interest", "Interest Amount"],
        .fees: ["Frais", "Fees", "Charges", "Frais de recouvrement"],
        .addressLine1: [
            "Adresse", "Adresse 1", "Adresse civique", "Rue", "Address", "Address 1", "Address Line 1",
            "Street",
        ],
        .addressLine2: [
            "Adresse 2", "App", "Appartement", "Bureau", "Address 2", "Address Line 2", "Suite", "Apt",
        ],
        .city: ["Ville", "Municipalité", "City", "Town"],
        .province: ["Province", "Prov", "State", "Province State"],
        .postalCode: ["Code postal", "CP", "Postal Code", "Postal", "Zip", "Zip Code", "Postcode"],
        .country: ["Pays", "Country"],
        .phoneHome: [
            "Téléphone", "Tél", "Tel", "Téléphone résidence", "Tél résidence", "Phone", "Telephone",
            "Home Phone", "Phone Number",
        ],
        .phoneWork: [
            "Téléphone travail", "Tél travail", "Tél bureau", "Work Phone", "Business Phone", "Office Phone",
        ],
        .phoneMobile: ["Cellulaire", "Cell", "Mobile", "Téléphone cellulaire", "Cell Phone", "Mobile Phone"],
        .email: ["Courriel", "Adresse courriel", "Email", "E-mail", "Email Address", "Mail"],
        .language: ["Langue", "Langue de correspondance", "Language", "Lang"],
        .birthDate: ["Date de naissance", "Naissance", "Date of Birth", "Birth Date", "DOB", "Birthdate"],
        .sin: [
            "NAS", "No d'assurance sociale", "Numéro d'assurance sociale", "SIN", "Social Insurance Number",
        ],
        .coDebtorName: [
            "Codébiteur", "Co-débiteur", "Nom du codébiteur", "Co-debtor", "Co-debtor Name", "Co-signer",
            "Cosigner",
        ],
        .coDebtorBirthDate: ["Date de naissance du codébiteur", "Co-debtor Date of Birth", "Co-debtor DOB"],
        .coDebtorSIN: ["NAS du codébiteur", "Co-debtor SIN"],
        .coDebtorAddressLine1: ["Adresse du codébiteur", "Co-debtor Address"],
        .coDebtorCity: ["Ville du codébiteur", "Co-debtor City"],
        .coDebtorProvince: ["Province du codébiteur", "Co-debtor Province"],
        .coDebtorPostalCode: ["Code postal du codébiteur", "Co-debtor Postal Code"],
        .coDebtorPhone: ["Téléphone du codébiteur", "Co-debtor Phone"],
        .originalCreditor: [
            "Créancier d'origine", "Créancier original", "Créancier", "Original Creditor", "Creditor",
        ],
        .creditorClassification: ["Classification du créancier", "Creditor Classification"],
        .chargeOffDate: [
            "Date de radiation", "Date de perte", "Charge-off Date", "Chargeoff Date", "Write-off Date",
        ],
        .firstDelinquencyDate: [
            "Date du premier défaut", "Date de premier défaut", "Premier défaut", "Date du premier retard",
            "Date of First Delinquency", "First Delinquency Date", "DOFD", "First Delinquency",
        ],
        .lastPaymentDate: [
            "Date du dernier paiement", "Dernier paiement", "Last Payment Date", "Date of Last Payment",
            "Last Payment",
        ],
        .note: [
            "Note", "Notes", "Commentaire", "Commentaires", "Remarque", "Remarques", "Comment", "Comments",
            "Memo",
        ],
        .updateKind: [
            "Type de mise à jour", "Mise à jour", "Action", "Type d'action", "Type de transaction",
            "Transaction",
            "Type de mouvement", "Update Type", "Update", "Transaction Type", "Change Type",
        ],
        .ourReference: [
            "Notre référence", "Notre no de dossier", "Notre dossier", "No de dossier agence",
            "Référence agence",
            "Our Reference", "Our Ref", "Agency Reference", "Agency File Number",
        ],
        .transactionDate: [
            "Date de la transaction", "Date de transaction", "Date du paiement", "Date de paiement",
            "Date du rappel",
            "Date effective", "Date de l'ajustement", "Transaction Date", "Payment Date", "Effective Date",
        ],
        .reason: ["Raison", "Motif", "Raison du rappel", "Motif du rappel", "Reason", "Recall Reason"],
    ]

    static let preferredHeading: [AssignmentField: String] = names.mapValues { $0[0] }

    static let lookup: [String: AssignmentField] = {
        var table: [String: AssignmentField] = [:]
        for (field, list) in names {
            for name in list { table[fold(name)] = field }
            table[fold(field.rawValue)] = field
        }
        return table
    }()

    /// The folded form of a column name: `N° de compte` → `no de compte`.
    static func fold(_ name: String) -> String {
        let words = name.foldedForComparison.split(separator: " ").map { word -> String in
            switch word {
            case "numero", "num", "number", "nbr", "n", "nro": return "no"
            default: return String(word)
            }
        }
        return words.joined(separator: " ")
    }

    /// The field a column name stands for, if the dictionary knows it.
    public static func field(forHeading heading: String) -> AssignmentField? {
        lookup[fold(heading)]
    }

    /// A few of the names the dictionary accepts for a field, for a reason text.
    static func examples(_ field: AssignmentField) -> String {
        (names[field] ?? [field.rawValue]).prefix(4).joined(separator: ", ")
    }
}
