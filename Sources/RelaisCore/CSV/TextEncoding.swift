/// The character encodings creditors' files come in.
public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    /// Windows-1252, what Excel's "Save as CSV" writes on a French Windows.
    case windows1252 = "windows-1252"
    case latin1 = "iso-8859-1"

    /// Reads the names a configuration may use: `utf-8`, `UTF8`, `cp1252`, `latin1`…
    public init?(name: String) {
        switch name.lowercased().replacingOccurrences(of: "_", with: "-") {
        case "utf-8", "utf8": self = .utf8
        case "windows-1252", "cp1252", "win1252": self = .windows1252
        case "iso-8859-1", "latin1", "latin-1", "iso8859-1": self = .latin1
        default: return nil
        }
    }

    /// Decodes bytes known to be valid in this encoding.
    public func decode(_ bytes: UnsafeRawBufferPointer) -> String {
        if self == .utf8 || !bytes.contains(where: { $0 >= 0x80 }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            if self == .windows1252, (0x80...0x9f).contains(byte),
                let scalar = Unicode.Scalar(TextEncoding.windows1252High[Int(byte) - 0x80])
            {
                scalars.append(scalar)
            } else {
                scalars.append(Unicode.Scalar(byte))
            }
        }
        return String(scalars)
    }

    public func decode(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { decode($0) }
    }

    /// Windows-1252's characters at 0x80–0x9F; 0 where the code page leaves a byte undefined.
    static let windows1252High: [UInt32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ]

    static func isUndefinedInWindows1252(_ byte: UInt8) -> Bool {
        (0x80...0x9f).contains(byte) && windows1252High[Int(byte) - 0x80] == 0
    }
}

/// What one read of a file's bytes tells before any field is parsed: its hash and size, whether
/// it is text at all, its encoding and how its lines end.
public struct FileSurvey: Sendable {
    public var size: Int64 = 0
    public var sha256 = ""
    public var startsWithUTF8BOM = false
    public var startsWithUTF16BOM = false
    /// Offset of the first NUL byte: a file with one is not text.
    public var firstNUL: Int64?
    public var isValidUTF8 = true
    /// Offset of the first byte that breaks UTF-8, when one does.
    public var firstInvalidUTF8: Int64?
    /// How many multi-byte UTF-8 sequences the file holds before any invalid byte.
    public var utf8Sequences = 0
    public var hasHighBytes = false
    /// Bytes 0x80–0x9F: printable only in Windows-1252 (control characters in ISO-8859-1).
    public var hasWindows1252Bytes = false
    public var hasUndefinedWindows1252Bytes = false
    public var lineFeeds = 0
    public var carriageReturns = 0
    /// The first 64 KiB, for guessing the delimiter and the format.
    public var head: [UInt8] = []

    /// The encoding the bytes prove, or nil (with the reason) when they prove none.
    public func detectedEncoding() -> (encoding: TextEncoding?, note: String) {
        if startsWithUTF8BOM || !hasHighBytes || isValidUTF8 {
            return (
                .utf8, startsWithUTF8BOM ? "UTF-8 with byte-order mark" : (hasHighBytes ? "UTF-8" : "ASCII")
            )
        }
        if hasWindows1252Bytes {
            if hasUndefinedWindows1252Bytes {
                return (.latin1, "ISO-8859-1 (bytes 0x80-0x9F undefined in Windows-1252)")
            }
            return (.windows1252, "Windows-1252 (bytes 0x80-0x9F present)")
        }
        // Every byte above 0x7F is 0xA0-0xFF: Windows-1252 and ISO-8859-1 read them alike.
        return (.windows1252, "Windows-1252 / ISO-8859-1 (identical for this file)")
    }

    /// The encoding to read the file in: the client profile's when it names one and the bytes
    /// agree, otherwise what the bytes prove; with a note for the log. Refuses a file the
    /// profile's UTF-8 contradicts, and one that mixes valid UTF-8 with bytes that are not
    /// (a file damaged, or pasted together from two encodings: either reading would misread part).
    public func encoding(for profile: ClientProfile) throws -> (encoding: TextEncoding, note: String) {
        if let named = profile.encoding {
            if named == .utf8 && !isValidUTF8 {
                throw FileRefusal(
                    "the client profile says UTF-8, but the file has bytes that are not valid UTF-8")
            }
            return (named, "\(named.rawValue) (client profile)")
        }
        if let offset = firstInvalidUTF8, utf8Sequences > 0 {
            throw FileRefusal(
                "the file mixes UTF-8 with bytes that are not UTF-8 (the first at offset \(offset)); "
                    + "save it again in a single encoding")
        }
        let detected = detectedEncoding()
        return (detected.encoding ?? .utf8, detected.note)
    }

    /// The byte that ends a line: a line feed, or a carriage return in files that have no
    /// line feed at all (old Mac exports).
    public var lineTerminator: UInt8 { lineFeeds == 0 && carriageReturns > 0 ? 0x0D : 0x0A }

    /// Reads the whole file once.
    public static func of(path: String) throws -> FileSurvey {
        let file = try ReadableFile(path: path)
        defer { file.close() }
        var survey = FileSurvey()
        var hash = SHA256()
        var utf8 = UTF8Validator()
        var offset: Int64 = 0
        try file.forEachChunk { chunk in
            if offset == 0 {
                survey.startsWithUTF8BOM =
                    chunk.count >= 3 && chunk[0] == 0xEF && chunk[1] == 0xBB && chunk[2] == 0xBF
                survey.startsWithUTF16BOM =
                    chunk.count >= 2
                    && ((chunk[0] == 0xFF && chunk[1] == 0xFE) || (chunk[0] == 0xFE && chunk[1] == 0xFF))
            }
            if survey.head.count < 65_536 {
                survey.head.append(contentsOf: chunk.prefix(65_536 - survey.head.count))
            }
            hash.update(chunk)
            for (index, byte) in chunk.enumerated() {
                switch byte {
                case 0x0A: survey.lineFeeds += 1
                case 0x0D: survey.carriageReturns += 1
                case 0x00: if survey.firstNUL == nil { survey.firstNUL = offset + Int64(index) }
                case 0x80...0x9F:
                    survey.hasHighBytes = true
                    survey.hasWindows1252Bytes = true
                    if TextEncoding.isUndefinedInWindows1252(byte) {
                        survey.hasUndefinedWindows1252Bytes = true
                    }
                case 0xA0...0xFF: survey.hasHighBytes = true
                default: break
                }
            }
            if survey.isValidUTF8 {
                survey.isValidUTF8 = utf8.feed(chunk)
                if !survey.isValidUTF8 { survey.firstInvalidUTF8 = offset + Int64(utf8.invalidAt ?? 0) }
            }
            offset += Int64(chunk.count)
        }
        if survey.isValidUTF8 && !utf8.finish() {
            survey.isValidUTF8 = false
            survey.firstInvalidUTF8 = offset
        }
        survey.utf8Sequences = utf8.sequences
        survey.size = offset
        survey.sha256 = hash.finalize()
        return survey
    }
}

/// Checks UTF-8 well-formedness across chunk boundaries (RFC 3629: no overlongs, no surrogates).
struct UTF8Validator {
    private var needed = 0
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF
    private var valid = true
    /// Complete multi-byte sequences seen.
    private(set) var sequences = 0
    /// The index, in the last chunk fed, of the byte that broke UTF-8.
    private(set) var invalidAt: Int?

    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard valid else { return false }
        for (index, byte) in bytes.enumerated() {
            if needed == 0 {
                switch byte {
                case 0x00...0x7F: continue
                case 0xC2...0xDF: needed = 1
                case 0xE0:
                    needed = 2
                    lower = 0xA0
                case 0xE1...0xEC, 0xEE, 0xEF: needed = 2
                case 0xED:
                    needed = 2
                    upper = 0x9F
                case 0xF0:
                    needed = 3
                    lower = 0x90
                case 0xF1...0xF3: needed = 3
                case 0xF4:
                    needed = 3
                    upper = 0x8F
                default:
                    valid = false
                    invalidAt = index
                    return false
                }
            } else {
                guard byte >= lower && byte <= upper else {
                    valid = false
                    invalidAt = index
                    return false
                }
                lower = 0x80
                upper = 0xBF
                needed -= 1
                if needed == 0 { sequences += 1 }
            }
        }
        return true
    }

    mutating func finish() -> Bool { valid && needed == 0 }
}
