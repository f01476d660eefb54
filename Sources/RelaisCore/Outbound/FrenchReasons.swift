import Foundation

/// The reasons of refused rows and files, in French, for the reject reports of French clients.
///
/// Reasons are composed in English where they arise (the log and the operators read English);
/// this table gives the French of each form a client can receive. A reason of a form the table
/// does not know is shown in English, as it was written: the report stays complete, only that
/// line stays untranslated. Every new reason text should get its line here.
enum FrenchReasons {
    /// The French of a reason, or nil when its form is not in the table.
    static func translate(_ english: String) -> String? {
        translated(english).map(polish)
    }

    /// Words of the English composition that would otherwise stand in a French sentence.
    private static func polish(_ french: String) -> String {
        var text = french
        for (word, mot) in [("(comma)", "(virgule)"), ("(semicolon)", "(point-virgule)"), ("(tab)", "(tabulation)"),
            ("(pipe)", "(barre verticale)"), ("le profil du client doit indiquer dateOrder",
            "l'ordre jour/mois doit être précisé dans le profil du client à l'agence")]
        {
            text = text.replacingOccurrences(of: word, with: mot)
        }
        return text
    }

    private static func translated(_ english: String) -> String? {
        if let exact = sentences[english] { return exact }
        // `"value" predicate`: the value is kept as written, the predicate translated.
        if english.hasPrefix("\""), let close = closingQuote(in: english) {
            let value = String(english[...close])
            let rest = english[english.index(after: close)...]
            if let predicate = predicates[String(rest)] { return value + predicate }
            if rest.hasPrefix(": "), let inner = translate(String(rest.dropFirst(2))) {
                return value + " : " + inner
            }
        }
        for (pattern, template) in templates {
            let range = NSRange(english.startIndex..., in: english)
            if let match = pattern.firstMatch(in: english, range: range), match.range == range {
                return pattern.replacementString(for: match, in: english, offset: 0, template: template)
            }
        }
        return nil
    }

    /// The closing quote of a value quoted at the start of a reason (inner quotes are doubled
    /// nowhere in Relais's reasons, so the first quote followed by a space or a colon closes it).
    private static func closingQuote(in text: String) -> String.Index? {
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            if text[index] == "\"" {
                let next = text.index(after: index)
                if next == text.endIndex || text[next] == " " || text[next] == ":" { return index }
            }
            index = text.index(after: index)
        }
        return nil
    }

    static let sentences: [String: String] = [
        "the client reference is missing": "votre référence (le numéro de dossier du client) manque",
        "the amount assigned is missing": "le montant assigné manque",
        "the amount is missing": "le montant manque",
        "the debtor's name is missing": "le nom du débiteur manque",
        "the date is missing": "la date manque",
        "the date of birth is in the future": "la date de naissance est dans l'avenir",
        "the kind of update is missing (the file has a column for it, so every row is an update)":
            "le type de mise à jour manque (le fichier a une colonne pour lui : chaque ligne est une mise à jour)",
        "the SIN is not nine digits": "le NAS n'a pas neuf chiffres",
        "the SIN fails its check digit": "le chiffre de contrôle du NAS est faux",
        "the reference contains a line break": "la référence contient un saut de ligne",
        "the reference is longer than 50 characters": "la référence dépasse 50 caractères",
        "the field holds control characters": "le champ contient des caractères de contrôle",
        "the field is longer than 1000 bytes": "le champ dépasse 1 000 octets",
        "the field is longer than 4000 bytes": "le champ dépasse 4 000 octets",
        "a payment must be more than zero": "un paiement doit être supérieur à zéro",
        "an adjustment of zero changes nothing": "un ajustement de zéro ne change rien",
        "a change of contact details gives no address, telephone or email":
            "le changement de coordonnées ne donne ni adresse, ni téléphone, ni courriel",
        "the row names no case: neither the client reference nor ours is given":
            "la ligne ne désigne aucun dossier : ni votre référence ni la nôtre n'est donnée",
        "malformed quoting: a quote inside an unquoted field, or text after a closing quote":
            "guillemets mal formés : un guillemet dans un champ sans guillemets, ou du texte après un guillemet fermant",
        "a field is too large to hold in memory": "un champ est trop grand",
        "a field is larger than the parser can hold": "un champ est trop grand",
        "the file is empty": "le fichier est vide",
        "the file has a header and no data rows": "le fichier n'a qu'une ligne d'en-tête, sans données",
        "the file has no data rows": "le fichier n'a aucune ligne de données",
        "the file has no records, only blank lines": "le fichier ne contient que des lignes vides",
        "the file is in UTF-16; save it as CSV in UTF-8 or Windows-1252":
            "le fichier est en UTF-16 ; enregistrez-le en CSV UTF-8 ou Windows-1252",
        "the client profile says UTF-8, but the file has bytes that are not valid UTF-8":
            "le profil du client indique UTF-8, mais le fichier contient des octets qui ne sont pas de l'UTF-8",
        "not a regular file (a link, a folder or a device)":
            "ce n'est pas un fichier ordinaire (un lien, un dossier ou un périphérique)",
        "\"C\" is ambiguous: write consumer or commercial":
            "« C » est ambigu : écrivez consommateur ou commercial",
    ]

    /// What follows a quoted value.
    static let predicates: [String: String] = [
        " is not an amount": " n'est pas un montant",
        " is not an amount: its digits are not grouped by thousands":
            " n'est pas un montant : ses chiffres ne sont pas groupés par milliers",
        " is not an amount: unexpected characters after the decimal mark":
            " n'est pas un montant : caractères inattendus après la virgule décimale",
        " is in scientific notation: the exact amount was lost by a spreadsheet":
            " est en notation scientifique : un tableur a perdu le montant exact",
        " is in scientific notation: a spreadsheet lost the reference's digits":
            " est en notation scientifique : un tableur a perdu des chiffres de la référence",
        " has more than two decimals": " a plus de deux décimales",
        " has more than one decimal mark": " a plus d'une marque décimale",
        " has a decimal mark with no digits after it": " a une marque décimale sans chiffres après",
        " is too large to be an amount": " est trop grand pour être un montant",
        " is not a whole number of cents": " n'est pas un nombre entier de cents",
        " is not an amount in the client's French style": " n'est pas un montant à la française",
        " is not an amount in the client's English style": " n'est pas un montant à l'anglaise",
        " is not a positive amount": " n'est pas un montant positif",
        " is negative": " est négatif",
        " is not a date": " n'est pas une date",
        " is not a real calendar day": " n'est pas un jour réel du calendrier",
        " is not a real calendar day read as day/month/year":
            " n'est pas un jour réel lu comme jour/mois/année",
        " is not a real calendar day read as month/day/year":
            " n'est pas un jour réel lu comme mois/jour/année",
        " looks like a spreadsheet serial number, not a date":
            " ressemble à un numéro de série de tableur, pas à une date",
        " has an implausible year": " a une année invraisemblable",
        " is in the future": " est dans l'avenir",
        " is not a 10-digit North American telephone number":
            " n'est pas un numéro de téléphone nord-américain à 10 chiffres",
        " is not a telephone number": " n'est pas un numéro de téléphone",
        " is not a Canadian postal code (A1A 1A1)": " n'est pas un code postal canadien (A1A 1A1)",
        " is not a Canadian province or territory (QC, ON, NB…)":
            " n'est pas une province ou un territoire du Canada (QC, ON, NB…)",
        " is not an email address": " n'est pas une adresse courriel",
        " is not a language (FR or EN)": " n'est pas une langue (FR ou EN)",
        " is not a kind of case (consumer or commercial)":
            " n'est pas un type de dossier (consommateur ou commercial)",
        " is not a two-digit creditor classification":
            " n'est pas une classification de créancier à deux chiffres",
        ": only Canadian addresses are taken": " : seules les adresses canadiennes sont acceptées",
        ": the order of day and month cannot be decided (no date of the column has a day above 12); the client profile must give dateOrder":
            " : l'ordre du jour et du mois ne peut être établi (aucune date de la colonne n'a un jour supérieur à 12) ; le profil du client doit indiquer dateOrder",
    ]

    static let templates: [(NSRegularExpression, String)] = [
        (#"^"(.*)" has an implausible year (-?\d+)$"#, "« $1 » a une année invraisemblable ($2)"),
        (
            #"^duplicate: the client reference "(.*)" is already our open case (AC\d+)$"#,
            "doublon : votre référence « $1 » est déjà notre dossier ouvert $2"
        ),
        (#"^the field mixes day-first dates \(line (\d+)\) and month-first dates \(line (\d+)\); the client profile must give dateOrder$"#,
         "la colonne mêle des dates où le jour vient d'abord (ligne $1) et d'autres où c'est le mois (ligne $2) ; le profil du client doit indiquer dateOrder"),
        (#"^no case has the client reference "(.*)"$"#, "aucun dossier n'a votre référence « $1 »"),
        (
            #"^the case (AC\d+) is closed; an update cannot change it$"#,
            "le dossier $1 est fermé ; une mise à jour ne peut le modifier"
        ),
        (#"^(AC\d+) is not a case of this client$"#, "$1 n'est pas un dossier de ce client"),
        (
            #"^the payment of (-?[\d.]+) is more than the balance of (-?[\d.]+)$"#,
            "le paiement de $1 dépasse le solde de $2"
        ),
        (
            #"^an adjustment of (-?[\d.]+) would take the balance of (-?[\d.]+) below zero$"#,
            "un ajustement de $1 ferait passer le solde de $2 sous zéro"
        ),
        (
            #"^principal, interest and fees add up to (-?[\d.]+), not (-?[\d.]+)$"#,
            "le capital, les intérêts et les frais totalisent $1, et non $2"
        ),
        (
            #"^the row has (\d+) fields where the header has (\d+); is a (\w+) inside a field that is not quoted\?$"#,
            "la ligne a $1 champs et l'en-tête en a $2 ; un séparateur ($3) se trouve-t-il dans un champ sans guillemets ?"
        ),
        (
            #"^a quoted field opened on line (\d+) is never closed$"#,
            "un champ entre guillemets ouvert à la ligne $1 n'est jamais fermé"
        ),
        (
            #"^a quoted field opened on line (\d+) is not closed within (\d+) lines$"#,
            "un champ entre guillemets ouvert à la ligne $1 n'est pas fermé après $2 lignes"
        ),
        (
            #"^same content as file (\d+) \((.*)\) received (.*)$"#,
            "même contenu que le fichier $1 ($2) reçu le $3"
        ),
        (
            #"^the file is not text: it has a NUL byte at offset (\d+)$"#,
            "le fichier n'est pas du texte : il contient un octet nul à la position $1"
        ),
        (
            #"^the file mixes UTF-8 with bytes that are not UTF-8 \(the first at offset (\d+)\); save it again in a single encoding$"#,
            "le fichier mêle de l'UTF-8 et des octets qui n'en sont pas (le premier à la position $1) ; enregistrez-le dans un seul encodage"
        ),
        (
            #"^no column for the client reference \(expected one of: (.*)\)$"#,
            "aucune colonne pour votre référence (attendu : $1)"
        ),
        (
            #"^no column for the amount assigned \(expected one of: (.*)\)$"#,
            "aucune colonne pour le montant assigné (attendu : $1)"
        ),
        (
            #"^no column for the debtor's name \(expected one of: (.*)\)$"#,
            "aucune colonne pour le nom du débiteur (attendu : $1)"
        ),
        (
            #"^no usable header: the first record \((.*)\) names no known columns, and the client has no profile that says what each column is$"#,
            "aucun en-tête utilisable : la première ligne ($1) ne nomme aucune colonne connue, et le client n'a pas de profil qui dise ce qu'est chaque colonne"
        ),
        (
            #"^columns (.*) both read as (\w+); the client profile must say which one to use$"#,
            "les colonnes $1 se lisent toutes deux comme $2 ; le profil du client doit dire laquelle utiliser"
        ),
    ].map { (try! NSRegularExpression(pattern: $0.0), $0.1) }
}
