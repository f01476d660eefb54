/// Where a field is found in a client's file: under a column name, or at a position (1-based)
/// when the file has no header.
public enum ColumnSelector: Sendable, Equatable {
    case name(String)
    case position(Int)
}

/// What the configuration says of one client's files, where the file cannot say it itself.
public struct ClientProfile: Sendable, Equatable {
    public var encoding: TextEncoding?
    public var delimiter: UInt8?
    /// Whether the first record is a header. Nil: decided from the record itself.
    public var hasHeader: Bool?
    public var columns: [AssignmentField: ColumnSelector]
    public var dateOrder: DateOrder?
    public var amountStyle: AmountStyle
    public var defaultKind: CaseKind?
    /// The form of the client's files; nil: decided by each file's content.
    public var format: AssignmentFileFormat?
    /// Where the client's own XML layout puts each field.
    public var xml: XMLMapping?
    /// Where each field is on the lines of the client's fixed-width files.
    public var fixedWidth: FixedWidthLayout?
    /// Relais's assignment schema (`relais-assignment.xsd`), from the configuration's
    /// `xmlSchema` key.
    public var xmlSchema: String?

    public init(
        encoding: TextEncoding? = nil, delimiter: UInt8? = nil, hasHeader: Bool? = nil,
        columns: [AssignmentField: ColumnSelector] = [:], dateOrder: DateOrder? = nil,
        amountStyle: AmountStyle = .auto, defaultKind: CaseKind? = nil, format: AssignmentFileFormat? = nil,
        xml: XMLMapping? = nil, fixedWidth: FixedWidthLayout? = nil, xmlSchema: String? = nil
    ) {
        self.encoding = encoding
        self.delimiter = delimiter
        self.hasHeader = hasHeader
        self.columns = columns
        self.dateOrder = dateOrder
        self.amountStyle = amountStyle
        self.defaultKind = defaultKind
        self.format = format
        self.xml = xml
        self.fixedWidth = fixedWidth
        self.xmlSchema = xmlSchema
    }

    public static let none = ClientProfile()
}
