/// A check of JSON text against the grammar of RFC 8259, before it is decoded: Foundation's
/// decoder accepts a key given twice (keeping one of the two in silence) and a trailing comma,
/// and in a configuration either is a guess about what the operator meant.
enum StrictJSON {
    struct Problem: Error {
        let message: String
        let line: Int
    }

    /// Throws at the first place the text is not strict JSON, with its line.
    static func check(_ bytes: [UInt8]) throws {
        var parser = Parser(bytes: bytes)
        try parser.skipBOM()
        try parser.value(path: "")
        parser.skipSpace()
        if parser.index < bytes.count {
            throw parser.problem("unexpected text after the end of the JSON value")
        }
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0
        var line = 1
        var depth = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        func problem(_ message: String) -> Problem { Problem(message: message, line: line) }

        mutating func skipBOM() throws {
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) {
                if bytes[index] == 0x0A { line += 1 }
                index += 1
            }
        }

        mutating func expect(_ byte: UInt8, _ what: String) throws {
            skipSpace()
            guard index < bytes.count, bytes[index] == byte else { throw problem("expected \(what)") }
            index += 1
        }

        mutating func value(path: String) throws {
            skipSpace()
            guard index < bytes.count else { throw problem("the text ends where a value was expected") }
            depth += 1
            defer { depth -= 1 }
            guard depth < 100 else { throw problem("the JSON is nested more than 100 levels deep") }
            switch bytes[index] {
            case UInt8(ascii: "{"): try object(path: path)
            case UInt8(ascii: "["): try array(path: path)
            case UInt8(ascii: "\""): _ = try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default: try number()
            }
        }

        mutating func object(path: String) throws {
            index += 1
            var keys: Set<[UInt8]> = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return
            }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    throw problem("expected a key in quotes (a comma before a closing brace is not JSON)")
                }
                let key = try string()
                let name = String(decoding: key, as: UTF8.self)
                let keyPath = path.isEmpty ? name : "\(path).\(name)"
                guard keys.insert(key).inserted else {
                    throw problem("\(keyPath): the key is given twice")
                }
                try expect(UInt8(ascii: ":"), "a colon after the key \(keyPath)")
                try value(path: keyPath)
                skipSpace()
                guard index < bytes.count else { throw problem("the text ends inside an object") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                try expect(UInt8(ascii: "}"), "a comma or a closing brace")
                return
            }
        }

        mutating func array(path: String) throws {
            index += 1
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return
            }
            var position = 0
            while true {
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    throw problem("a comma before a closing bracket is not JSON")
                }
                try value(path: "\(path)[\(position)]")
                position += 1
                skipSpace()
                guard index < bytes.count else { throw problem("the text ends inside a list") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                try expect(UInt8(ascii: "]"), "a comma or a closing bracket")
                return
            }
        }

        /// The string's raw bytes between its quotes (escapes left as written: enough to compare keys
        /// given twice in the same spelling).
        mutating func string() throws -> [UInt8] {
            index += 1
            let start = index
            while index < bytes.count {
                let b = bytes[index]
                if b == UInt8(ascii: "\"") {
                    index += 1
                    return Array(bytes[start..<(index - 1)])
                }
                if b == UInt8(ascii: "\\") { index += 1 }
                if b < 0x20 { throw problem("a control character inside a string must be escaped") }
                index += 1
            }
            throw problem("a string is never closed")
        }

        mutating func literal(_ word: String) throws {
            let expected = Array(word.utf8)
            guard bytes.count - index >= expected.count,
                Array(bytes[index..<(index + expected.count)]) == expected
            else { throw problem("unexpected text where a value was expected") }
            index += expected.count
        }

        mutating func number() throws {
            let start = index
            while index < bytes.count, "+-0123456789.eE".utf8.contains(bytes[index]) { index += 1 }
            guard index > start else { throw problem("unexpected text where a value was expected") }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            guard let value = Double(text), value.isFinite else {
                throw problem("\(text) is not a number a configuration can hold")
            }
        }
    }
}
