import CXML2
import Glibc
import Synchronization

/// Why a document cannot be read at all: not well-formed, hostile, or refused by a rule that
/// keeps the reader safe. The line is where libxml2 or Relais stopped.
struct XMLDocumentProblem: Error, Equatable, CustomStringConvertible {
    let line: Int
    let reason: String
    var description: String { "line \(line): \(reason)" }
}

/// One complaint of the schema validator, cleaned of namespace noise: the element it names and
/// libxml2's message.
struct XMLValidityIssue: Equatable, Sendable {
    let line: Int
    /// The local name of the element (or `element/@attribute`) the message is about.
    let element: String?
    let message: String
}

/// Relais's own assignment schema, parsed once from its bytes. It is read from memory, never
/// through libxml2's loaders, which refuse everything (see `XMLSafety`).
final class XMLSchema {
    fileprivate let schema: xmlSchemaPtr

    /// Reads and compiles the schema at `path`; the reason says what is wrong with it.
    init(path: String) throws {
        XMLSafety.install()
        let bytes: [UInt8]
        do {
            let file = try ReadableFile(path: path)
            defer { file.close() }
            var collected: [UInt8] = []
            try file.forEachChunk { collected.append(contentsOf: $0) }
            bytes = collected
        }
        let messages = XMLMessages()
        let context = bytes.withUnsafeBytes { raw in
            xmlSchemaNewMemParserCtxt(raw.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(raw.count))
        }
        guard let context else { throw FileRefusal("\(path): libxml2 cannot make a schema parser") }
        defer { xmlSchemaFreeParserCtxt(context) }
        let box = Unmanaged.passRetained(messages)
        defer { box.release() }
        xmlSchemaSetParserStructuredErrors(context, XMLMessages.collect, box.toOpaque())
        guard let compiled = xmlSchemaParse(context) else {
            throw FileRefusal("\(path) is not a usable XML schema: \(messages.first ?? "unknown reason")")
        }
        schema = compiled
    }

    deinit { xmlSchemaFree(schema) }
}

/// Collects libxml2's messages for a context that has no better place to put them.
private final class XMLMessages {
    var first: String?

    static let collect: xmlStructuredErrorFunc = { context, error in
        guard let context, let error, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        let messages = Unmanaged<XMLMessages>.fromOpaque(context).takeUnretainedValue()
        if messages.first == nil {
            messages.first = "line \(error.pointee.line): " + XMLSafety.clean(error.pointee.message)
        }
    }
}

/// The process-wide libxml2 settings that make any document safe to read: an external entity
/// loader that refuses everything, so that no document can make libxml2 open a file or a
/// connection on its behalf, whatever options a caller passes.
///
/// - Important: the loader is global to the process; every libxml2 user in Relais is bound by
///   it, which is the point.
enum XMLSafety {
    /// Options for every document: no network, no DTD loaded, no entity substituted, no
    /// XInclude, no relaxed limits (`XML_PARSE_HUGE` stays off), line numbers past 65535.
    static let parserOptions = Int32(
        XML_PARSE_NONET.rawValue | XML_PARSE_NOBLANKS.rawValue
            | XML_PARSE_BIG_LINES.rawValue | XML_PARSE_NOCDATA.rawValue)

    /// Deeper than this, a document is refused: no assignment layout needs it, and the depth
    /// costs memory and time in the validator.
    static let maximumDepth = 64

    private static let installed: Void = {
        xmlInitParser()
        xmlSetExternalEntityLoader(refuseEveryLoad)
    }()

    static func install() { _ = installed }

    /// What documents asked the loader for, by the address of the asking xmlTextReader.
    fileprivate static let refusedLoads = Mutex<[(reader: UInt, url: String)]>([])
    fileprivate static let refusedCount = Atomic<Int>(0)

    private static let refuseEveryLoad: xmlExternalEntityLoader = { url, _, context in
        let asker = context.flatMap { $0.pointee._private }.map { UInt(bitPattern: $0) } ?? 0
        let shown = url.map { String(cString: $0) } ?? "(no address)"
        refusedLoads.withLock { list in
            if list.count < 64 { list.append((asker, String(shown.prefix(200)))) }
        }
        refusedCount.add(1, ordering: .sequentiallyConsistent)
        return nil
    }

    /// libxml2's message without its line break, and with `{urn:…}name` shortened to `name`.
    static func clean(_ message: UnsafeMutablePointer<CChar>?) -> String {
        guard let message else { return "unknown reason" }
        var text = String(cString: message).trimmedField
        // A namespace in braces has a colon (`{urn:…}`, `{http://…}`); a pattern's `{1,13}` has not.
        var searchFrom = text.startIndex
        while let open = text[searchFrom...].firstIndex(of: "{"),
            let close = text[open...].firstIndex(of: "}")
        {
            if text[open...close].contains(":") {
                text.removeSubrange(open...close)
                searchFrom = open
            } else {
                searchFrom = text.index(after: close)
            }
        }
        return text
    }
}

/// The unsafe layer over libxml2's streaming reader (`xmlTextReader`): one node at a time,
/// never the whole tree, every C pointer kept inside. Above it, callers see Swift values.
///
/// Reading is refused, with the line and the reason, when the document is not well-formed,
/// declares entities, uses an entity reference, nests deeper than `XMLSafety.maximumDepth`, or
/// made libxml2 ask for anything outside the file.
final class XMLStreamReader {
    enum Kind: Equatable {
        case element, endElement, text, entityReference, documentType, other
    }

    private var reader: xmlTextReaderPtr?
    private let state: XMLReaderState
    private let stateBox: Unmanaged<XMLReaderState>
    private var seenRefusals: Int
    private let schema: XMLSchema?

    private(set) var kind = Kind.other
    private(set) var depth = 0

    /// Opens `path`; `encoding` overrides the document's own declaration when the client's
    /// profile names one. With a schema, every element is validated as it streams by.
    init(path: String, encoding: String? = nil, schema: XMLSchema? = nil) throws {
        XMLSafety.install()
        self.schema = schema
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, operation: "open", errno: errno) }
        let input = Unmanaged.passRetained(XMLInput(fd: fd, path: path))
        // libxml2 owns the input from here: it calls `close` (which releases it) on failure too.
        reader = xmlReaderForIO(
            XMLInput.read, XMLInput.close, input.toOpaque(), nil, encoding,
            XMLSafety.parserOptions)
        guard let reader else { throw FileError(path: path, operation: "open as XML", errno: EINVAL) }
        state = XMLReaderState(reader: reader)
        stateBox = Unmanaged.passRetained(state)
        seenRefusals = XMLSafety.refusedCount.load(ordering: .sequentiallyConsistent)
        xmlTextReaderSetStructuredErrorHandler(reader, XMLReaderState.onError, stateBox.toOpaque())
        if let schema {
            guard xmlTextReaderSetSchema(reader, schema.schema) == 0 else {
                close()
                throw FileError(path: path, operation: "validate with the schema", errno: EINVAL)
            }
        }
    }

    deinit { close() }

    /// Frees the reader, and the document the validator's bookkeeping kept from it.
    func close() {
        guard let reader else { return }
        xmlTextReaderSetStructuredErrorHandler(reader, nil, nil)
        xmlFreeTextReader(reader)
        if let document = state.document { xmlFreeDoc(document) }
        state.document = nil
        self.reader = nil
        stateBox.release()
    }

    /// Moves to the next node; false at the end of the document.
    func next() throws(XMLDocumentProblem) -> Bool {
        guard let reader else { return false }
        let result = xmlTextReaderRead(reader)
        if let problem = state.fatal { throw problem }
        try checkLoads()
        if result < 0 {
            throw XMLDocumentProblem(line: parserLine, reason: "libxml2 stopped reading the document")
        }
        guard result == 1 else { return false }

        depth = Int(xmlTextReaderDepth(reader))
        switch xmlTextReaderNodeType(reader) {
        case 1: kind = .element
        case 15: kind = .endElement
        case 3, 4, 13, 14: kind = .text
        case 5: kind = .entityReference
        case 10: kind = .documentType
        default: kind = .other
        }

        // The rules libxml2 leaves to its caller.
        if depth > XMLSafety.maximumDepth {
            throw XMLDocumentProblem(
                line: line,
                reason: "elements are nested deeper than \(XMLSafety.maximumDepth) levels; "
                    + "no assignment file needs that, and it is refused as hostile")
        }
        if kind == .entityReference {
            throw XMLDocumentProblem(
                line: line,
                reason: "the document uses the entity &\(localName);, and Relais expands no entity "
                    + "(only XML's own &amp; &lt; &gt; &quot; &apos; and character references)")
        }
        if kind == .documentType, let reason = doctypeProblem {
            throw XMLDocumentProblem(line: line, reason: reason)
        }
        return true
    }

    private func checkLoads() throws(XMLDocumentProblem) {
        let count = XMLSafety.refusedCount.load(ordering: .sequentiallyConsistent)
        guard count != seenRefusals, let reader else { return }
        seenRefusals = count
        let me = UInt(bitPattern: UnsafeRawPointer(reader))
        let asked = XMLSafety.refusedLoads.withLock { list in list.first { $0.reader == me }?.url }
        if let asked {
            throw XMLDocumentProblem(
                line: parserLine,
                reason: "the document asked to load \(asked.quotedForReason); Relais loads nothing "
                    + "on a document's behalf, so it is refused")
        }
    }

    /// Why the DOCTYPE at hand is refused: it declares entities, or it names a DTD outside the
    /// document (which is never loaded, so the document cannot mean what its author meant).
    /// A bare `<!DOCTYPE name>` is harmless and read.
    private var doctypeProblem: String? {
        guard let reader, let node = xmlTextReaderCurrentNode(reader), node.pointee.type == XML_DTD_NODE
        else { return nil }
        let dtd = UnsafeMutableRawPointer(node).assumingMemoryBound(to: xmlDtd.self)
        if dtd.pointee.entities != nil || dtd.pointee.pentities != nil {
            return "the document's DOCTYPE declares entities; Relais reads no DTD and expands no entity, "
                + "so such a document is refused"
        }
        if let external = dtd.pointee.SystemID ?? dtd.pointee.ExternalID {
            let shown = String(cString: external).quotedForReason
            return "the document's DOCTYPE names an external DTD \(shown); Relais never loads one "
                + "(nothing is fetched), so a document that relies on it is refused"
        }
        return nil
    }

    /// The local name of the element or entity at hand.
    var localName: String {
        guard let reader, let name = xmlTextReaderConstLocalName(reader) else { return "" }
        return String(cString: name)
    }

    /// The namespace of the element at hand, empty when it has none.
    var namespaceURI: String {
        guard let reader, let uri = xmlTextReaderConstNamespaceUri(reader) else { return "" }
        return String(cString: uri)
    }

    /// The text of a text node.
    var value: String {
        guard let reader, let text = xmlTextReaderConstValue(reader) else { return "" }
        return String(cString: text)
    }

    /// The encoding the document declared (or libxml2 detected); UTF-8 when it says none.
    var documentEncoding: String {
        guard let reader, let name = xmlTextReaderConstEncoding(reader) else { return "UTF-8" }
        return String(cString: name)
    }

    var isEmptyElement: Bool {
        guard let reader else { return false }
        return xmlTextReaderIsEmptyElement(reader) == 1
    }

    /// The attributes of the element at hand, by local name.
    func attributes() -> [(name: String, value: String)] {
        guard let reader, xmlTextReaderMoveToFirstAttribute(reader) == 1 else { return [] }
        var result: [(String, String)] = []
        repeat {
            let name = xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? ""
            let value = xmlTextReaderConstValue(reader).map { String(cString: $0) } ?? ""
            // Namespace declarations are attributes to libxml2, not to a creditor.
            if xmlTextReaderIsNamespaceDecl(reader) != 1 { result.append((name, value)) }
        } while xmlTextReaderMoveToNextAttribute(reader) == 1
        xmlTextReaderMoveToElement(reader)
        return result
    }

    /// The line of the node at hand. A line past 65535 is exact for text nodes (libxml2 keeps
    /// it beside them); for an element there it is taken from its first text.
    var line: Int {
        guard let reader, let node = xmlTextReaderCurrentNode(reader) else { return parserLine }
        let number = xmlGetLineNo(node)
        return number > 0 ? Int(number) : parserLine
    }

    /// Where the parser is: ahead of the node at hand by up to a few hundred bytes.
    var parserLine: Int {
        guard let reader else { return 0 }
        return Int(xmlTextReaderGetParserLineNumber(reader))
    }

    /// The validator's complaints about the top-level element at hand (call at its end), in
    /// document order. Empty when it is valid.
    func takeValidityIssues() -> [XMLValidityIssue] {
        guard let reader, let node = xmlTextReaderCurrentNode(reader), node.pointee._private != nil else {
            return []
        }
        node.pointee._private = nil
        return state.pendingGroups.isEmpty ? [] : state.pendingGroups.removeFirst()
    }

    /// Complaints about the root element itself: its name, namespace or attributes.
    var documentIssues: [XMLValidityIssue] { state.documentIssues }
}

/// The reader's file descriptor, fed to libxml2 through its I/O callbacks, so that libxml2
/// never opens anything itself (and never decompresses a gzip bomb it was handed).
private final class XMLInput {
    let fd: Int32
    let path: String

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    static let read: xmlInputReadCallback = { context, buffer, length in
        guard let context, let buffer, length > 0 else { return -1 }
        let input = Unmanaged<XMLInput>.fromOpaque(context).takeUnretainedValue()
        while true {
            let count = Glibc.read(input.fd, buffer, Int(length))
            if count < 0 && errno == EINTR { continue }
            return count < 0 ? -1 : Int32(count)
        }
    }

    static let close: xmlInputCloseCallback = { context in
        guard let context else { return 0 }
        let input = Unmanaged<XMLInput>.fromOpaque(context).takeRetainedValue()
        return Glibc.close(input.fd)
    }
}

/// What libxml2's error callback learns while parsing, kept for the reader.
///
/// libxml2 validates as it parses, which is ahead of the node the reader is on, so a validity
/// message cannot be matched to "the current node". It is matched to the top-level element
/// being parsed when it is raised: that element is marked (through its `_private` field, which
/// libxml2 leaves to applications), and the reader takes the marked element's messages, in
/// order, when it reaches that element's end.
private final class XMLReaderState {
    let reader: xmlTextReaderPtr
    var fatal: XMLDocumentProblem?
    var pendingGroups: [[XMLValidityIssue]] = []
    var documentIssues: [XMLValidityIssue] = []
    /// The document libxml2 builds as it goes; only the nodes between the reader and the parser
    /// are alive in it. Asking for it makes Relais, not the reader, responsible for freeing it.
    var document: xmlDocPtr?
    private var lastMarked: UnsafeMutablePointer<xmlNode>?

    init(reader: xmlTextReaderPtr) { self.reader = reader }

    static let onError: xmlStructuredErrorFunc = { context, error in
        guard let context, let error else { return }
        let state = Unmanaged<XMLReaderState>.fromOpaque(context).takeUnretainedValue()
        state.note(error.pointee)
    }

    private func note(_ error: xmlError) {
        let message = XMLSafety.clean(error.message)
        if error.domain == Int32(XML_FROM_SCHEMASV.rawValue) {
            noteValidity(
                XMLValidityIssue(
                    line: Int(error.line), element: Self.elementNamed(in: message),
                    message: message))
            return
        }
        guard error.level.rawValue >= XML_ERR_ERROR.rawValue, fatal == nil else { return }
        var reason = message
        let bombs = [XML_ERR_ENTITY_LOOP, XML_ERR_ENTITY_BOUNDARY].map { Int32($0.rawValue) }
        let undeclared = [XML_ERR_UNDECLARED_ENTITY, XML_WAR_UNDECLARED_ENTITY].map { Int32($0.rawValue) }
        if bombs.contains(error.code) {
            reason = "an entity expansion bomb (\(message)); the document is refused as hostile"
        } else if undeclared.contains(error.code) {
            reason =
                "\(message): the document uses an entity it does not declare, and Relais loads no "
                + "DTD that could declare it (nothing is fetched)"
        }
        fatal = XMLDocumentProblem(line: Int(error.line), reason: reason)
    }

    private func noteValidity(_ issue: XMLValidityIssue) {
        if document == nil { document = xmlTextReaderCurrentDoc(reader) }
        guard let document, let root = xmlDocGetRootElement(document),
            var target = root.pointee.last
        else {
            documentIssues.append(issue)
            return
        }
        // The root's last child is the top-level element being parsed; text between elements
        // is skipped back over.
        while target.pointee.type != XML_ELEMENT_NODE {
            guard let previous = target.pointee.prev else {
                documentIssues.append(issue)
                return
            }
            target = previous
        }
        if target.pointee._private != nil, target == lastMarked, !pendingGroups.isEmpty {
            pendingGroups[pendingGroups.count - 1].append(issue)
        } else {
            // Any non-null value marks; it is never dereferenced.
            target.pointee._private = UnsafeMutableRawPointer(bitPattern: 1)
            lastMarked = target
            pendingGroups.append([issue])
        }
    }

    /// `Element 'amount': …` names `amount`; `Element 'a', attribute 'b': …` names `a/@b`.
    static func elementNamed(in message: String) -> String? {
        guard message.hasPrefix("Element '") else { return nil }
        let rest = message.dropFirst("Element '".count)
        guard let end = rest.firstIndex(of: "'") else { return nil }
        let element = String(rest[..<end])
        let after = rest[rest.index(after: end)...]
        if after.hasPrefix(", attribute '") {
            let attribute = after.dropFirst(", attribute '".count).prefix { $0 != "'" }
            return "\(element)/@\(attribute)"
        }
        return element
    }
}
