import Foundation

/// Everything Relais is told by its one configuration file. Relative paths are taken from the
/// folder the configuration file is in.
public struct Configuration: Sendable {
    public var file: String
    /// The case store (SQLite file).
    public var store: String
    /// Watched folders: `<inbox>/<client>/<channel>/`.
    public var inbox: String
    /// Where originals go once recorded: `<archive>/<client>/<channel>/<date>/`.
    public var archive: String
    /// Where refused originals go, each with a `.reason` file.
    public var rejected: String
    /// Where documents for clients are written: `<outbox>/<client>/`.
    public var outbox: String
    /// How long a file's size and time must hold still before it is taken, in seconds.
    public var settleSeconds: Double
    /// How often the inbox is scanned in full, whatever inotify says, in seconds.
    public var rescanSeconds: Double
    /// Channels whose assignments get an acknowledgement of receipt.
    public var acknowledgementChannels: Set<Channel>
    public var agency: Agency
    public var clients: [ClientConfiguration]
    /// `info`, or `debug` for routine events too.
    public var logLevel: LogLevel
    /// Where files taken from SFTP servers wait, once downloaded, until they are recorded.
    public var staging: String = ""
    /// The monthly credit-bureau feed; nil when the agency reports to no bureau.
    public var bureaus: BureauConfiguration? = nil

    public struct Agency: Sendable {
        public var name: String
    }

    public func client(_ id: String) -> ClientConfiguration? { clients.first { $0.id == id } }

    /// A folder's path with its symbolic links resolved, as far as it exists: the part that does
    /// not exist yet is kept as written.
    static func realPath(_ path: String) -> String {
        var existing = path
        var rest: [String] = []
        while !existing.isEmpty && existing != "/" {
            if let resolved = realpath(existing, nil) {
                defer { free(resolved) }
                let base = String(cString: resolved)
                return rest.isEmpty ? base : base + "/" + rest.reversed().joined(separator: "/")
            }
            rest.append(String(existing.split(separator: "/").last ?? ""))
            existing = AtomicFile.parentFolder(existing)
        }
        return path
    }

    /// The folders Relais moves files between must be distinct and none inside another, as
    /// they really are (a symbolic link does not make two folders of one): an archive inside the
    /// inbox would be watched as if clients had sent it; a case store inside an inbox would be
    /// taken as a client's file; a bureau outbox inside a client's outbox would be delivered to
    /// that client, with every debtor's SIN.
    func checkFolders() throws {
        var folders = [("inbox", inbox), ("archive", archive), ("rejected", rejected), ("outbox", outbox),
            ("staging", staging), ("the case store's folder", AtomicFile.parentFolder(store))]
        for (bureau, feed) in (bureaus?.feeds ?? [:]).sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            folders.append(("bureaus.\(bureau.rawValue).outbox", feed.outbox))
        }
        let real = folders.map { ($0.0, Self.realPath($0.1)) }
        for (i, a) in real.enumerated() {
            for b in real[(i + 1)...] {
                // The store may sit beside the data folders' parent, never inside one of them.
                let storeRule = a.0 == "the case store's folder" || b.0 == "the case store's folder"
                if a.1 == b.1 {
                    throw ConfigurationError("\(a.0) and \(b.0): both are \(a.1); each needs a folder of its own")
                }
                if a.1.hasPrefix(b.1 + "/") || b.1.hasPrefix(a.1 + "/") {
                    let (inner, outer) = a.1.hasPrefix(b.1 + "/") ? (a, b) : (b, a)
                    if storeRule && inner.0 != "the case store's folder" { continue }
                    throw ConfigurationError(
                        "\(inner.0): \(inner.1) is inside \(outer.0) (\(outer.1)); keep the folders apart")
                }
            }
        }
        for client in clients where client.channels.isEmpty {
            throw ConfigurationError("client \"\(client.id)\": channels is empty; give at least one channel")
        }
    }

    /// Reads and checks a configuration file.
    public static func load(_ path: String) throws -> Configuration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("\(path): cannot read the configuration file")
        }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let folder = (absolute as NSString).deletingLastPathComponent
        return try parse(data, file: absolute, folder: folder)
    }

    static let topLevelKeys: Set<String> = [
        "store", "inbox", "archive", "rejected", "outbox", "settleSeconds", "rescanSeconds",
        "acknowledgementChannels", "agency", "clients", "logLevel", "$comment", "xmlSchema", "staging",
        "bureaus",
    ]

    static func parse(_ data: Data, file: String, folder: String) throws -> Configuration {
        let root = try ConfigNode.parse(data, file: file).object(allowed: topLevelKeys)

        func path(_ key: String, default fallback: String? = nil) throws -> String {
            let raw: String
            if let node = root.optional(key) {
                raw = try node.string()
                guard !raw.isEmpty else { throw ConfigurationError("\(key): must not be empty") }
            } else if let fallback {
                raw = fallback
            } else {
                _ = try root.required(key)
                raw = ""
            }
            return raw.hasPrefix("/")
                ? raw : URL(fileURLWithPath: folder).appendingPathComponent(raw).standardizedFileURL.path
        }

        func seconds(_ key: String, default fallback: Double) throws -> Double {
            try root.seconds(key, default: fallback)
        }

        var acknowledged: Set<Channel> = [.fax, .mail, .email]
        if let node = root.optional("acknowledgementChannels") {
            acknowledged = Set(
                try node.array().map {
                    try $0.choice(
                        Dictionary(uniqueKeysWithValues: Channel.allCases.map { ($0.rawValue, $0) }))
                })
        }

        var agency = Agency(name: "Agence de recouvrement Accès")
        if let node = root.optional("agency") {
            let object = try node.object(allowed: ["name"])
            if let name = object.optional("name") { agency.name = try name.string() }
        }

        // Relais's XML assignment schema: beside the configuration unless it says where.
        let xmlSchema = try path("xmlSchema", default: "relais-assignment.xsd")

        let clientNodes = try root.required("clients").array()
        var clients: [ClientConfiguration] = []
        for node in clientNodes {
            var client = try ClientConfiguration.parse(node, folder: folder)
            client.profile.xmlSchema = xmlSchema
            // Ids name folders; two that differ only in case would share one on some filesystems.
            if clients.contains(where: { $0.id.lowercased() == client.id.lowercased() }) {
                throw ConfigurationError("\(node.path).id: client \"\(client.id)\" is configured twice")
            }
            clients.append(client)
        }

        let logLevel =
            try root.optional("logLevel")?.choice(["info": LogLevel.info, "debug": .debug]) ?? .info
        var configuration = Configuration(
            file: file, store: try path("store"), inbox: try path("inbox"), archive: try path("archive"),
            rejected: try path("rejected", default: "rejected"), outbox: try path("outbox"),
            settleSeconds: try seconds("settleSeconds", default: 1),
            rescanSeconds: try seconds("rescanSeconds", default: 30),
            acknowledgementChannels: acknowledged, agency: agency, clients: clients, logLevel: logLevel,
            staging: try path("staging", default: "staging"))
        configuration.bureaus = try root.optional("bureaus").map {
            try BureauConfiguration.parse($0, agencyName: agency.name, folder: folder)
        }
        try configuration.checkFolders()
        return configuration
    }
}

/// One client (créancier) of the agency, as configured.
public struct ClientConfiguration: Sendable {
    public var id: String
    public var name: String
    public var language: Language
    /// The channels whose inbox folders are watched for this client.
    public var channels: [Channel]
    public var profile: ClientProfile
    /// The client's own SFTP server, when Relais picks up from it and delivers to it.
    public var sftp: SFTPConfiguration? = nil

    static let keys: Set<String> = ["id", "name", "language", "channels", "profile", "sftp"]

    /// A client id names folders, so it is a plain name: letters, digits, `.`, `_`, `-`, not
    /// starting with a dot, never `/` or `..`.
    public static func isValidID(_ id: String) -> Bool {
        guard !id.isEmpty, id.count <= 64, !id.hasPrefix("."), id != ".." else { return false }
        return id.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || "._-".unicodeScalars.contains($0)
        }
    }

    static func parse(_ node: ConfigNode, folder: String) throws -> ClientConfiguration {
        let object = try node.object(allowed: keys)
        let id = try object.required("id").string()
        guard isValidID(id) else {
            throw ConfigurationError(
                "\(node.child("id")): \"\(id)\" is not a plain name (letters, digits, . _ -; no / or ..)")
        }
        let name = try object.required("name").string()
        // The name is printed on every document the client gets.
        guard !name.isEmpty, !name.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        else {
            throw ConfigurationError("\(node.child("name")): must be printable text, without control characters")
        }
        let language =
            try object.optional("language")?.choice(["fr": Language.french, "en": .english]) ?? .french
        var channels = Channel.allCases
        if let list = object.optional("channels") {
            channels = try list.array().map {
                try $0.choice(Dictionary(uniqueKeysWithValues: Channel.allCases.map { ($0.rawValue, $0) }))
            }
        }
        let profile = try object.optional("profile").map(parseProfile) ?? .none
        let sftp = try object.optional("sftp").map { try SFTPConfiguration.parse($0, folder: folder) }
        return ClientConfiguration(
            id: id, name: name, language: language, channels: channels, profile: profile,
            sftp: sftp)
    }

    static let profileKeys: Set<String> = [
        "encoding", "delimiter", "header", "columns", "dateOrder", "amountStyle", "defaultKind",
        "format", "xml", "fixedWidth",
    ]

    static func parseProfile(_ node: ConfigNode) throws -> ClientProfile {
        let object = try node.object(allowed: profileKeys)
        var profile = ClientProfile()
        if let n = object.optional("encoding") {
            let text = try n.string()
            guard let encoding = TextEncoding(name: text) else {
                throw ConfigurationError(
                    "\(n.path): \"\(text)\" is not one of utf-8, windows-1252, iso-8859-1")
            }
            profile.encoding = encoding
        }
        if let n = object.optional("delimiter") {
            profile.delimiter = try n.choice([
                ",": UInt8(0x2C), ";": 0x3B, "\t": 0x09, "tab": 0x09, "|": 0x7C,
            ])
        }
        if let n = object.optional("header") { profile.hasHeader = try n.bool() }
        if let n = object.optional("dateOrder") {
            profile.dateOrder = try n.choice(
                Dictionary(uniqueKeysWithValues: DateOrder.allCases.map { ($0.rawValue, $0) }))
        }
        if let n = object.optional("amountStyle") {
            profile.amountStyle = try n.choice(
                Dictionary(uniqueKeysWithValues: AmountStyle.allCases.map { ($0.rawValue, $0) }))
        }
        if let n = object.optional("defaultKind") {
            profile.defaultKind = try n.choice(
                Dictionary(uniqueKeysWithValues: CaseKind.allCases.map { ($0.rawValue, $0) }))
        }
        if let n = object.optional("format") {
            profile.format = try n.choice(
                Dictionary(uniqueKeysWithValues: AssignmentFileFormat.allCases.map { ($0.rawValue, $0) }))
        }
        if let n = object.optional("xml") { profile.xml = try XMLMapping.parse(n) }
        if let n = object.optional("fixedWidth") { profile.fixedWidth = try FixedWidthLayout.parse(n) }
        if profile.format == .fixedWidth && profile.fixedWidth == nil {
            throw ConfigurationError("\(node.path).fixedWidth: required when the format is fixed-width")
        }
        if let n = object.optional("columns") {
            let columns = try n.object(allowed: Set(AssignmentField.allCases.map(\.rawValue)))
            for field in AssignmentField.allCases {
                guard let c = columns.optional(field.rawValue) else { continue }
                if c.isString {
                    profile.columns[field] = .name(try c.string())
                } else {
                    let position = try c.integer()
                    guard position >= 1, position <= 1000 else {
                        throw ConfigurationError("\(c.path): a column position counts from 1")
                    }
                    profile.columns[field] = .position(position)
                }
            }
            let names = profile.columns.values.compactMap {
                if case .name(let n) = $0 { return HeaderDictionary.fold(n) } else { return nil }
            }
            if Set(names).count != names.count {
                throw ConfigurationError("\(n.path): two fields are given the same column name")
            }
            let positions = profile.columns.values.compactMap {
                if case .position(let p) = $0 { return p } else { return nil }
            }
            if Set(positions).count != positions.count {
                throw ConfigurationError("\(n.path): two fields are given the same column position")
            }
        }
        return profile
    }
}

/// How much the daemon says.
public enum LogLevel: Int, Sendable, Comparable {
    case debug = 0
    case info = 1
    case warning = 2
    case error = 3

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}
