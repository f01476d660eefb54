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

    public init(
        encoding: TextEncoding? = nil, delimiter: UInt8? = nil, hasHeader: Bool? = nil,
        columns: [AssignmentField: ColumnSelector] = [:], dateOrder: DateOrder? = nil,
        amountStyle: AmountStyle = .auto, defaultKind: CaseKind? = nil
    ) {
        self.encoding = encoding
        self.delimiter = delimiter
        self.hasHeader = hasHeader
        self.columns = columns
        self.dateOrder = dateOrder
        self.amountStyle = amountStyle
        self.defaultKind = defaultKind
    }

    public static let none = ClientProfile()
}
