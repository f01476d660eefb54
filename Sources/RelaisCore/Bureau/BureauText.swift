import Foundation

/// Text as a Metro 2 alphanumeric field takes it: plain uppercase ASCII, one byte per
/// character, so that widths counted in bytes are widths counted in characters.
public enum BureauText {
    /// Folds `text` to uppercase ASCII: accents are dropped (Côté → COTE), ligatures spelt out
    /// (Œ → OE), anything else that is not a letter, digit or `- ' . , / # &` becomes a space,
    /// and runs of spaces collapse to one.
    public static func fold(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        // Fast path: most names and addresses are ASCII already.
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            for byte in text.utf8 { append(byte, to: &out) }
        } else {
            for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
                if scalar.value < 0x80 {
                    append(UInt8(scalar.value), to: &out)
                } else if let spelled = spelledOut[scalar.value] {
                    for byte in spelled.utf8 { append(byte, to: &out) }
                } else if scalar.properties.generalCategory == .nonspacingMark {
                    continue
                } else {
                    append(0x20, to: &out)
                }
            }
        }
        while out.last == 0x20 { out.removeLast() }
        return out
    }

    /// Letters that do not decompose into a base letter and a mark.
    private static let spelledOut: [UInt32: String] = [
        0xC6: "AE", 0xE6: "AE", 0x152: "OE", 0x153: "OE", 0xDF: "SS", 0xD8: "O", 0xF8: "O",
        0x110: "D", 0x111: "D", 0x141: "L", 0x142: "L", 0xD0: "D", 0xF0: "D", 0xDE: "TH", 0xFE: "TH",
        0x2019: "'", 0x2018: "'", 0x2010: "-", 0x2011: "-", 0x2013: "-", 0x2014: "-",
    ]

    private static func append(_ byte: UInt8, to out: inout [UInt8]) {
        var b = byte
        if b >= 0x61 && b <= 0x7A { b -= 0x20 }
        let allowed = (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39)
            || b == 0x2D || b == 0x27 || b == 0x2E || b == 0x2C || b == 0x2F || b == 0x23 || b == 0x26
        if !allowed { b = 0x20 }
        if b == 0x20 && (out.isEmpty || out.last == 0x20) { return }
        out.append(b)
    }

    /// Digits only, for phone numbers and postal codes given with spaces or dashes.
    static func digits(_ text: String?) -> String {
        String((text ?? "").unicodeScalars.filter { $0.value >= 0x30 && $0.value <= 0x39 }.map(Character.init))
    }
}

/// A fixed-width record being filled in: blanks to start, fields written by layout.
struct FixedRecord {
    var bytes: [UInt8]

    init(length: Int) { bytes = [UInt8](repeating: 0x20, count: length) }

    /// Left-justified, blank-filled, cut at the width (the bytes are folded ASCII already).
    mutating func put(_ field: Metro2Field, bytes value: [UInt8]) {
        let count = min(value.count, field.length)
        for i in 0..<count { bytes[field.offset + i] = value[i] }
        for i in count..<field.length { bytes[field.offset + i] = 0x20 }
    }

    mutating func put(_ field: Metro2Field, text: String) { put(field, bytes: BureauText.fold(text)) }

    /// Right-justified, zero-filled. A value wider than the field is a programming error: the
    /// validation keeps amounts under 999,999,999 dollars before anything is written.
    mutating func put(_ field: Metro2Field, number: Int64) {
        precondition(number >= 0, "\(field.name): negative values are not written")
        var n = number
        var i = field.offset + field.length - 1
        while i >= field.offset {
            bytes[i] = 0x30 + UInt8(n % 10)
            n /= 10
            i -= 1
        }
        precondition(n == 0, "\(field.name): \(number) is wider than \(field.length) digits")
    }

    /// Digits already checked by the caller (SIN, phone), or zeros when absent.
    mutating func put(_ field: Metro2Field, digits: String?) {
        guard let digits, digits.utf8.count == field.length else {
            put(field, number: 0)
            return
        }
        put(field, bytes: Array(digits.utf8))
    }

    /// MMDDYYYY, or zeros.
    mutating func put(_ field: Metro2Field, date: CalendarDate?) {
        guard let date else {
            put(field, number: 0)
            return
        }
        put(field, number: Int64(date.month * 1_000_000 + date.day * 10_000 + date.year))
    }
}
