/// One field's place on a fixed-width line: where it starts (counting from 1) and how long
/// it is.
public struct FixedWidthSpan: Sendable, Equatable, CustomStringConvertible {
    public var start: Int
    public var length: Int

    public init(start: Int, length: Int) {
        self.start = start
        self.length = length
    }

    /// `3-14`: the positions, as a client's record layout prints them.
    public var description: String { "\(start)-\(start + length - 1)" }
}

/// How a client's fixed-width files are laid out, as its profile says: where each field of a
/// detail line is, and, when lines differ by a code in their first columns, which code marks
/// a detail, a header and a trailer, and where the header and trailer print their record
/// count and control total.
public struct FixedWidthLayout: Sendable, Equatable {
    /// A header or trailer record: its code, and where it prints the number of detail lines
    /// and the sum of their amounts.
    public struct ControlRecord: Sendable, Equatable {
        public var code: String
        public var count: FixedWidthSpan?
        public var total: FixedWidthSpan?

        public init(code: String, count: FixedWidthSpan? = nil, total: FixedWidthSpan? = nil) {
            self.code = code
            self.count = count
            self.total = total
        }
    }

    /// Where the record-type code is; nil when every line is a detail line.
    public var recordType: FixedWidthSpan?
    /// The codes of detail lines (one assignment each); empty when there is no record type.
    public var detailCodes: [String]
    public var fields: [AssignmentField: FixedWidthSpan]
    public var header: ControlRecord?
    public var trailer: ControlRecord?
    /// Codes of lines that carry nothing Relais reads (notes, sub-records); they are skipped.
    public var skippedCodes: [String]
    /// Whether positions count bytes rather than characters. They are the same in a
    /// single-byte encoding; in UTF-8 a COBOL export counts bytes and most others characters.
    public var countsBytes: Bool

    public init(
        recordType: FixedWidthSpan? = nil, detailCodes: [String] = [],
        fields: [AssignmentField: FixedWidthSpan],
        header: ControlRecord? = nil, trailer: ControlRecord? = nil, skippedCodes: [String] = [],
        countsBytes: Bool = false
    ) {
        self.recordType = recordType
        self.detailCodes = detailCodes
        self.fields = fields
        self.header = header
        self.trailer = trailer
        self.skippedCodes = skippedCodes
        self.countsBytes = countsBytes
    }

    static let keys: Set<String> = [
        "recordType", "detail", "header", "trailer", "skip", "positions", "$comment",
    ]

    /// Reads the `fixedWidth` object of a client profile.
    static func parse(_ node: ConfigNode) throws -> FixedWidthLayout {
        let object = try node.object(allowed: keys)
        let recordType = try object.optional("recordType").map(span)

        let detail = try object.required("detail").object(allowed: ["code", "codes", "fields"])
        var codes: [String] = []
        if let code = detail.optional("code") { codes.append(try code.string()) }
        if let list = detail.optional("codes") { codes += try list.array().map { try $0.string() } }
        let fieldsNode = try detail.required("fields")
        let fieldObject = try fieldsNode.object(allowed: Set(AssignmentField.allCases.map(\.rawValue)))
        var fields: [AssignmentField: FixedWidthSpan] = [:]
        for field in AssignmentField.allCases {
            if let n = fieldObject.optional(field.rawValue) { fields[field] = try span(n) }
        }
        guard fields[.clientReference] != nil else {
            throw ConfigurationError("\(fieldsNode.path): the clientReference field must be placed")
        }
        guard fields[.amount] != nil || fields[.principal] != nil else {
            throw ConfigurationError("\(fieldsNode.path): the amount (or principal) field must be placed")
        }

        func control(_ key: String) throws -> ControlRecord? {
            guard let n = object.optional(key) else { return nil }
            let record = try n.object(allowed: ["code", "count", "total"])
            return ControlRecord(
                code: try record.required("code").string(),
                count: try record.optional("count").map(span), total: try record.optional("total").map(span))
        }
        let header = try control("header")
        let trailer = try control("trailer")
        let skipped = try object.optional("skip")?.array().map { try $0.string() } ?? []

        // Codes only mean something where the profile says where the code is.
        if let recordType {
            guard !codes.isEmpty else {
                throw ConfigurationError("\(node.child("detail")).code: required when recordType is given")
            }
            let all: [String] = codes + [header?.code, trailer?.code].compactMap { $0 } + skipped
            for code in all where code.count != recordType.length {
                throw ConfigurationError(
                    "\(node.path): record code \"\(code)\" is not \(recordType.length) characters long")
            }
            if Set(all).count != all.count {
                throw ConfigurationError("\(node.path): a record code is given to two kinds of record")
            }
        } else if header != nil || trailer != nil || !codes.isEmpty || !skipped.isEmpty {
            throw ConfigurationError(
                "\(node.path).recordType: required when codes, a header or a trailer are given")
        }
        let bytes: [String: Bool] = ["characters": false, "bytes": true]
        let positions: Bool = try object.optional("positions")?.choice(bytes) ?? false
        return FixedWidthLayout(
            recordType: recordType, detailCodes: codes, fields: fields, header: header,
            trailer: trailer, skippedCodes: skipped, countsBytes: positions)
    }

    private static func span(_ node: ConfigNode) throws -> FixedWidthSpan {
        let object = try node.object(allowed: ["start", "length"])
        let start = try object.required("start").integer()
        let length = try object.required("length").integer()
        guard start >= 1, length >= 1, start + length <= 10_000 else {
            throw ConfigurationError(
                "\(node.path): start counts from 1, length is at least 1, "
                    + "and the field ends before position 10000")
        }
        return FixedWidthSpan(start: start, length: length)
    }
}

/// The form a client's files take, when its profile says; otherwise the file's content decides.
public enum AssignmentFileFormat: String, Sendable, CaseIterable {
    case csv
    case xml
    case fixedWidth = "fixed-width"
}

extension XMLMapping {
    /// Reads the `xml` object of a client profile: `{"record": "/Export/Compte", "fields": {…}}`.
    static func parse(_ node: ConfigNode) throws -> XMLMapping {
        let object = try node.object(allowed: ["record", "fields", "$comment"])
        let record = try object.required("record")
        let fieldsNode = try object.required("fields")
        let fieldObject = try fieldsNode.object(allowed: Set(AssignmentField.allCases.map(\.rawValue)))
        var fields: [AssignmentField: String] = [:]
        for field in AssignmentField.allCases {
            if let n = fieldObject.optional(field.rawValue) { fields[field] = try n.string() }
        }
        guard fields[.clientReference] != nil else {
            throw ConfigurationError("\(fieldsNode.path): the clientReference field must be mapped")
        }
        do {
            return try XMLMapping(record: try record.string(), fields: fields)
        } catch {
            throw ConfigurationError("\(node.path): \(error)")
        }
    }
}
