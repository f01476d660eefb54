/// Reads an XML assignment file in two streaming passes, never holding more than the
/// elements between libxml2's reader and its parser: the first checks the whole document
/// (well-formed, safe, the expected root, at least one record) and gathers what the values
/// prove of date orders and decimal marks; the second turns each record into one outcome.
///
/// Two layouts are read: Relais's own (`<assignments xmlns="urn:relais:assignment:1">`),
/// validated against `relais-assignment.xsd` while it streams, and a creditor's own, through
/// the `xml` mapping of its profile. Either way, each record's texts go to `AssignmentBuilder`.
public final class XMLAssignmentReader {
    public let path: String
    public let survey: FileSurvey
    public let profile: ClientProfile
    private var builder: AssignmentBuilder
    private var mapping = XMLMapping.relais
    /// The client whose inbox the file came through, when known.
    var expectedClient: String?
    private var tree = XMLPathNode()
    private var schema: XMLSchema?
    private var ownFormat = true
    private var declaredEncoding = "UTF-8"
    private var unusedPaths: [String] = []

    /// Longer than this, a field's text is not an assignment's; the row is refused.
    static let maximumFieldLength = 4_096

    /// A reader for one file; nothing is read before `prepare()`.
    public init(path: String, survey: FileSurvey, profile: ClientProfile, today: CalendarDate) {
        self.path = path
        self.survey = survey
        self.profile = profile
        builder = AssignmentBuilder(
            today: today, amountStyle: profile.amountStyle, defaultKind: profile.defaultKind)
    }

    /// One record's raw texts, where each field was found, and what is already wrong with it.
    struct Record {
        var line: Int
        var lineIsExact: Bool
        var values: [AssignmentField: String] = [:]
        var lines: [AssignmentField: Int] = [:]
        var problem: (line: Int, RowProblem)?
    }

    private func encodingName() -> String? {
        switch profile.encoding {
        case .utf8: return "UTF-8"
        case .windows1252: return "windows-1252"
        case .latin1: return "ISO-8859-1"
        case nil: return nil
        }
    }

    private func refusal(_ problem: XMLDocumentProblem) -> FileRefusal {
        FileRefusal("the XML document cannot be read: line \(problem.line): \(problem.reason)")
    }

    /// The first pass; throws a `FileRefusal` when the document cannot be read as a whole.
    public func prepareDocument() throws -> FileReading {
        guard survey.size > 0 else { throw FileRefusal("the file is empty") }

        // Which layout: the profile's mapping, or Relais's own when the root says so.
        let root = try rootElement()
        if let clientMapping = profile.xml {
            mapping = clientMapping
            ownFormat = false
            guard let first = mapping.record.first.map(XMLMapping.local), first == root.name else {
                throw FileRefusal(
                    "the XML root element is <\(root.name)>, but the client profile's mapping reads "
                        + "records at /\(mapping.record.joined(separator: "/"))")
            }
        } else {
            if root.name == "updates", root.namespace == XMLMapping.relaisNamespace {
                mapping = .relaisUpdates
            }
            // A document that names its client must have come through that client's inbox: one
            // client's batch dropped in another's folder would open cases for the wrong creditor.
            if let named = root.client, let expected = expectedClient, named != expected {
                throw FileRefusal(
                    "the document is for client \"\(named)\" (its client attribute), but it came through "
                        + "the inbox of client \"\(expected)\"")
            }
            guard root.name == "assignments" || root.name == "updates",
                root.namespace == XMLMapping.relaisNamespace
            else {
                let shown = root.namespace.isEmpty ? "" : " in namespace \(root.namespace)"
                throw FileRefusal(
                    "the XML root element is <\(root.name)>\(shown), not Relais's <assignments "
                        + "xmlns=\"\(XMLMapping.relaisNamespace)\">; a client's own XML layout needs "
                        + "an \"xml\" "
                        + "mapping in its profile")
            }
            guard let schemaPath = profile.xmlSchema else {
                throw FileRefusal(
                    "Relais's assignment schema is not configured (the xmlSchema key); "
                        + "the file cannot be validated")
            }
            do {
                schema = try XMLSchema(path: schemaPath)
            } catch let error as FileError {
                throw FileRefusal(
                    "Relais's assignment schema cannot be read (\(error)); the file cannot be validated")
            }
            try checkRootAgainstSchema()
            // The schema fixes how amounts and dates are written: 1234.56 and 2024-03-15.
            builder.amountStyle = .english
            for field in AssignmentField.allCases where field.isAmount { builder.decimalMarks[field] = "." }
            for field in AssignmentField.allCases where field.isDate {
                builder.dateOrders[field] = .yearMonthDay
            }
        }
        tree = XMLPathNode.tree(of: mapping)
        for (field, fieldPath) in mapping.fields { builder.headings[field] = fieldPath }

        // The whole document, once.
        var evidence = ColumnEvidence()
        var records = 0
        do {
            try walk(extract: !ownFormat, validate: false) { record in
                records += 1
                if !ownFormat { evidence.note(record.values, line: record.line, reader: builder.dates) }
            }
        } catch let problem as XMLDocumentProblem {
            throw refusal(problem)
        }
        guard records > 0 else {
            throw FileRefusal("the XML document has no record at /\(mapping.record.joined(separator: "/"))")
        }
        if !ownFormat {
            evidence.apply(to: &builder, fields: mapping.fields.keys, profileOrder: profile.dateOrder)
        }
        var reading = FileReading(format: ownFormat ? "xml" : "xml-mapped", encoding: declaredEncoding)
        reading.records = records
        return reading
    }

    /// The root element's name and namespace, read before anything else.
    private func rootElement() throws -> (name: String, namespace: String, client: String?) {
        do {
            let reader = try XMLStreamReader(path: path, encoding: encodingName())
            defer { reader.close() }
            while try reader.next() {
                if reader.kind == .element {
                    let client = reader.attributes().first { $0.name == "client" }?.value
                    return (reader.localName, reader.namespaceURI, client)
                }
            }
        } catch let problem as XMLDocumentProblem {
            throw refusal(problem)
        }
        throw FileRefusal("the XML document has no root element")
    }

    /// The root element's own complaints (its attributes), which the validator raises before
    /// the first record: validating the whole document here would cost a second validation.
    private func checkRootAgainstSchema() throws {
        do {
            let reader = try XMLStreamReader(path: path, encoding: encodingName(), schema: schema)
            defer { reader.close() }
            while try reader.next(), reader.kind != .element {}
            if let issue = reader.documentIssues.first {
                throw FileRefusal(
                    "the XML document does not follow Relais's schema: line \(issue.line): \(issue.message)")
            }
        } catch let problem as XMLDocumentProblem {
            throw refusal(problem)
        }
    }

    /// The second pass: each record in document order becomes exactly one outcome, validated
    /// against the schema as it streams by in Relais's own format.
    public func readRecords(_ body: (RowOutcome) throws -> Void) throws {
        try walk(extract: true, validate: ownFormat) { record in try body(outcome(of: record)) }
    }

    private func outcome(of record: Record) -> RowOutcome {
        let amount = record.values[.amount].flatMap {
            try? AmountReader(style: builder.amountStyle).read($0).get()
        }
        if let (line, problem) = record.problem {
            return .rejected(line: line, problem: problem, amount: amount)
        }
        // A mapping that reads the kind of update makes every record an update.
        let outcome = builder.outcome(
            FieldValues(record.values), line: record.line,
            updates: mapping.fields[.updateKind] != nil
                && mapping.record.last.map(XMLMapping.local) != "assignment")
        guard case .rejected(_, let problem, _) = outcome else { return outcome }
        let field = mapping.fields.first { $0.value == problem.field }?.key
        return .rejected(
            line: field.flatMap { record.lines[$0] } ?? record.line, problem: problem, amount: amount)
    }

    /// Streams the document and hands over each record (with its texts when `extract`), with
    /// the validator's complaints about it when `validate`.
    private func walk(extract: Bool, validate: Bool, _ body: (Record) throws -> Void) throws {
        let reader = try XMLStreamReader(
            path: path, encoding: encodingName(), schema: validate ? schema : nil)
        defer { reader.close() }
        let recordDepth = mapping.record.count - 1
        let recordPath = mapping.record.map(XMLMapping.local)
        // The open elements' names, and how far they follow the record path.
        var open: [String] = []
        var onPath = 0
        var record: Record?
        var nodes: [XMLPathNode?] = []

        func finishRecord() throws {
            guard var finished = record else { return }
            record = nil
            nodes.removeAll(keepingCapacity: true)
            if validate, let issue = reader.takeValidityIssues().first {
                finished.problem = (issue.line, problem(from: issue))
            }
            try body(finished)
        }

        while try reader.next() {
            switch reader.kind {
            case .element:
                let depth = reader.depth
                let empty = reader.isEmptyElement
                if depth == 0, declaredEncoding == "UTF-8" { declaredEncoding = reader.documentEncoding }
                if record == nil {
                    let name = reader.localName
                    var followsPath = depth < recordPath.count && onPath == depth && recordPath[depth] == name
                    if followsPath, ownFormat, depth == recordDepth {
                        followsPath = reader.namespaceURI == XMLMapping.relaisNamespace
                    }
                    if followsPath && depth == recordDepth {
                        // A record begins.
                        let line = reader.line
                        record = Record(line: line, lineIsExact: line < 65_535)
                        nodes = [tree]
                        if extract, !tree.attributes.isEmpty {
                            take(reader.attributes(), of: tree, into: &record!, line: line)
                        }
                        if empty { try finishRecord() } else { open.append(name) }
                        continue
                    }
                    if ownFormat && depth == recordDepth {
                        throw XMLDocumentProblem(
                            line: reader.line,
                            reason: "<\(name)> is not an assignment: "
                                + "<assignments> holds only <assignment> elements of namespace "
                                + XMLMapping.relaisNamespace
                        )
                    }
                    if !empty {
                        if followsPath { onPath = depth + 1 }
                        open.append(name)
                    }
                    continue
                }
                // Inside a record: follow the mapping's tree.
                var node: XMLPathNode?
                if let parent = nodes.last ?? nil {
                    let name = reader.localName
                    node = parent.children[name]
                    if node == nil, extract, nodes.count == 1, unusedPaths.count < 20,
                        !unusedPaths.contains(name)
                    {
                        unusedPaths.append(name)
                    }
                }
                if extract, let node {
                    let line = reader.line
                    if let field = node.field, record!.values[field] != nil {
                        note(
                            RowProblem(
                                field: mapping.fields[field],
                                reason: "the record has more than one \(mapping.fields[field]!)"), line: line,
                            in: &record!)
                    }
                    if !node.attributes.isEmpty {
                        take(reader.attributes(), of: node, into: &record!, line: line)
                    }
                }
                if !empty { nodes.append(node) }
            case .endElement:
                let depth = reader.depth
                if record != nil {
                    if depth == recordDepth {
                        open.removeLast()
                        try finishRecord()
                    } else {
                        nodes.removeLast()
                    }
                    continue
                }
                open.removeLast()
                if onPath > depth { onPath = depth }
            case .text:
                guard record != nil else { continue }
                if !record!.lineIsExact {
                    record!.line = reader.line
                    record!.lineIsExact = true
                }
                guard extract, let node = nodes.last ?? nil, let field = node.field else { continue }
                let text = reader.value
                let joined = (record!.values[field] ?? "") + text
                if joined.utf8.count > Self.maximumFieldLength {
                    note(
                        RowProblem(
                            field: mapping.fields[field],
                            reason: "the text is longer than \(Self.maximumFieldLength) bytes"),
                        line: reader.line, in: &record!)
                    continue
                }
                if record!.values[field] == nil { record!.lines[field] = reader.line }
                record!.values[field] = joined
            default:
                continue
            }
        }
        if let issue = reader.documentIssues.first {
            throw XMLDocumentProblem(line: issue.line, reason: issue.message)
        }
    }

    private func take(
        _ attributes: [(name: String, value: String)], of node: XMLPathNode, into record: inout Record,
        line: Int
    ) {
        for (name, value) in attributes {
            guard let field = node.attributes[name] else { continue }
            record.values[field] = value.trimmedField
            record.lines[field] = line
        }
    }

    private func note(_ problem: RowProblem, line: Int, in record: inout Record) {
        if record.problem == nil { record.problem = (line, problem) }
    }

    /// A validator complaint as a reject: the element it is about, and libxml2's words without
    /// their technical prefix.
    private func problem(from issue: XMLValidityIssue) -> RowProblem {
        var reason = issue.message
        if let element = issue.element, reason.hasPrefix("Element '") {
            let prefix =
                issue.element!.contains("/@")
                ? "Element '\(element.split(separator: "/").first!)', "
                    + "attribute '\(element.split(separator: "@").last!)': "
                : "Element '\(element)': "
            if reason.hasPrefix(prefix) { reason.removeFirst(prefix.count) }
        }
        if reason.hasPrefix("[facet '"), let close = reason.firstIndex(of: "]") {
            reason = String(reason[reason.index(after: close)...]).trimmedField
        }
        // A pattern means nothing to a client; the written form it stands for does.
        if reason.contains("is not accepted by the pattern"), let name = issue.element,
            let field = AssignmentField(rawValue: name), field.isAmount || field.isDate,
            let value = reason.split(separator: "'", omittingEmptySubsequences: false).dropFirst().first
        {
            reason =
                field.isAmount
                ? "\(String(value).quotedForReason) is not an amount written as 1234.56 "
                    + "(a point, at most two "
                    + "decimals, no grouping, no $)"
                : "\(String(value).quotedForReason) is not a date written as 2024-03-15"
        }
        let field = issue.element == "assignment" ? nil : issue.element
        return RowProblem(field: field, reason: reason)
    }

    /// The layout, the encoding, and elements of a client's records that no field maps.
    public var notes: [(String, String)] {
        var result = [("layout", ownFormat ? "relais" : "client mapping"), ("encoding", declaredEncoding)]
        if !unusedPaths.isEmpty { result.append(("unusedElements", unusedPaths.joined(separator: "|"))) }
        return result
    }
}

extension XMLAssignmentReader: AssignmentFileReader {
    public func prepare() throws -> FileReading { try prepareDocument() }
    public func read(_ body: (RowOutcome) throws -> Void) throws { try readRecords(body) }
}
