import Foundation

/// One word of a faxed list as OCR read it, with where it sits on its page.
///
/// For tesseract TSV the box is in pixels and `confidence` is tesseract's (0–100); for plain
/// text the box is in characters (column, line) and there is no confidence.
struct OCRWord: Sendable, Equatable {
    var text: String
    var page: Int
    var left: Int
    var top: Int
    var width: Int
    var height: Int
    var confidence: Double?
    /// The tesseract line (page, block, paragraph, line) the word was in; for plain text, its
    /// line number.
    var group: [Int]

    var right: Int { left + width }
    var bottom: Int { top + height }
    var centerX: Double { Double(left) + Double(width) / 2 }

    /// A mark left by a ruled line or speckle: no letter, digit or currency sign in it.
    var isNoise: Bool {
        !text.unicodeScalars.contains {
            $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "$"
        }
    }
}

/// The words of a faxed list, in reading order, from tesseract's TSV or plain text output.
struct OCRText: Sendable {
    enum Kind: String, Sendable { case tsv, text }

    var kind: Kind
    var words: [OCRWord]
    /// Plain text only: each physical line's words, by line number (1-based).
    var lines: [(number: Int, text: String)] = []

    /// Reads tesseract TSV: a header line, then one line per element; only level 5 (words)
    /// carries text. Throws a `FileRefusal` when the file is not TSV of that shape.
    static func tsv(_ text: String) throws -> OCRText {
        var words: [OCRWord] = []
        var lineNumber = 0
        var sawHeader = false
        for line in text.split(
            omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        {
            lineNumber += 1
            if line.isEmpty { continue }
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false)
            if !sawHeader {
                guard cells.first == "level", cells.count >= 12 else {
                    throw FileRefusal(
                        "line 1: not tesseract TSV (expected the header \"level page_num block_num "
                            + "par_num line_num word_num left top width height conf text\")")
                }
                sawHeader = true
                continue
            }
            guard cells.count >= 11, let level = Int(cells[0]) else {
                throw FileRefusal(
                    "line \(lineNumber): not a tesseract TSV row (\(cells.count) fields)")
            }
            guard level == 5, cells.count >= 12 else { continue }
            let numbers = cells[1..<10].map { Int($0) }
            guard numbers.allSatisfy({ $0 != nil }), let confidence = Double(cells[10]) else {
                throw FileRefusal(
                    "line \(lineNumber): a word's position or confidence is not a number")
            }
            let n = numbers.map { $0! }
            let word = cells[11...].joined(separator: "\t").trimmedField
            guard !word.isEmpty else { continue }
            words.append(
                OCRWord(
                    text: word, page: n[0], left: n[5], top: n[6], width: n[7], height: n[8],
                    confidence: confidence, group: [n[0], n[1], n[2], n[3]]))
        }
        guard sawHeader else { throw FileRefusal("the file is empty: no tesseract TSV header") }
        return OCRText(kind: .tsv, words: words)
    }

    /// Reads plain OCR text: words split on spaces, placed by character column and line. A form
    /// feed (tesseract's page separator) starts a new page.
    static func plain(_ text: String) -> OCRText {
        var words: [OCRWord] = []
        var lines: [(Int, String)] = []
        var page = 1
        var number = 0
        for rawLine in text.split(
            omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        {
            number += 1
            var line = String(rawLine)
            if line.contains("\u{0C}") {
                page += line.filter { $0 == "\u{0C}" }.count
                line.removeAll { $0 == "\u{0C}" }
            }
            lines.append((number, line))
            var column = 0
            var current = ""
            var start = 0
            for character in line + " " {
                if character.isWhitespace {
                    if !current.isEmpty {
                        words.append(
                            OCRWord(
                                text: current, page: page, left: start, top: number * 10,
                                width: current.count, height: 10, confidence: nil, group: [number]))
                        current = ""
                    }
                } else {
                    if current.isEmpty { start = column }
                    current.append(character)
                }
                column += 1
            }
        }
        return OCRText(kind: .text, words: words, lines: lines)
    }
}
