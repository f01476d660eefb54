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
    public static func reader(path: String, survey: FileSurvey, client: ClientConfiguration, channel: Channel,
        today: CalendarDate) -> AssignmentFileReader
    {
        if let fax = FaxListReader.reader(path: path, survey: survey, client: client, channel: channel, today: today) {
            return fax
        }
        return CSVAssignmentReader(path: path, survey: survey, profile: client.profile, today: today)
    }
}

extension CSVAssignmentReader: AssignmentFileReader {
    public func prepare() throws -> FileReading {
        let layout: CSVLayout = try prepareLayout()
        return FileReading(format: "csv", encoding: layout.encoding.rawValue, delimiter: layout.delimiterName)
    }

    public var notes: [(String, String)] {
        guard let layout else { return [] }
        var result = [("encoding", layout.encodingNote), ("delimiter", layout.delimiterName)]
        if !layout.unusedHeadings.isEmpty { result.append(("unusedColumns", layout.unusedHeadings.joined(separator: "|"))) }
        return result
    }
}
