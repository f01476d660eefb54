/// A reader of one form of assignment file (CSV, XML, fixed-width, a faxed list…). Every form
/// reads in the same two steps, so that the intake treats them alike.
public protocol AssignmentFileReader: AnyObject {
    /// Whole-file checks and the layout; throws a `FileRefusal` when the file cannot be read at
    /// all. Returns what the ledger records of how the file was read.
    func prepare() throws -> FileReading
    /// Each record in file order becomes exactly one outcome.
    func read(_ body: (RowOutcome) throws -> Void) throws
    /// Facts worth a log line (columns not used, encoding), as `key=value` fields.
    var notes: [(String, String)] { get }
}

/// Chooses the reader for a file: by what the client's profile says, else by the file's content.
public enum AssignmentFormats {
    public static func reader(
        path: String, survey: FileSurvey, client: ClientConfiguration, channel: Channel,
        today: CalendarDate
    ) -> AssignmentFileReader {
        let profile = client.profile
        if profile.format == .xml || looksLikeXML(survey) {
            let reader = XMLAssignmentReader(path: path, survey: survey, profile: profile, today: today)
            reader.expectedClient = client.id
            return reader
        }
        if profile.format == .fixedWidth, let layout = profile.fixedWidth {
            return FixedWidthAssignmentReader(
                path: path, survey: survey, profile: profile, layout: layout,
                today: today)
        }
        if let fax = FaxListReader.reader(
            path: path, survey: survey, client: client, channel: channel, today: today)
        {
            return fax
        }
        return CSVAssignmentReader(path: path, survey: survey, profile: profile, today: today)
    }

    /// True when the first thing in the file, after a byte-order mark and white space, is `<`
    /// (in UTF-8, or in UTF-16 after its byte-order mark).
    static func looksLikeXML(_ survey: FileSurvey) -> Bool {
        let head = survey.head
        if survey.startsWithUTF16BOM {
            return head.dropFirst(2).first { $0 != 0 && $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
                == UInt8(ascii: "<")
        }
        let text = head.dropFirst(survey.startsWithUTF8BOM ? 3 : 0)
        return text.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 } == UInt8(ascii: "<")
    }
}

extension CSVAssignmentReader: AssignmentFileReader {
    public func prepare() throws -> FileReading {
        let layout: CSVLayout = try prepareLayout()
        var reading = FileReading(
            format: "csv", encoding: layout.encoding.rawValue, delimiter: layout.delimiterName)
        reading.headings = fieldHeadings
        reading.unusedColumns = layout.unusedHeadings
        return reading
    }

    public var notes: [(String, String)] {
        guard let layout else { return [] }
        // Columns not used are logged apart, at info, by the intake.
        return [("encoding", layout.encodingNote), ("delimiter", layout.delimiterName)]
    }
}
