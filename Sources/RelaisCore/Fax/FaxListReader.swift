import Foundation

/// Reads a faxed list after OCR: tesseract TSV (`.tsv`, words with their positions and
/// confidence), plain OCR text (`.txt`), or the fax image itself (TIFF or PNG), which Relais
/// reads with tesseract first.
///
/// The whole list is read in `prepare()`, because no row may become a case before the list's
/// printed total, row count and page count have been checked: a list that does not reconcile
/// is held whole for review. Otherwise each row read with certainty becomes an assignment, and
/// each uncertain row a review item, with its reasons; nothing is ever guessed into a case.
public final class FaxListReader: AssignmentFileReader {
    /// What the file holds.
    public enum Source: String, Sendable {
        case tsv = "fax-tsv"
        case text = "fax-text"
        case image = "fax-image"
    }

    /// The lowest tesseract confidence at which a word of a reference, a name, or another field
    /// is taken without review. Measured on fax-degraded lists: correct reference and name words
    /// read 90–97, misread ones as high as 88, so the bar sits above that.
    static let referenceConfidence = 89.0
    static let nameConfidence = 90.0
    static let otherConfidence = 85.0

    public let path: String
    public let source: Source
    let survey: FileSurvey
    let profile: ClientProfile
    let today: CalendarDate
    private var outcomes: [RowOutcome] = []
    public private(set) var notes: [(String, String)] = []

    public init(
        path: String, source: Source, survey: FileSurvey, profile: ClientProfile,
        today: CalendarDate
    ) {
        self.path = path
        self.source = source
        self.survey = survey
        self.profile = profile
        self.today = today
    }

    static let imageExtensions: Set<String> = ["tif", "tiff", "png"]

    /// The reader for a file of a faxed or scanned list, by its name: `.tsv`, `.txt` and images
    /// in the channels where a person sent paper (fax, mail, email); nil for any other file.
    public static func reader(
        path: String, survey: FileSurvey, client: ClientConfiguration, channel: Channel,
        today: CalendarDate
    ) -> FaxListReader? {
        guard [.fax, .mail, .email].contains(channel) else { return nil }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let suffix =
            name.split(separator: ".").count > 1
            ? name.split(separator: ".").last!.lowercased() : ""
        // A list typed with delimiters and saved as .txt or .tsv is a CSV file, not OCR output:
        // tesseract's TSV starts with its own header, and its plain text never has the same two or
        // more tabs, `;` or `|` on its first two lines (OCR noise may put one here and there).
        let firstLine = survey.head.prefix { $0 != 0x0A && $0 != 0x0D }
        let lines = survey.head.split(whereSeparator: { $0 == 0x0A || $0 == 0x0D }).prefix(2)
        let delimited =
            lines.count == 2
            && [UInt8(0x09), 0x3B, 0x7C].contains { mark in
                let counts = lines.map { $0.filter { $0 == mark }.count }
                return counts[0] >= 2 && counts[0] == counts[1]
            }
        let source: Source
        switch suffix {
        case "tsv":
            guard firstLine.starts(with: Array("level\tpage_num".utf8)) else { return nil }
            source = .tsv
        case "txt":
            if delimited { return nil }
            source = .text
        case _ where imageExtensions.contains(suffix): source = .image
        default: return nil
        }
        return FaxListReader(
            path: path, source: source, survey: survey, profile: client.profile, today: today)
    }

    public func prepare() throws -> FileReading {
        guard survey.size > 0 else { throw FileRefusal("the file is empty") }
        let text: OCRText
        switch source {
        case .image:
            let ocr = try TesseractOCR.read(imageAt: path)
            notes += ocr.notes
            text = OCRText(kind: .tsv, words: ocr.words)
        case .tsv, .text:
            guard survey.size <= 20_000_000 else {
                throw FileRefusal(
                    "the file is \(survey.size) bytes: too large to be the OCR of a faxed list")
            }
            if let offset = survey.firstNUL {
                throw FileRefusal("the file is not text: a NUL byte at offset \(offset)")
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw FileError(path: path, operation: "read", errno: errno)
            }
            let decoded =
                survey.isValidUTF8
                ? String(decoding: data, as: UTF8.self)
                : TextEncoding.windows1252.decode(Array(data))
            text = source == .tsv ? try OCRText.tsv(decoded) : OCRText.plain(decoded)
        }
        let list = try FaxList.read(text, profile: profile, today: today)
        outcomes = list.outcomes
        notes += list.notes
        return FileReading(format: source.rawValue, encoding: "utf-8")
    }

    public func read(_ body: (RowOutcome) throws -> Void) throws {
        for outcome in outcomes { try body(outcome) }
    }
}
