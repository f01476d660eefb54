/// The checks an account passes before it is written to any bureau file. The first failure
/// keeps the case out of the file and goes into the exclusions report; nothing is repaired.
enum BureauValidator {
    struct Problem {
        var field: String
        var reason: String
    }

    static let provinces: Set<String> = [
        "AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT",
    ]

    /// Creditor classifications of the Metro 2 K1 segment (01 retail … 15 check guarantee).
    static let classifications: Set<String> = Set((1...15).map { $0 < 10 ? "0\($0)" : "\($0)" })

    /// Largest amount a 9-digit whole-dollar field holds.
    static let largestDollars: Int64 = 999_999_999

    static func problem(_ account: BureauAccount, facts: BureauCaseFacts, month: ReportMonth) -> Problem? {
        let end = month.lastDay
        func fail(_ field: String, _ reason: String) -> Problem { Problem(field: field, reason: reason) }

        // Six years from the first delinquency, then never again.
        if account.firstDelinquency < end.minus(years: 6) {
            return fail(
                "Date of First Delinquency",
                "\(account.firstDelinquency.iso) is more than six years before \(end.iso): too old to report")
        }

        // Identification: name, address, and a SIN or a date of birth.
        if let problem = identification(
            account.consumer, rawSIN: facts.rawSIN, role: "debtor", needsAddress: true)
        {
            return problem
        }
        if account.consumer.sin == nil && account.consumer.birthDate == nil {
            return fail("Social Insurance Number", "the debtor has neither a SIN nor a date of birth")
        }
        for (index, other) in facts.associated.enumerated() {
            let needsAddress = !other.consumer.livesWith(account.consumer)
            if let problem = identification(
                other.consumer, rawSIN: other.rawSIN, role: "co-debtor \(index + 1)",
                needsAddress: needsAddress)
            {
                return problem
            }
        }

        // Dates in order: first delinquency ≤ opened ≤ account information; closed within.
        if account.firstDelinquency > account.dateOpened {
            return fail(
                "Date of First Delinquency",
                "\(account.firstDelinquency.iso) is after the date opened \(account.dateOpened.iso)")
        }
        if account.dateOpened > end {
            return fail("Date Opened", "\(account.dateOpened.iso) is after the month's end \(end.iso)")
        }
        if account.status != .collection {
            guard let closed = account.dateClosed else {
                return fail(
                    "Date Closed", "status \(account.status.rawValue) needs the date the case was closed")
            }
            if closed < account.dateOpened || closed > end {
                return fail("Date Closed", "\(closed.iso) is not between the date opened and the month's end")
            }
        }
        if let paid = account.lastPayment, paid > end {
            return fail("Date of Last Payment", "\(paid.iso) is after the month's end")
        }
        if let born = account.consumer.birthDate, born >= account.dateOpened || born.year < 1900 {
            return fail("Date of Birth", "the date of birth is not before the date opened")
        }

        // Amounts.
        if account.highestCredit.cents < 100 {
            return fail("Highest Credit", "the amount assigned is under one dollar")
        }
        if account.status == .collection && account.balance.cents < 100 {
            return fail(
                "Current Balance", "an open collection with a balance under one dollar is not reported as 93")
        }
        for (field, amount) in [
            ("Highest Credit", account.highestCredit), ("Current Balance", account.balance),
            ("Actual Payment Amount", account.paymentThisMonth),
        ]
        where amount.cents / 100 > largestDollars {
            return fail(field, "\(amount) does not fit nine digits of dollars")
        }

        // Required fields.
        if !BureauText.hasContent(account.ourReference) || account.ourReference.utf8.count > 30 {
            return fail("Consumer Account Number", "our reference must be 1 to 30 characters")
        }
        if !BureauText.hasContent(account.originalCreditor) {
            return fail("Original Creditor Name", "no original creditor and no client name")
        }
        if !classifications.contains(account.creditorClassification) {
            let given =
                account.creditorClassification.isEmpty ? "none" : "\"\(account.creditorClassification)\""
            return fail("Creditor Classification", "\(given) is not a classification from 01 to 15")
        }
        return nil
    }

    private static func identification(
        _ consumer: BureauConsumer, rawSIN: String?, role: String,
        needsAddress: Bool
    ) -> Problem? {
        if !BureauText.hasContent(consumer.surname) {
            return Problem(field: "Surname", reason: "the \(role) has no surname")
        }
        if !BureauText.hasContent(consumer.firstName) {
            return Problem(field: "First Name", reason: "the \(role) has no first name")
        }
        if let raw = rawSIN, !raw.isEmpty, consumer.sin == nil {
            return Problem(field: "Social Insurance Number", reason: "the \(role)'s SIN fails its checksum")
        }
        guard needsAddress else { return nil }
        if consumer.country != "CA" {
            return Problem(
                field: "Country Code", reason: "the \(role)'s address is not in Canada (\(consumer.country))")
        }
        if !BureauText.hasContent(consumer.address1) {
            return Problem(field: "First Line of Address", reason: "the \(role) has no street address")
        }
        if !BureauText.hasContent(consumer.city) {
            return Problem(field: "City", reason: "the \(role) has no city")
        }
        let province = consumer.province ?? ""
        if !provinces.contains(province) {
            return Problem(
                field: "State (province)",
                reason: "the \(role)'s province \"\(province)\" is not a Canadian province or territory code")
        }
        if !isPostalCode(consumer.postalCode ?? "") {
            return Problem(
                field: "Postal/Zip Code",
                reason:
                    "the \(role)'s postal code \"\(consumer.postalCode ?? "")\" is not of the form A1A 1A1")
        }
        return nil
    }

    /// `A1A 1A1` (the space optional), without the letters Canada Post never uses.
    static func isPostalCode(_ text: String) -> Bool {
        var index = 0
        for raw in text.utf8 where raw != 0x20 {
            let b = raw >= 0x61 && raw <= 0x7A ? raw - 0x20 : raw
            guard index < 6 else { return false }
            if index % 2 == 0 {
                // Letters, without D F I O Q U, and never W or Z first.
                guard b >= 0x41 && b <= 0x5A, b != 0x44, b != 0x46, b != 0x49, b != 0x4F, b != 0x51, b != 0x55
                else { return false }
                if index == 0 && (b == 0x57 || b == 0x5A) { return false }
            } else {
                guard b >= 0x30 && b <= 0x39 else { return false }
            }
            index += 1
        }
        return index == 6
    }
}
