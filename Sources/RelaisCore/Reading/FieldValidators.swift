/// Readers for the fields that have a known shape: phones, postal codes, provinces, emails,
/// languages, kinds, SINs. Each returns the normalized value or says what was expected.
enum FieldValidators {
    static let provinces: [String: String] = {
        var table: [String: String] = [:]
        let list: [(String, [String])] = [
            ("QC", ["quebec", "que", "pq", "qc"]), ("ON", ["ontario", "ont", "on"]),
            ("NB", ["nouveau brunswick", "new brunswick", "nb"]),
            ("NS", ["nouvelle ecosse", "nova scotia", "ns"]),
            ("PE", ["ile du prince edouard", "prince edward island", "pe", "pei", "ipe"]),
            ("NL", ["terre neuve et labrador", "newfoundland and labrador", "newfoundland", "nl", "tnl"]),
            ("MB", ["manitoba", "man", "mb"]), ("SK", ["saskatchewan", "sask", "sk"]),
            ("AB", ["alberta", "alta", "ab"]),
            ("BC", ["colombie britannique", "british columbia", "bc", "cb"]),
            ("YT", ["yukon", "yt", "yk"]),
            ("NT", ["territoires du nord ouest", "northwest territories", "nt", "tno"]),
            ("NU", ["nunavut", "nu"]),
        ]
        for (code, names) in list { for name in names { table[name] = code } }
        return table
    }()

    static func province(_ raw: String) -> Result<String, FieldProblem> {
        // Most files write the code itself: two ASCII letters.
        let bytes = Array(raw.utf8)
        if bytes.count == 2, bytes.allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }) {
            let code = String(decoding: bytes.map { $0 & 0xDF }, as: UTF8.self)
            if provinceCodes.contains(code) { return .success(code) }
        }
        if let code = provinces[raw.foldedForComparison] { return .success(code) }
        return .failure(
            FieldProblem("\(raw.quotedForReason) is not a Canadian province or territory (QC, ON, NB…)"))
    }

    static let provinceCodes: Set<String> = Set(provinces.values)

    /// `H2X 1Y4`: the Canadian form, letters the post office never uses refused.
    static func postalCode(_ raw: String) -> Result<String, FieldProblem> {
        let c = raw.utf8.filter { $0 != 0x20 && $0 != UInt8(ascii: "-") && $0 != 0x09 }.map {
            $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0
        }
        func letter(_ b: UInt8, _ allowed: String) -> Bool { allowed.utf8.contains(b) }
        func digit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        let first = "ABCEGHJKLMNPRSTVXY"
        let later = "ABCEGHJKLMNPRSTVWXYZ"
        if c.count == 6, letter(c[0], first), digit(c[1]), letter(c[2], later), digit(c[3]),
            letter(c[4], later), digit(c[5])
        {
            return .success(
                String(decoding: c[0...2], as: UTF8.self) + " " + String(decoding: c[3...5], as: UTF8.self))
        }
        return .failure(FieldProblem("\(raw.quotedForReason) is not a Canadian postal code (A1A 1A1)"))
    }

    static let extensionMarkers: [[UInt8]] = ["poste", "ext.", "ext", "x", "#"].map { Array($0.utf8) }

    /// Ten digits of a North American number, with an extension when one is written
    /// (`poste 204`, `ext. 12`, `x12`, `#12`).
    static func phone(_ raw: String, kind: Phone.Kind) -> Result<Phone, FieldProblem> {
        var bytes = raw.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
        func digit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        var extensionNumber: String?
        // An extension: digits at the end, after a marker.
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x20 { end -= 1 }
        var start = end
        while start > 0, digit(bytes[start - 1]) { start -= 1 }
        if start < end {
            var markerEnd = start
            while markerEnd > 0, bytes[markerEnd - 1] == 0x20 { markerEnd -= 1 }
            for marker in extensionMarkers where markerEnd >= marker.count && markerEnd > marker.count {
                if Array(bytes[(markerEnd - marker.count)..<markerEnd]) == marker {
                    extensionNumber = String(decoding: bytes[start..<end], as: UTF8.self)
                    bytes.removeSubrange((markerEnd - marker.count)...)
                    break
                }
            }
        }
        guard bytes.allSatisfy({ digit($0) || " ()-.+/".utf8.contains($0) }) else {
            return .failure(FieldProblem("\(raw.quotedForReason) is not a telephone number"))
        }
        var digits = bytes.filter(digit)
        if digits.count == 11 && digits[0] == UInt8(ascii: "1") { digits.removeFirst() }
        guard digits.count == 10, digits[0] >= UInt8(ascii: "2"), digits[3] >= UInt8(ascii: "2") else {
            return .failure(
                FieldProblem("\(raw.quotedForReason) is not a 10-digit North American telephone number"))
        }
        return .success(
            Phone(
                kind: kind, number: String(decoding: digits, as: UTF8.self), extensionNumber: extensionNumber)
        )
    }

    /// One `@`, something before it, a dotted domain after it, and no space or list separator.
    static func email(_ raw: String) -> Result<String, FieldProblem> {
        let bytes = raw.utf8
        let at = UInt8(ascii: "@")
        let dot = UInt8(ascii: ".")
        var ats = 0
        var atIndex = 0
        for (i, b) in bytes.enumerated() {
            if b == at {
                ats += 1
                atIndex = i
            }
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == UInt8(ascii: ",")
                || b == UInt8(ascii: ";")
            {
                ats = 99
            }
        }
        let domain = bytes.dropFirst(atIndex + 1)
        guard ats == 1, atIndex > 0, domain.contains(dot), domain.first != dot, domain.last != dot else {
            return .failure(FieldProblem("\(raw.quotedForReason) is not an email address"))
        }
        return .success(raw)
    }

    static func language(_ raw: String) -> Result<Language, FieldProblem> {
        switch raw.foldedForComparison {
        case "fr", "f", "fra", "fre", "francais", "french": return .success(.french)
        case "en", "a", "e", "eng", "ang", "anglais", "english": return .success(.english)
        default: return .failure(FieldProblem("\(raw.quotedForReason) is not a language (FR or EN)"))
        }
    }

    static func kind(_ raw: String) -> Result<CaseKind, FieldProblem> {
        switch raw.foldedForComparison {
        case "consumer", "consommateur", "particulier", "personnel", "personal", "individual", "individu",
            "p", "i":
            return .success(.consumer)
        case "commercial", "commerciale", "entreprise", "business", "company", "corporate", "compagnie", "e",
            "b":
            return .success(.commercial)
        case "c":
            return .failure(FieldProblem("\"C\" is ambiguous: write consumer or commercial"))
        default:
            return .failure(
                FieldProblem("\(raw.quotedForReason) is not a kind of case (consumer or commercial)"))
        }
    }

    /// The SIN itself is never repeated in a reason: reasons reach reports and logs.
    static func sin(_ raw: String) -> Result<SIN, FieldProblem> {
        let digits = raw.filter { $0 != " " && $0 != "-" }
        guard digits.count == 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return .failure(FieldProblem("the SIN is not nine digits"))
        }
        guard let sin = SIN(digits) else { return .failure(FieldProblem("the SIN fails its check digit")) }
        return .success(sin)
    }

    /// A client reference is text: kept exactly, leading zeros and all. A spreadsheet's
    /// scientific notation (`1.23457E+15`) has lost digits and cannot be taken.
    static func reference(_ raw: String) -> Result<String, FieldProblem> {
        let text = raw.trimmedField
        let upper = text.uppercased()
        if let e = upper.firstIndex(of: "E"), e != upper.startIndex {
            let mantissa = upper[..<e]
            var exponent = upper[upper.index(after: e)...]
            if exponent.hasPrefix("+") || exponent.hasPrefix("-") { exponent = exponent.dropFirst() }
            if !exponent.isEmpty, exponent.allSatisfy(\.isNumber), mantissa.contains(where: \.isNumber),
                mantissa.allSatisfy({ $0.isNumber || $0 == "." || $0 == "," })
            {
                return .failure(
                    FieldProblem(
                        "\(text.quotedForReason) is in scientific notation: a spreadsheet lost "
                            + "the reference's digits"
                    ))
            }
        }
        guard text.count <= 50 else {
            return .failure(FieldProblem("the reference is longer than 50 characters"))
        }
        guard !text.contains(where: { $0.isNewline }) else {
            return .failure(FieldProblem("the reference contains a line break"))
        }
        return .success(text)
    }
}
