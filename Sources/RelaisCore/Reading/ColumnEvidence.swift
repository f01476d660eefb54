/// What a whole file's values prove of each date field's day/month order and each amount
/// field's decimal mark, gathered in a first pass by every reader (CSV columns, XML mappings,
/// fixed-width fields), so that all formats decide by the same rules.
struct ColumnEvidence {
    private var dates: [AssignmentField: DateColumnEvidence] = [:]
    private var marks: [AssignmentField: Set<Character>] = [:]

    /// Notes one record's raw values.
    mutating func note(_ values: [AssignmentField: String], line: Int, reader: DateReader) {
        for (field, text) in values { note(field, text, line: line, reader: reader) }
    }

    /// Notes one raw value of a date or amount field; other fields prove nothing here.
    mutating func note(_ field: AssignmentField, _ text: String, line: Int, reader: DateReader) {
        if field.isDate {
            if case .success(let written) = reader.parse(text) {
                dates[field, default: DateColumnEvidence()].note(written, line: line)
            }
        } else if field.isAmount, let mark = AmountReader.decimalMarkEvidence(text) {
            marks[field, default: []].insert(mark)
        }
    }

    /// Gives the builder each date field's order and each amount field's decimal mark: the
    /// profile's order first, else what the field proves, else what the file's other date
    /// fields prove; a field that proves both orders gets a reason instead.
    func apply(
        to builder: inout AssignmentBuilder, fields: some Sequence<AssignmentField>, profileOrder: DateOrder?
    ) {
        let fileOrders = Set(dates.values.compactMap(\.proven))
        let fileOrder = fileOrders.count == 1 ? fileOrders.first : nil
        for field in fields where field.isDate {
            let evidence = dates[field] ?? DateColumnEvidence()
            if let order = profileOrder {
                builder.dateOrders[field] = order
            } else if evidence.isContradictory {
                builder.dateOrderProblems[field] =
                    "the field mixes day-first dates (line \(evidence.dayFirstLine!)) "
                    + "and month-first dates (line \(evidence.monthFirstLine!)); "
                    + "the client profile must give dateOrder"
            } else if let order = evidence.proven ?? fileOrder {
                builder.dateOrders[field] = order
            }
        }
        for (field, found) in marks where found.count == 1 { builder.decimalMarks[field] = found.first! }
    }
}
