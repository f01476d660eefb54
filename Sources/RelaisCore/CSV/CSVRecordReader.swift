import CCSV

/// One record of a delimited file, as libcsv split it: raw field bytes, and where in the file
/// the record stands.
public struct CSVRecord {
    /// The physical line (1-based) where the record starts; a quoted line break makes a record
    /// span several lines.
    public var line: Int
    public var fields: [[UInt8]]
}

/// What the reader hands on: a record, or a stretch of the file libcsv could not read, with
/// the line where it starts and why.
public enum CSVItem {
    case record(CSVRecord)
    case malformed(line: Int, reason: String)
}

/// Streams the records of a delimited file through libcsv in strict mode, one physical line at a
/// time, so that memory stays flat and each record knows the line it starts on.
///
/// A quoting error spoils only the record it is in: the parser is reset and reading goes on at
/// the next line. A quote that is never closed would swallow the rest of the file; after
/// `maximumLinesPerRecord` lines the record is refused and reading resumes on the line after
/// the one where it began.
public final class CSVRecordReader {
    public let path: String
    public let delimiter: UInt8
    public let lineTerminator: UInt8
    public let maximumLinesPerRecord: Int
    /// Bytes to skip at the start (a byte-order mark).
    public let skipBytes: Int

    public init(
        path: String, delimiter: UInt8, lineTerminator: UInt8 = 0x0A, skipBytes: Int = 0,
        maximumLinesPerRecord: Int = 100
    ) {
        self.path = path
        self.delimiter = delimiter
        self.lineTerminator = lineTerminator
        self.skipBytes = skipBytes
        self.maximumLinesPerRecord = maximumLinesPerRecord
    }

    /// Calls `body` for each record or malformed stretch, in file order. `body` returns false
    /// to stop early.
    public func read(_ body: (CSVItem) throws -> Bool) throws {
        let file = try ReadableFile(path: path)
        defer { file.close() }
        let parser = LibCSVParser(delimiter: delimiter)
        var resumeAt: (offset: Int64, line: Int)? = (Int64(skipBytes), 1)

        // Each pass reads from a starting point to the end of the file, or until a runaway
        // quoted field makes it start again just after that record's first line.
        while let start = resumeAt {
            resumeAt = nil
            parser.reset()
            var line = start.line
            var offset = start.offset
            var recordLine = line
            // Where reading resumes if the record in progress must be abandoned.
            var afterRecordFirstLine: (offset: Int64, line: Int) = (offset, line + 1)
            var stopped = false
            var pendingLine: [UInt8] = []

            func feed(_ bytes: UnsafeRawBufferPointer, lineLength: Int) throws -> Bool {
                if !parser.inRecord {
                    recordLine = line
                    afterRecordFirstLine = (offset + Int64(lineLength), line + 1)
                }
                if let error = parser.parse(bytes) {
                    parser.reset()
                    if try !body(.malformed(line: recordLine, reason: error)) { return false }
                }
                for fields in parser.takeRecords() {
                    if try !body(.record(CSVRecord(line: recordLine, fields: fields))) { return false }
                }
                if parser.inRecord && line - recordLine + 1 >= maximumLinesPerRecord {
                    let reason =
                        "a quoted field opened on line \(recordLine) is not closed within "
                        + "\(maximumLinesPerRecord) lines"
                    if try !body(.malformed(line: recordLine, reason: reason)) { return false }
                    resumeAt = afterRecordFirstLine
                    return false
                }
                offset += Int64(lineLength)
                line += 1
                return true
            }

            try file.forEachChunk(from: start.offset) { chunk in
                guard !stopped else { return }
                var lineStart = 0
                while lineStart < chunk.count, !stopped {
                    guard let end = chunk[lineStart...].firstIndex(of: lineTerminator) else { break }
                    let piece = UnsafeRawBufferPointer(rebasing: chunk[lineStart...end])
                    if pendingLine.isEmpty {
                        stopped = try !feed(piece, lineLength: piece.count)
                    } else {
                        pendingLine.append(contentsOf: piece)
                        let whole = pendingLine
                        pendingLine.removeAll(keepingCapacity: true)
                        stopped = try whole.withUnsafeBytes { try !feed($0, lineLength: whole.count) }
                    }
                    lineStart = end + 1
                }
                if !stopped && lineStart < chunk.count {
                    pendingLine.append(contentsOf: chunk[lineStart...])
                }
            }
            if stopped {
                if resumeAt != nil { continue }
                return
            }

            // The last line may have no terminator; then the parser flushes the last record.
            if !pendingLine.isEmpty {
                let whole = pendingLine
                let going = try whole.withUnsafeBytes { try feed($0, lineLength: whole.count) }
                if !going {
                    if resumeAt != nil { continue }
                    return
                }
            }
            if !parser.inRecord { recordLine = line }
            if let error = parser.finish() {
                let reason =
                    error.contains("quote") || parser.wasQuoted
                    ? "a quoted field opened on line \(recordLine) is never closed" : error
                if try !body(.malformed(line: recordLine, reason: reason)) { return }
                if afterRecordFirstLine.offset < offset { resumeAt = afterRecordFirstLine }
                continue
            }
            for fields in parser.takeRecords() {
                if try !body(.record(CSVRecord(line: recordLine, fields: fields))) { return }
            }
        }
    }
}

/// The unsafe layer over libcsv: the parser struct, its two C callbacks and the context they
/// fill. Nothing outside this file sees a libcsv type.
final class LibCSVParser {
    private var parser = csv_parser()
    private let delimiter: UInt8
    private var initialized = false
    private var fields: [[UInt8]] = []
    private var records: [[[UInt8]]] = []
    private(set) var wasQuoted = false

    init(delimiter: UInt8) {
        self.delimiter = delimiter
        reset()
    }

    deinit { if initialized { csv_free(&parser) } }

    func reset() {
        if initialized { csv_free(&parser) }
        _ = csv_init(&parser, UInt8(CSV_STRICT | CSV_STRICT_FINI))
        csv_set_delim(&parser, delimiter)
        // Only the space is trimmed around unquoted fields: a tab may be the delimiter.
        csv_set_space_func(&parser) { $0 == 0x20 ? 1 : 0 }
        initialized = true
        fields.removeAll(keepingCapacity: true)
        records.removeAll(keepingCapacity: true)
        wasQuoted = false
    }

    /// True while a record has begun and not ended (a quoted field spans lines).
    var inRecord: Bool { parser.pstate != 0 }

    /// Feeds bytes; returns libcsv's reason if they break the quoting rules.
    func parse(_ bytes: UnsafeRawBufferPointer) -> String? {
        if parser.quoted != 0 { wasQuoted = true }
        let context = Unmanaged.passUnretained(self).toOpaque()
        let used = csv_parse(
            &parser, bytes.baseAddress, bytes.count, LibCSVParser.onField,
            LibCSVParser.onRecord, context)
        if parser.quoted != 0 { wasQuoted = true }
        guard used != bytes.count else { return nil }
        return Self.describe(csv_error(&parser))
    }

    /// Ends the input; returns libcsv's reason if a quoted field is left open.
    func finish() -> String? {
        let context = Unmanaged.passUnretained(self).toOpaque()
        let rc = csv_fini(&parser, LibCSVParser.onField, LibCSVParser.onRecord, context)
        guard rc != 0 else { return nil }
        let reason = Self.describe(csv_error(&parser))
        reset()
        return reason
    }

    func takeRecords() -> [[[UInt8]]] {
        defer { records.removeAll(keepingCapacity: true) }
        return records
    }

    private static func describe(_ code: Int32) -> String {
        switch code {
        case CSV_EPARSE:
            return "malformed quoting: a quote inside an unquoted field, or text after a closing quote"
        case CSV_ENOMEM: return "a field is too large to hold in memory"
        case CSV_ETOOBIG: return "a field is larger than the parser can hold"
        default: return String(cString: csv_strerror(code))
        }
    }

    private static let onField:
        @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Void = {
            data, length, context in
            let reader = Unmanaged<LibCSVParser>.fromOpaque(context!).takeUnretainedValue()
            if let data, length > 0 {
                reader.fields.append(Array(UnsafeRawBufferPointer(start: data, count: length)))
            } else {
                reader.fields.append([])
            }
        }

    private static let onRecord: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void = { _, context in
        let reader = Unmanaged<LibCSVParser>.fromOpaque(context!).takeUnretainedValue()
        reader.records.append(reader.fields)
        reader.fields.removeAll(keepingCapacity: true)
        reader.wasQuoted = false
    }
}
