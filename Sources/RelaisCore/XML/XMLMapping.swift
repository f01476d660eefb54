/// Where an XML layout puts each field of an assignment: the path from the root to the element
/// that is one record, and for each field a path below that element to an element's text
/// (`Debiteur/Nom`) or to an attribute (`Solde/@valeur`, `@numero`).
///
/// Names are compared by local name: a creditor's namespace prefixes do not matter. Paths are
/// plain steps; a wildcard, a predicate or `//` is not taken, because a record must be found
/// at one place to be streamed.
public struct XMLMapping: Sendable, Equatable {
    /// Element names from the root down to the record element.
    public var record: [String]
    /// Each field's path below the record element, as configured.
    public var fields: [AssignmentField: String]

    /// A mapping from the paths a profile writes; the error says which path is wrong and why.
    public init(record: String, fields: [AssignmentField: String]) throws(XMLMappingError) {
        guard record.hasPrefix("/"), !record.hasPrefix("//") else {
            throw XMLMappingError(path: record, reason: "the record path starts at the root: /Export/Compte")
        }
        let steps = record.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(
            String.init)
        for step in steps where !Self.isName(step) {
            throw XMLMappingError(path: record, reason: "\(step.quotedForReason) is not an element name")
        }
        guard !fields.isEmpty else {
            throw XMLMappingError(path: record, reason: "the mapping gives no field")
        }
        for (_, path) in fields {
            _ = try Self.steps(of: path)
        }
        self.record = steps
        self.fields = fields
    }

    /// Relais's own format: `<assignments>` of `<assignment>`, one element per field, named as
    /// the field is (`clientReference`, `amount`…).
    public static let relais: XMLMapping = {
        var fields: [AssignmentField: String] = [:]
        for field in AssignmentField.allCases { fields[field] = field.rawValue }
        return try! XMLMapping(record: "/assignments/assignment", fields: fields)
    }()

    /// Relais's own format for client updates: `<updates>` of `<update>`.
    public static let relaisUpdates: XMLMapping = {
        var fields: [AssignmentField: String] = [:]
        for field in AssignmentField.allCases { fields[field] = field.rawValue }
        return try! XMLMapping(record: "/updates/update", fields: fields)
    }()

    /// The namespace of Relais's own format.
    public static let relaisNamespace = "urn:relais:assignment:1"

    /// The element steps of a field path, and the attribute it ends on if any.
    static func steps(of path: String) throws(XMLMappingError) -> (elements: [String], attribute: String?) {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !path.isEmpty, !path.hasPrefix("/") else {
            throw XMLMappingError(
                path: path, reason: "a field path is relative to the record element: NoCompte")
        }
        var attribute: String?
        if let last = parts.last, last.hasPrefix("@") {
            attribute = String(last.dropFirst())
            parts.removeLast()
            guard Self.isName(attribute!) else {
                throw XMLMappingError(path: path, reason: "\(last.quotedForReason) is not an attribute name")
            }
        }
        for step in parts where !Self.isName(step) {
            throw XMLMappingError(path: path, reason: "\(step.quotedForReason) is not an element name")
        }
        guard !parts.isEmpty || attribute != nil else {
            throw XMLMappingError(path: path, reason: "the path names no element and no attribute")
        }
        return (parts, attribute)
    }

    /// An XML name's local part: letters, digits, `_ - .`, not starting with a digit, `-` or `.`.
    /// A prefix (`ns:Compte`) is allowed and ignored.
    static func isName(_ text: String) -> Bool {
        let local = text.split(separator: ":").last.map(String.init) ?? text
        guard let first = local.unicodeScalars.first,
            text.split(separator: ":", omittingEmptySubsequences: false).count <= 2,
            first.properties.isAlphabetic || first == "_"
        else { return false }
        return local.unicodeScalars.allSatisfy {
            $0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0)
        }
    }

    /// The local name of a step: `ns:Compte` is `Compte`.
    static func local(_ step: String) -> String {
        step.split(separator: ":").last.map(String.init) ?? step
    }
}

/// A path of an XML mapping that cannot be used, and why.
public struct XMLMappingError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path.quotedForReason): \(reason)" }
}

/// The fields of a mapping as a tree of element names, walked one element at a time while
/// the document streams by.
final class XMLPathNode {
    var children: [String: XMLPathNode] = [:]
    /// The field read from this element's text.
    var field: AssignmentField?
    /// The fields read from this element's attributes, by attribute name.
    var attributes: [String: AssignmentField] = [:]

    /// The tree of a mapping's field paths, rooted at the record element.
    static func tree(of mapping: XMLMapping) -> XMLPathNode {
        let root = XMLPathNode()
        for (field, path) in mapping.fields {
            guard let (elements, attribute) = try? XMLMapping.steps(of: path) else { continue }
            var node = root
            for step in elements.map(XMLMapping.local) {
                if let child = node.children[step] {
                    node = child
                } else {
                    let child = XMLPathNode()
                    node.children[step] = child
                    node = child
                }
            }
            if let attribute {
                node.attributes[XMLMapping.local(attribute)] = field
            } else {
                node.field = field
            }
        }
        return root
    }
}
