import Foundation
import Testing

@testable import RelaisCore

/// A French client's reject report gives its reasons in French.
@Suite("Reasons in the client's language")
struct FrenchReasonTests {
    @Test("each kind of refused row reads in French in a French client's reject report")
    func frenchReport() throws {
        let w = try Workspace()
        let result = try w.ingest(
            """
            No de compte;Nom du débiteur;Solde;Téléphone;Courriel;NAS;Province;Code postal;Date de naissance
            1;Ann Roy;5,00;;;;;;
            ;Bob Roy;6,00;;;;;;
            3;;7,00;;;;;;
            4;Dan Roy;douze;;;;;;
            5;Eve Roy;8,00;555-01;;;;;
            6;Fay Roy;9,00;;fay at example;;;;
            7;Guy Roy;10,00;;;046 454 287;;;
            8;Hal Roy;11,00;;;;Vermont;;
            9;Ida Roy;12,00;;;;;D2X 1Y4;
            10;Jo Roy;13,00;;;;;;31/02/1990
            1.23457E+15;Kim Roy;14,00;;;;;;
            1;Ann Roy;5,00;;;;;;
            """)
        #expect(result.rejected == 10 && result.duplicates == 1)
        let text = try String(
            contentsOfFile: try #require(result.rejectReport).replacingOccurrences(of: ".csv", with: ".txt"),
            encoding: .utf8)
        for french in [
            "votre référence (le numéro de dossier du client) manque", "le nom du débiteur manque",
            "« douze » n'est pas un montant".replacingOccurrences(of: "« douze »", with: "\"douze\""),
            "n'est pas un numéro de téléphone nord-américain à 10 chiffres", "n'est pas une adresse courriel",
            "le chiffre de contrôle du NAS est faux", "n'est pas une province ou un territoire du Canada",
            "n'est pas un code postal canadien", "n'est pas un jour réel",
            "est en notation scientifique",
            "doublon : votre référence « 1 » est déjà notre dossier ouvert AC0000001",
        ] {
            #expect(text.contains(french), "missing: \(french)\n\(text)")
        }
        #expect(!text.contains(" is not "), "an English reason was left untranslated:\n\(text)")
    }

    @Test("an English client's report keeps the reasons as written")
    func englishReport() throws {
        let w = try Workspace()
        let result = try w.ingest(
            "Account Number,Debtor Name,Balance\n1,Ann Smith,twelve\n", client: "northwind")
        let csv = try String(contentsOfFile: try #require(result.rejectReport), encoding: .utf8)
        #expect(csv.contains("\"twelve\"\" is not an amount") || csv.contains("is not an amount"))
    }

    @Test("a reason of a form the table does not know stays as written rather than vanish")
    func unknownForm() {
        #expect(FrenchReasons.translate("something nobody wrote yet") == nil)
        #expect(
            Wording(language: .french).reason("something nobody wrote yet") == "something nobody wrote yet")
    }
}
