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
        fold(text, into: &out)
        return out
    }

    /// Folds `text` and appends it to `out` (which the caller has emptied): the allocation-free
    /// form the writer uses for every field of every record.
    static func fold(_ text: String, into out: inout [UInt8]) {
        let start = out.count
        let handled: Bool =
            text.utf8.withContiguousStorageIfAvailable { bytes in
                // Fast path: ASCII, byte by byte; anything else leaves the loop.
                for byte in bytes {
                    guard byte < 0x80 else { return false }
                    append(byte, to: &out, from: start)
                }
                return true
            } ?? false
        if !handled {
            out.removeSubrange(start...)
            for scalar in text.unicodeScalars {
                let value = scalar.value
                if value < 0x80 {
                    append(UInt8(value), to: &out, from: start)
                } else if let folded = latin[value] {
                    for byte in folded { append(byte, to: &out, from: start) }
                } else if scalar.properties.generalCategory == .nonspacingMark {
                    continue
                } else {
                    for byte in foldRare(scalar) { append(byte, to: &out, from: start) }
                }
            }
        }
        while out.count > start && out.last == 0x20 { out.removeLast() }
    }

    /// Whether the text folds to something: a cheap test for required fields.
    static func hasContent(_ text: String?) -> Bool {
        guard let text, !text.isEmpty else { return false }
        // Any ASCII letter or digit settles it without folding.
        for byte in text.utf8
        where (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || (byte >= 0x30 && byte <= 0x39) {
            return true
        }
        var scratch: [UInt8] = []
        fold(text, into: &scratch)
        return !scratch.isEmpty
    }

    /// The Latin letters (U+00C0–U+024F) and the punctuation names carry, folded once.
    static let latin: [UInt32: [UInt8]] = {
        var table: [UInt32: [UInt8]] = [:]
        for value in UInt32(0xA0)...0x24F {
            guard let scalar = Unicode.Scalar(value) else { continue }
            table[value] = foldRare(scalar)
        }
        return table
    }()

    /// One scalar outside ASCII: spelt out, or decomposed with its marks dropped, or a space.
    static func foldRare(_ scalar: Unicode.Scalar) -> [UInt8] {
        if let spelled = spelledOut[scalar.value] { return Array(spelled.utf8) }
        var out: [UInt8] = []
        for part in String(Character(scalar)).decomposedStringWithCanonicalMapping.unicodeScalars {
            if part.value < 0x80 {
                out.append(UInt8(part.value))
            } else if part.properties.generalCategory != .nonspacingMark {
                out.append(0x20)
            }
        }
        return out
    }

    /// Letters that do not decompose into a base letter and a mark.
    private static let spelledOut: [UInt32: String] = [
        0xC6: "AE", 0xE6: "AE", 0x152: "OE", 0x153: "OE", 0xDF: "SS", 0xD8: "O", 0xF8: "O",
        0x110: "D", 0x111: "D", 0x141: "L", 0x142: "L", 0xD0: "D", 0xF0: "D", 0xDE: "TH", 0xFE: "TH",
        0x2019: "'", 0x2018: "'", 0x2010: "-", 0x2011: "-", 0x2013: "-", 0x2014: "-",
    ]

    private static func append(_ byte: UInt8, to out: inout [UInt8], from start: Int) {
        var b = byte
        if b >= 0x61 && b <= 0x7A { b -= 0x20 }
        let allowed =
            (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39)
            || b == 0x2D || b == 0x27 || b == 0x2E || b == 0x2C || b == 0x2F || b == 0x23 || b == 0x26
        if !allowed { b = 0x20 }
        if b == 0x20 && (out.count == start || out.last == 0x20) { return }
        out.append(b)
    }

    /// Digits only, for phone numbers and postal codes given with spaces or dashes.
    static func digits(_ text: String?) -> String {
        String(
            (text ?? "").unicodeScalars.filter { $0.value >= 0x30 && $0.value <= 0x39 }.map(Character.init))
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

    /// Folds `text` straight into the field: the same bytes as folding, then cutting at the
    /// width, without an intermediate array.
    mutating func put(_ field: Metro2Field, text: String) {
        let offset = field.offset
        let width = field.length
        var count = 0
        bytes.withUnsafeMutableBufferPointer { out in
            func emit(_ byte: UInt8) {
                guard count < width else { return }
                var b = byte
                if b >= 0x61 && b <= 0x7A { b -= 0x20 }
                let allowed =
                    (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39)
                    || b == 0x2D || b == 0x27 || b == 0x2E || b == 0x2C || b == 0x2F || b == 0x23 || b == 0x26
                if !allowed { b = 0x20 }
                if b == 0x20 && (count == 0 || out[offset + count - 1] == 0x20) { return }
                out[offset + count] = b
                count += 1
            }
            // ASCII in one pass over the contiguous bytes; on the first other byte, start again
            // scalar by scalar.
            let ascii =
                text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
                    for byte in bytes {
                        guard byte < 0x80 else { return false }
                        emit(byte)
                    }
                    return true
                } ?? false
            if !ascii {
                count = 0
                for scalar in text.unicodeScalars {
                    let value = scalar.value
                    if value < 0x80 {
                        emit(UInt8(value))
                    } else if let folded = BureauText.latin[value] {
                        for b in folded { emit(b) }
                    } else if scalar.properties.generalCategory != .nonspacingMark {
                        for b in BureauText.foldRare(scalar) { emit(b) }
                    }
                }
            }
            for i in count..<width { out[offset + i] = 0x20 }
        }
    }

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
