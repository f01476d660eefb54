import Foundation

/// A configuration that cannot be used: where in the file, and what is wrong.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A JSON value, decoded strictly: `true` is a boolean, never the number 1.
enum JSONValue: Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? container.decode(Double.self) {
            self = .number(n)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let a = try? container.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }
}

/// One value of the configuration's JSON, with its path (`clients[2].profile.dateOrder`) so
/// that every complaint names the key. Objects are read strictly: a key nobody asked for is an
/// error, so a misspelt key is never silently ignored.
struct ConfigNode {
    let value: JSONValue
    let path: String

    static func parse(_ data: Data, file: String) throws -> ConfigNode {
        do {
            try StrictJSON.check(Array(data))
        } catch let problem as StrictJSON.Problem {
            throw ConfigurationError("\(file): not valid JSON: line \(problem.line): \(problem.message)")
        }
        do {
            return ConfigNode(value: try JSONDecoder().decode(JSONValue.self, from: data), path: "")
        } catch let DecodingError.dataCorrupted(context) {
            let detail =
                (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            throw ConfigurationError("\(file): not valid JSON: \(detail ?? context.debugDescription)")
        } catch {
            throw ConfigurationError("\(file): not valid JSON: \(error)")
        }
    }

    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    var displayPath: String { path.isEmpty ? "the top level" : path }

    /// The object's members, refusing any key not in `allowed`.
    func object(allowed: Set<String>) throws -> ConfigObject {
        guard case .object(let dictionary) = value else {
            throw ConfigurationError("\(displayPath): expected an object")
        }
        for key in dictionary.keys.sorted() where !allowed.contains(key) {
            throw ConfigurationError(
                "\(child(key)): unknown key (known keys here: \(allowed.sorted().joined(separator: ", ")))")
        }
        return ConfigObject(members: dictionary, node: self)
    }

    func string() throws -> String {
        guard case .string(let text) = value else {
            throw ConfigurationError("\(displayPath): expected a string")
        }
        return text
    }

    var isString: Bool { if case .string = value { return true } else { return false } }

    func number() throws -> Double {
        guard case .number(let n) = value else {
            throw ConfigurationError("\(displayPath): expected a number")
        }
        return n
    }

    func integer() throws -> Int {
        let n = try number()
        guard n == n.rounded(), abs(n) < 1e15 else {
            throw ConfigurationError("\(displayPath): expected a whole number")
        }
        return Int(n)
    }

    func bool() throws -> Bool {
        guard case .bool(let b) = value else {
            throw ConfigurationError("\(displayPath): expected true or false")
        }
        return b
    }

    func array() throws -> [ConfigNode] {
        guard case .array(let list) = value else {
            throw ConfigurationError("\(displayPath): expected a list")
        }
        return list.enumerated().map { ConfigNode(value: $1, path: "\(path)[\($0)]") }
    }

    /// A string that must be one of a fixed set of words.
    func choice<T>(_ options: [String: T]) throws -> T {
        let text = try string()
        guard let result = options[text] else {
            throw ConfigurationError(
                "\(displayPath): \(JSONText.string(text)) is not one of "
                    + options.keys.sorted().map(JSONText.string).joined(separator: ", "))
        }
        return result
    }
}

/// The members of one configuration object.
struct ConfigObject {
    let members: [String: JSONValue]
    let node: ConfigNode

    func optional(_ key: String) -> ConfigNode? {
        guard let value = members[key] else { return nil }
        if case .null = value { return nil }
        return ConfigNode(value: value, path: node.child(key))
    }

    /// A number of seconds under `key`, above 0 and at most a day; `fallback` when absent.
    func seconds(_ key: String, default fallback: Double) throws -> Double {
        guard let n = optional(key) else { return fallback }
        let value = try n.number()
        guard value > 0, value <= 86_400 else {
            throw ConfigurationError(
                "\(n.path): expected a number of seconds above 0 and at most 86400, not \(value)")
        }
        return value
    }

    /// A file path under `key`, taken from `folder` when relative; nil when absent.
    func path(_ key: String, folder: String) throws -> String? {
        guard let n = optional(key) else { return nil }
        let raw = try n.string()
        guard !raw.isEmpty else { throw ConfigurationError("\(n.path): must not be empty") }
        return raw.hasPrefix("/")
            ? raw : URL(fileURLWithPath: folder).appendingPathComponent(raw).standardizedFileURL.path
    }

    func required(_ key: String) throws -> ConfigNode {
        guard let value = optional(key) else {
            throw ConfigurationError("\(node.child(key)): required key is missing")
        }
        return value
    }
}
