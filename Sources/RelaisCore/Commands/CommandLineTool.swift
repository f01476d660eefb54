import Glibc

/// A mistake in how a command was called, or a setting it cannot use: exit code 2 and one line
/// on standard error.
public struct UsageError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The options and operands of one command: `--key value`, `--flag`, and the rest in order.
public struct Arguments {
    var options: [String: String] = [:]
    var flags: Set<String> = []
    public var operands: [String] = []

    /// Splits `words`; `valued` are the options that take a value, `flagNames` those that do not.
    public init(_ words: [String], valued: Set<String>, flagNames: Set<String> = []) throws {
        var index = 0
        while index < words.count {
            let word = words[index]
            if word == "--" {
                operands.append(contentsOf: words[(index + 1)...])
                break
            }
            if word.hasPrefix("--") {
                var name = String(word.dropFirst(2))
                var value: String?
                if let equals = name.firstIndex(of: "=") {
                    value = String(name[name.index(after: equals)...])
                    name = String(name[..<equals])
                }
                if valued.contains(name) {
                    if value == nil {
                        index += 1
                        // "--by --config F" is a forgotten value, not a name beginning with dashes.
                        guard index < words.count, !words[index].hasPrefix("--") else {
                            throw UsageError("--\(name) needs a value")
                        }
                        value = words[index]
                    }
                    options[name] = value
                } else if flagNames.contains(name), value == nil {
                    flags.insert(name)
                } else {
                    throw UsageError("unknown option --\(name)")
                }
            } else {
                operands.append(word)
            }
            index += 1
        }
    }

    public subscript(option: String) -> String? { options[option] }
    public func has(_ flag: String) -> Bool { flags.contains(flag) }

    public func required(_ option: String) throws -> String {
        guard let value = options[option] else { throw UsageError("--\(option) is required") }
        return value
    }
}

/// One command of `relais`.
public struct Command: Sendable {
    public let name: String
    public let summary: String
    public let usage: String
    public let run: @Sendable ([String]) throws -> Int32

    public init(
        name: String, summary: String, usage: String, run: @escaping @Sendable ([String]) throws -> Int32
    ) {
        self.name = name
        self.summary = summary
        self.usage = usage
        self.run = run
    }
}

/// The `relais` command line: finds the command, runs it, and turns its errors into one line on
/// standard error and an exit code.
public enum RelaisCommandLine {
    public static let version = "0.1.0"

    public static var commands: [Command] {
        [
            ServeCommand.command, IngestCommand.command, InventoryCommand.command, ReviewCommand.command,
            SFTPCommand.command, BureauCommand.command,
        ]
    }

    public static func main(_ arguments: [String]) -> Int32 {
        let words = Array(arguments.dropFirst())
        guard let first = words.first else {
            printError(overview())
            return 2
        }
        switch first {
        case "--help", "-h":
            printOut(overview())
            return 0
        case "help" where words.count == 1:
            printOut(overview())
            return 0
        case "--version", "-V", "version":
            printOut("relais \(version)")
            return 0
        case "help":
            guard let command = commands.first(where: { $0.name == words[1] }) else {
                printError("relais: no command \"\(words[1])\"; see relais --help")
                return 2
            }
            printOut(command.usage)
            return 0
        default:
            break
        }
        guard let command = commands.first(where: { $0.name == first }) else {
            printError("relais: no command \"\(first)\"; see relais --help")
            return 2
        }
        let rest = Array(words.dropFirst())
        if rest.contains("--help") || rest.contains("-h") {
            printOut(command.usage)
            return 0
        }
        do {
            return try command.run(rest)
        } catch let error as UsageError {
            printError("relais \(command.name): \(error.message)")
            return 2
        } catch let error as ConfigurationError {
            printError("relais \(command.name): configuration: \(error.message)")
            return 2
        } catch {
            printError("relais \(command.name): \(error)")
            return 1
        }
    }

    static func overview() -> String {
        var text = """
            relais \(version): the intake and exchange gateway of a collection agency.

            Usage: relais COMMAND [OPTIONS]

            Commands:

            """
        for command in commands {
            text +=
                "  " + command.name.padding(toLength: 12, withPad: " ", startingAt: 0) + command.summary
                + "\n"
        }
        text += """

            Every command takes --config FILE (default: $RELAIS_CONFIG, else /etc/relais/relais.json).
            relais help COMMAND    what a command does and its options
            relais --version       the version
            """
        return text
    }

    /// The configuration named by `--config`, `RELAIS_CONFIG`, or the system default.
    static func configuration(_ arguments: Arguments) throws -> Configuration {
        let path =
            arguments["config"] ?? getenv("RELAIS_CONFIG").map { String(cString: $0) }
            ?? "/etc/relais/relais.json"
        return try Configuration.load(path)
    }

    static func client(_ configuration: Configuration, _ id: String) throws -> ClientConfiguration {
        guard let client = configuration.client(id) else {
            let known = configuration.clients.map(\.id).joined(separator: ", ")
            throw UsageError("unknown client \"\(id)\" (configured: \(known.isEmpty ? "none" : known))")
        }
        return client
    }

    /// Opens the case store, creating its folder, and registers the configured clients.
    static func openStore(_ configuration: Configuration) throws -> CaseStore {
        try AtomicFile.makeFolder(AtomicFile.parentFolder(configuration.store))
        let store = try CaseStore(path: configuration.store)
        try store.register(clients: configuration.clients.map { ($0.id, $0.name, $0.language) })
        return store
    }

    public static func printOut(_ text: String) {
        var bytes = Array((text.hasSuffix("\n") ? text : text + "\n").utf8)
        _ = bytes.withUnsafeMutableBytes { write(1, $0.baseAddress, $0.count) }
    }

    public static func printError(_ text: String) {
        var bytes = Array((text.hasSuffix("\n") ? text : text + "\n").utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }
}

enum IngestCommand {
    static let command = Command(
        name: "ingest", summary: "take files once, as the daemon would, and print what became of each",
        usage: """
            Usage: relais ingest --config FILE --client ID --channel CHANNEL [--again] FILE...

            Reads each FILE (assignments, or client updates) from client ID received through
            CHANNEL (drop, sftp, portal, fax, mail, email), records it in the case store exactly
            once, writes the client's documents, and archives a copy (the file itself is left in
            place). Prints one JSON object per file: file, status (ingested, duplicate-file,
            refused), fileNumber, accepted, updates, duplicates, rejected, inReview,
            rejects [{line, field, reason}], duplicateRows [{line, clientRef, ourRef}],
            listsTruncated, unusedColumns, reason, acknowledgement, rejectReport, and
            controlTotal when the file prints one.
            --again reads a file whose content was ingested before (after its client's profile
            was corrected, say): rows that became cases the first time are then duplicates.
            Exits 0 when every file was processed, whatever its rows held.
            """,
        run: run)

    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, valued: ["config", "client", "channel"], flagNames: ["again"])
        let configuration = try RelaisCommandLine.configuration(arguments)
        let client = try RelaisCommandLine.client(configuration, try arguments.required("client"))
        let channelName = try arguments.required("channel")
        guard let channel = Channel(rawValue: channelName) else {
            throw UsageError(
                "\"\(channelName)\" is not a channel "
                    + "(\(Channel.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        guard !arguments.operands.isEmpty else { throw UsageError("no FILE given") }
        let store = try RelaisCommandLine.openStore(configuration)
        let intake = Intake(
            configuration: configuration, store: store, log: Log(level: max(.warning, configuration.logLevel))
        )
        var failed = false
        for path in arguments.operands {
            do {
                let result = try intake.ingest(
                    path: path, client: client, channel: channel, source: "command line",
                    disposal: .copy, again: arguments.has("again"))
                RelaisCommandLine.printOut(result.json)
            } catch {
                failed = true
                RelaisCommandLine.printError("relais ingest: \(path): \(error)")
            }
        }
        try store.close()
        return failed ? 1 : 0
    }
}

enum InventoryCommand {
    static let command = Command(
        name: "inventory", summary: "print a client's inventory of cases",
        usage: """
            Usage: relais inventory --config FILE --client ID [--format csv|json] [--outbox]

            Prints every case of the client: our reference, the client's reference, the debtor,
            the opening date, the amount assigned, the amount recovered, the status and
            sub-status, and the agency's overall performance. CSV by default.
            With --outbox, writes it into the client's outbox folder instead, and prints the path.
            """,
        run: run)

    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, valued: ["config", "client", "format"], flagNames: ["outbox"])
        let configuration = try RelaisCommandLine.configuration(arguments)
        let client = try RelaisCommandLine.client(configuration, try arguments.required("client"))
        let formatName = arguments["format"] ?? "csv"
        guard let format = Inventory.Format(rawValue: formatName) else {
            throw UsageError("--format must be csv or json, not \"\(formatName)\"")
        }
        let store = try RelaisCommandLine.openStore(configuration)
        let inventory = Inventory(store: store, client: client)
        if arguments.has("outbox") {
            let path =
                "\(configuration.outbox)/\(client.id)/inventory-\(CalendarDate.today().iso).\(format.rawValue)"
            try AtomicFile.write(to: path) { sink in try inventory.write(format, to: sink) }
            try store.recordDocument(clientID: client.id, kind: "inventory", path: path, fileID: nil)
            RelaisCommandLine.printOut(path)
        } else {
            try inventory.write(format, to: FileSink.standardOutput())
        }
        try store.close()
        return 0
    }
}
