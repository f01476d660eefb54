import Foundation
import Testing

@testable import RelaisCore

/// Files of client updates: each row changes exactly the case it names, and the case's history
/// shows it; an update for an unknown or closed case is rejected with its reason.
@Suite("Client updates")
struct ClientUpdateTests {
    static let assignments = """
        No de compte;Nom du débiteur;Solde;Adresse;Ville;Code postal;Téléphone
        U-1;Marie Côté;1 000,00;12 rue Principale;Laval;H7N 1A1;514-555-0101
        U-2;Paul Roy;500,00;;;;
        U-3;Luc Roy;250,00;;;;
        """

    func workspace() throws -> Workspace {
        let w = try Workspace()
        let result = try w.ingest(Self.assignments)
        #expect(result.accepted == 3)
        return w
    }

    func balance(_ w: Workspace, _ ref: String) throws -> Int64? {
        try w.caseField("balance_cents", clientRef: ref)?.int
    }

    @Test(
        "a payment made directly to the creditor lowers the balance, counts as recovered, and is in the history"
    )
    func directPayment() throws {
        let w = try workspace()
        let result = try w.ingest(
            """
            No de compte;Type de transaction;Montant;Date de la transaction
            U-1;Paiement direct;250,00;15/11/2026
            """)
        #expect(result.status == .ingested && result.updates == 1 && result.rejected == 0)
        #expect(try balance(w, "U-1") == 75_000)
        #expect(try w.caseField("recovered_cents", clientRef: "U-1")?.int == 25_000)
        #expect(try w.caseField("sub_status", clientRef: "U-1")?.text == "direct-payment")
        let kinds = try w.store.connection.rows(
            "SELECT t.kind, t.amount_cents, t.on_date FROM transactions t JOIN cases c ON c.id = t.case_id WHERE c.client_ref = 'U-1'"
        )
        #expect(kinds.map { $0[0].text } == ["direct-payment"])
        #expect(kinds.first?[2].text == "2026-11-15")
        #expect(try balance(w, "U-2") == 50_000, "no other case changes")
    }

    @Test("a payment of the whole balance closes the case as paid in full")
    func paidInFull() throws {
        let w = try workspace()
        _ = try w.ingest(
            "No de compte;Type de transaction;Montant;Date de la transaction\nU-3;paiement;250,00;2026-11-20\n"
        )
        #expect(try w.caseField("status", clientRef: "U-3")?.text == "closed")
        #expect(try w.caseField("sub_status", clientRef: "U-3")?.text == "paid-in-full")
        #expect(try w.caseField("balance_at_closure_cents", clientRef: "U-3")?.int == 0)
    }

    @Test("adjustments: a credit note lowers the balance, interest and fees raise it")
    func adjustments() throws {
        let w = try workspace()
        let result = try w.ingest(
            """
            Account Number,Update Type,Amount,Transaction Date,Reason
            U-1,Credit note,100.00,2026-11-01,returned goods
            U-2,Interest,12.50,2026-11-01,
            U-2,Fees,-7.50,2026-11-02,collection fee
            """)
        #expect(result.updates == 3)
        #expect(try balance(w, "U-1") == 90_000)
        #expect(try balance(w, "U-2") == 50_000 + 1_250 + 750)
        #expect(try w.caseField("recovered_cents", clientRef: "U-1")?.int == 0)
        let reasons = try w.store.connection.rows(
            "SELECT source FROM transactions t JOIN cases c ON c.id = t.case_id WHERE c.client_ref = 'U-1'")
        #expect(reasons.first?[0].text?.contains("returned goods") == true)
    }

    @Test("a recall closes the case with that reason, and its history shows it")
    func recall() throws {
        let w = try workspace()
        let result = try w.ingest(
            "No de compte;Action;Motif;Date du rappel\nU-2;Rappel;entente avec le client;20/11/2026\n")
        #expect(result.updates == 1)
        #expect(try w.caseField("sub_status", clientRef: "U-2")?.text == "recalled")
        #expect(try w.caseField("closure_reason", clientRef: "U-2")?.text == "entente avec le client")
        #expect(try w.caseField("closed_on", clientRef: "U-2")?.text == "2026-11-20")
        let history = try w.store.connection.rows(
            """
            SELECT h.status, h.sub_status FROM status_history h JOIN cases c ON c.id = h.case_id
            WHERE c.client_ref = 'U-2' ORDER BY h.id
            """)
        #expect(history.map { $0[1].text ?? "" } == ["received", "recalled"])
    }

    @Test("a change of address, phone or email changes the debtor, and the notes log says what it was")
    func contactChange() throws {
        let w = try workspace()
        let result = try w.ingest(
            """
            Notre référence;Type de mise à jour;Adresse;Ville;Code postal;Téléphone;Courriel
            AC0000001;Changement d'adresse;77 boul. Saint-Martin;Laval;H7M 2Y3;450-555-0199;marie@example.com
            """)
        #expect(result.updates == 1, "\(result.rejects)")
        #expect(try w.debtorField("address_line1", clientRef: "U-1") == "77 boul. Saint-Martin")
        #expect(try w.debtorField("postal_code", clientRef: "U-1") == "H7M 2Y3")
        #expect(try w.debtorField("phone_home", clientRef: "U-1") == "4505550199")
        #expect(try w.debtorField("email", clientRef: "U-1") == "marie@example.com")
        let note = try w.store.connection.scalar(
            "SELECT text FROM notes n JOIN cases c ON c.id = n.case_id WHERE c.client_ref = 'U-1'")?.text
        #expect(note?.contains("12 rue Principale → 77 boul. Saint-Martin") == true)
    }

    @Test("updates for an unknown case, a closed case or another client's case are rejected with the reason")
    func refused() throws {
        let w = try workspace()
        _ = try w.ingest("No de compte;Action\nU-3;rappel\n")
        _ = try w.ingest("Account Number,Debtor Name,Balance\nZ-1,Ann Smith,5.00\n", client: "northwind")
        let result = try w.ingest(
            """
            No de compte;Notre référence;Type de transaction;Montant;Date de la transaction
            NOPE;;paiement;10,00;2026-11-01
            U-3;;paiement;10,00;2026-11-01
            ;AC0000004;rappel;;
            U-1;;paiement;5 000,00;2026-11-01
            U-1;;paiement;10,00;
            U-1;;déménagement;;
            U-1;;paiement;10,00;2099-01-01
            U-2;;paiement;10,00;2026-11-01
            """)
        #expect(result.updates == 1)
        #expect(result.rejects.map(\.line) == [2, 3, 4, 5, 6, 7, 8])
        let reasons = result.rejects.map(\.reason)
        #expect(reasons[0].contains("no case has the client reference"))
        #expect(reasons[1].contains("is closed"))
        #expect(reasons[2].contains("not a case of this client"))
        #expect(reasons[3].contains("more than the balance"))
        #expect(reasons[4].contains("date is missing"))
        #expect(reasons[5].contains("not a kind of update"))
        #expect(reasons[6].contains("in the future"))
        #expect(try balance(w, "U-1") == 100_000)
        #expect(try balance(w, "U-2") == 49_000)
        #expect(result.rejectReport != nil)
    }

    @Test("updates in Relais's own XML format change the cases they name, and refuse what they must")
    func xmlUpdates() throws {
        let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
                "Config/relais-assignment.xsd"
            ).path
        let w = try Workspace(extra: "\"xmlSchema\": \"\(schema)\"")
        _ = try w.ingest(Self.assignments)
        let result = try w.ingest(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <updates xmlns="urn:relais:assignment:1">
              <update>
                <clientReference>U-1</clientReference>
                <updateKind>paiement</updateKind>
                <amount>100.00</amount>
                <transactionDate>2026-11-03</transactionDate>
              </update>
              <update>
                <ourReference>AC0000002</ourReference>
                <updateKind>rappel</updateKind>
                <reason>vendu à un tiers</reason>
              </update>
              <update>
                <clientReference>INCONNU</clientReference>
                <updateKind>rappel</updateKind>
              </update>
            </updates>
            """, name: "mises-a-jour.xml")
        #expect(result.status == .ingested, "\(result.reason ?? "")")
        #expect(result.updates == 2)
        #expect(result.rejects.map(\.line) == [14])
        #expect(try balance(w, "U-1") == 90_000)
        #expect(try w.caseField("sub_status", clientRef: "U-2")?.text == "recalled")
        #expect(try w.caseField("closure_reason", clientRef: "U-2")?.text == "vendu à un tiers")
    }

    @Test("a document that names another client than the inbox it came through is refused whole")
    func xmlForAnotherClient() throws {
        let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Config/relais-assignment.xsd").path
        let w = try Workspace(extra: "\"xmlSchema\": \"\(schema)\"")
        let result = try w.ingest(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <assignments xmlns="urn:relais:assignment:1" client="northwind">
              <assignment><clientReference>X-1</clientReference><debtorName>Roy, Line</debtorName>
              <amount>75.00</amount></assignment>
            </assignments>
            """, name: "lot.xml")
        #expect(result.status == .refused)
        #expect(result.reason?.contains("inbox of client \"meubles\"") == true)
        #expect(try w.cases().isEmpty)
    }
}
