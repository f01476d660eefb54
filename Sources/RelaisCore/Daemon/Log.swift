import Glibc

/// The daemon's log: one line per event on standard error, a fixed message then `key=value`
/// fields, so that an operator can grep and a machine can parse.
///
/// Values are quoted when they hold spaces, quotes or `=`. Nothing personal is ever passed here:
/// no SIN, no full date of birth, no password or key; callers log references and counts.
public struct Log: Sendable {
    public var level: LogLevel

    public init(level: LogLevel = .info) { self.level = level }

    public func debug(_ message: StaticString, _ fields: KeyValuePairs<String, String> = [:]) {
        write(.debug, message, fields)
    }

    public func info(_ message: StaticString, _ fields: KeyValuePairs<String, String> = [:]) {
        write(.info, message, fields)
    }

    public func warning(_ message: StaticString, _ fields: KeyValuePairs<String, String> = [:]) {
        write(.warning, message, fields)
    }

    public func error(_ message: StaticString, _ fields: KeyValuePairs<String, String> = [:]) {
        write(.error, message, fields)
    }

    /// For fields gathered at run time.
    public func debug(_ message: StaticString, pairs: [(String, String)]) {
        write(.debug, message, pairs.map { (key: $0.0, value: $0.1) })
    }

    private func write(_ at: LogLevel, _ message: StaticString, _ fields: KeyValuePairs<String, String>) {
        write(at, message, fields.map { (key: $0.key, value: $0.value) })
    }

    private func write(_ at: LogLevel, _ message: StaticString, _ fields: [(key: String, value: String)]) {
        guard at >= level else { return }
        var line = Timestamp.now() + " " + Self.levelName(at) + " " + message.description
        for (key, value) in fields { line += " \(key)=\(Self.quote(value))" }
        line += "\n"
        // One write(2) per line, so that lines from two processes never interleave.
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }

    static func levelName(_ level: LogLevel) -> String {
        switch level {
        case .debug: return "debug"
        case .info: return "info"
        case .warning: return "warning"
        case .error: return "error"
        }
    }

    /// A value as it stands in a log line: bare when it is a plain word, else quoted with JSON's
    /// escapes, so that no line break or terminal escape sequence from a file reaches the log raw.
    static func quote(_ value: String) -> String {
        let plain =
            !value.isEmpty
            && value.unicodeScalars.allSatisfy {
                $0.value > 0x20 && $0.value != 0x7F && $0 != "\"" && $0 != "=" && $0 != "\\"
                    && !(0x80...0x9F).contains($0.value)
            }
        return plain ? value : JSONText.string(value)
    }
}
