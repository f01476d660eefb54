/// One row of a faxed list: the words OCR placed on one printed line, left to right.
struct OCRRow: Sendable {
    /// The row's number in the list as read (1-based, counted across pages): the "line" of
    /// review items and reject rows.
    var number: Int
    var page: Int
    var words: [OCRWord]

    var text: String { words.map(\.text).joined(separator: " ") }
    var medianHeight: Int {
        let heights = words.map(\.height).sorted()
        return heights.isEmpty ? 10 : heights[heights.count / 2]
    }
}

/// A column of the list, anchored on its heading's words. `field` is nil for a heading the
/// dictionary does not know: its column still takes its words, so that they are not given to
/// a neighbour.
struct ColumnAnchor: Sendable, Equatable {
    var field: AssignmentField?
    var heading: String
    var left: Int
    var right: Int
}

/// A field's text in one row, with what OCR said of it.
struct OCRCell: Sendable {
    var text: String
    /// The lowest confidence of its words; nil for plain text.
    var confidence: Double?
    var lowestWord: String
}

/// How a faxed list's rows and columns are rebuilt from OCR words: rows from vertical
/// positions (corrected for the page's skew), the header from French and English column
/// words, and each row's fields from word positions anchored on the header's words.
enum FaxListLayout {
    /// The rows of the OCR output, in reading order.
    static func rows(_ text: OCRText) -> [OCRRow] {
        let words = text.words.filter { !$0.isNoise }
        var rows: [OCRRow] = []
        if text.kind == .text {
            var byLine: [Int: [OCRWord]] = [:]
            for word in words { byLine[word.group[0], default: []].append(word) }
            for line in byLine.keys.sorted() {
                let lineWords = byLine[line]!
                rows.append(OCRRow(number: line, page: lineWords[0].page, words: lineWords))
            }
            return rows
        }
        for page in Set(words.map(\.page)).sorted() {
            let pageWords = words.filter { $0.page == page }
            let slope = skew(pageWords)
            // The height a row may vary by: half the usual word height.
            let heights = pageWords.map(\.height).sorted()
            let tolerance = Double(heights.isEmpty ? 10 : heights[heights.count / 2]) * 0.6
            let placed = pageWords.map { word -> (Double, OCRWord) in
                (Double(word.top) + Double(word.height) / 2 - slope * word.centerX, word)
            }.sorted { $0.0 < $1.0 }
            var current: [(Double, OCRWord)] = []
            func close() {
                guard !current.isEmpty else { return }
                let ordered = current.map(\.1).sorted { $0.left < $1.left }
                rows.append(OCRRow(number: rows.count + 1, page: page, words: ordered))
                current = []
            }
            for item in placed {
                if let last = current.last, item.0 - last.0 > tolerance { close() }
                current.append(item)
            }
            close()
        }
        return rows
    }

    /// The page's skew as a slope (pixels down per pixel right), from the lines tesseract
    /// grouped: the median of each long line's slope, limited to ±3°.
    static func skew(_ words: [OCRWord]) -> Double {
        var groups: [[Int]: [OCRWord]] = [:]
        for word in words { groups[word.group, default: []].append(word) }
        var slopes: [Double] = []
        for (_, line) in groups where line.count >= 3 {
            let xs = line.map(\.centerX)
            let ys = line.map { Double($0.top) + Double($0.height) / 2 }
            let mx = xs.reduce(0, +) / Double(xs.count)
            let my = ys.reduce(0, +) / Double(ys.count)
            let sxx = zip(xs, xs).map { ($0 - mx) * ($1 - mx) }.reduce(0, +)
            guard sxx > 0 else { continue }
            let sxy = zip(xs, ys).map { ($0 - mx) * ($1 - my) }.reduce(0, +)
            slopes.append(sxy / sxx)
        }
        guard !slopes.isEmpty else { return 0 }
        let median = slopes.sorted()[slopes.count / 2]
        return max(-0.052, min(0.052, median))
    }

    /// The row's columns when it is a header: consecutive words read as the longest heading the
    /// dictionary knows. A header names at least the client reference, the amount and the
    /// debtor's name.
    static func header(_ row: OCRRow) -> [ColumnAnchor]? {
        let words = row.words
        var anchors: [ColumnAnchor] = []
        var index = 0
        while index < words.count {
            var matched = false
            for length in stride(from: min(6, words.count - index), through: 1, by: -1) {
                let phrase = words[index..<(index + length)].map(\.text).joined(separator: " ")
                if let field = HeaderDictionary.field(forHeading: phrase) {
                    anchors.append(
                        ColumnAnchor(
                            field: field, heading: phrase, left: words[index].left,
                            right: words[index + length - 1].right))
                    index += length
                    matched = true
                    break
                }
            }
            if matched { continue }
            // An unknown heading word: kept as a column of its own when it looks like a word,
            // joined to the previous unknown heading when close to it.
            let word = words[index]
            let folded = word.text.foldedForComparison
            if folded.count >= 3 && (word.confidence ?? 100) >= 60 {
                if let last = anchors.last, last.field == nil,
                    word.left - last.right < row.medianHeight
                {
                    anchors[anchors.count - 1].heading += " " + word.text
                    anchors[anchors.count - 1].right = word.right
                } else {
                    anchors.append(
                        ColumnAnchor(
                            field: nil, heading: word.text, left: word.left, right: word.right))
                }
            }
            index += 1
        }
        let fields = Set(anchors.compactMap(\.field))
        guard fields.contains(.clientReference),
            fields.contains(.amount) || fields.contains(.principal),
            !fields.isDisjoint(with: [.debtorName, .lastName, .companyName])
        else { return nil }
        return anchors
    }

    /// Splits a TSV row into its fields by word position. Words closer than a gap form a cell;
    /// each cell belongs to the column whose span (between the midpoints of the gaps between
    /// headings) holds it. A cell that runs across two columns means a column gap was lost: the
    /// row cannot be split with certainty, and the reason says so.
    static func fields(of row: OCRRow, anchors: [ColumnAnchor]) -> (
        cells: [Int: OCRCell], problems: [String]
    ) {
        var cells: [[OCRWord]] = []
        let gap = max(8, Int(Double(row.medianHeight) * 1.4))
        for word in row.words {
            if let last = cells.last?.last, word.left - last.right <= gap {
                cells[cells.count - 1].append(word)
            } else {
                cells.append([word])
            }
        }
        var bounds: [Int] = []
        for index in 0..<(anchors.count - 1) {
            bounds.append((anchors[index].right + anchors[index + 1].left) / 2)
        }
        func column(_ x: Double) -> Int {
            bounds.firstIndex { x < Double($0) } ?? anchors.count - 1
        }

        var result: [Int: [OCRWord]] = [:]
        var problems: [String] = []
        for cell in cells {
            let first = column(Double(cell.first!.left) + 1)
            let last = column(Double(cell.last!.right) - 1)
            if first != last {
                let text = cell.map(\.text).joined(separator: " ")
                problems.append(
                    "\(text.quotedForReason) runs across the columns "
                        + anchors[first].heading.quotedForReason + " and "
                        + anchors[last].heading.quotedForReason
                )
                continue
            }
            result[first, default: []].append(contentsOf: cell)
        }
        return (result.mapValues(cell), problems)
    }

    static func cell(_ words: [OCRWord]) -> OCRCell {
        let lowest = words.min { ($0.confidence ?? 100) < ($1.confidence ?? 100) }
        return OCRCell(
            text: words.map(\.text).joined(separator: " "), confidence: lowest?.confidence,
            lowestWord: lowest?.text ?? "")
    }
}
