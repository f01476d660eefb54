import Foundation

/// A client's SFTP server, as configured under the client's `sftp` key: where Relais picks up
/// the client's files and, optionally, where it delivers the client's outbound documents.
///
/// ```json
/// "sftp": {
///   "host": "sftp.example.ca", "port": 22, "user": "agence",
///   "identityFile": "keys/example_ed25519", "passphraseFile": "keys/example.passphrase",
///   "knownHosts": "keys/known_hosts",
///   "remoteFolder": "/outgoing", "pattern": "*.csv",
///   "pollSeconds": 300, "settleSeconds": 60,
///   "afterPickup": {"archive": "/outgoing/archive"},
///   "connectTimeoutSeconds": 15, "operationTimeoutSeconds": 60,
///   "delivery": {"remoteFolder": "/incoming", "existingName": "keep-both"}
/// }
/// ```
/// A password is never written in the configuration: `passwordFile` names a file holding it.
public struct SFTPConfiguration: Sendable {
    /// What becomes of a remote file once its cases are committed.
    public enum AfterPickup: Sendable, Equatable {
        /// Renamed into this remote folder, as `F0000042-<name>`.
        case archive(String)
        case delete
    }

    /// What a delivery does when the final name already exists on the server.
    public enum ExistingName: String, Sendable, CaseIterable {
        /// The new file gets `name-2.ext`, `name-3.ext` ...
        case keepBoth = "keep-both"
        /// The new file replaces the old in one step (posix-rename@openssh.com); on a server
        /// without it, the old is removed first, and for that moment neither is visible.
        case replace
    }

    /// Where a client's outbound files go on its server, and what happens to a name that exists.
    public struct Delivery: Sendable {
        public var remoteFolder: String
        public var existingName: ExistingName
    }

    public var endpoint: SSHEndpoint
    public var remoteFolder: String
    /// A shell glob (fnmatch) on the file name: `*.csv`, `ASSIGN_*.txt`.
    public var pattern: String
    public var pollSeconds: Double
    /// How long a file's size and time must hold still, over two listings, before it is taken.
    public var settleSeconds: Double
    public var afterPickup: AfterPickup
    /// At most this many files are taken per poll, so that a stop request or another step is
    /// never kept waiting by a folder of thousands.
    public var maxFilesPerPoll: Int
    public var delivery: Delivery?

    static let keys: Set<String> = [
        "host", "port", "user", "identityFile", "passphraseFile", "passwordFile", "knownHosts",
        "remoteFolder",
        "pattern", "pollSeconds", "settleSeconds", "afterPickup", "connectTimeoutSeconds",
        "operationTimeoutSeconds", "keepaliveSeconds", "maxFilesPerPoll", "delivery", "$comment",
    ]

    /// The keys of a bureau's `sftp` object: the server, and the folder its files go to.
    static let uploadKeys: Set<String> = [
        "host", "port", "user", "identityFile", "passphraseFile", "passwordFile", "knownHosts",
        "remoteFolder", "connectTimeoutSeconds", "operationTimeoutSeconds", "keepaliveSeconds",
    ]

    /// Reads an `sftp` object that only names a server and a folder to upload to (a bureau's).
    static func parseUpload(_ node: ConfigNode, folder: String) throws -> (
        endpoint: SSHEndpoint, remoteFolder: String
    ) {
        try refusePassword(node)
        let object = try node.object(allowed: uploadKeys)
        let reader = Reader(object: object, node: node, folder: folder)
        return (try reader.endpoint(), try reader.remoteFolder(try object.required("remoteFolder")))
    }

    private static func refusePassword(_ node: ConfigNode) throws {
        if case .object(let members) = node.value, members["password"] != nil {
            throw ConfigurationError(
                "\(node.child("password")): a password is never written in the configuration; "
                    + "put it alone in a file readable only by relais and name that file in \"passwordFile\"")
        }
    }

    /// The readers of one `sftp` object's members, shared by a client's and a bureau's.
    private struct Reader {
        let object: ConfigObject
        let node: ConfigNode
        let folder: String

        func text(_ key: String) throws -> String {
            let value = try object.required(key).string()
            guard !value.isEmpty else { throw ConfigurationError("\(node.child(key)): must not be empty") }
            return value
        }

        func file(_ key: String) throws -> String? { try object.path(key, folder: folder) }

        func seconds(_ key: String, default fallback: Double) throws -> Double {
            try object.seconds(key, default: fallback)
        }

        func remoteFolder(_ n: ConfigNode) throws -> String {
            var value = try n.string()
            guard !value.isEmpty else { throw ConfigurationError("\(n.path): must not be empty") }
            while value.count > 1 && value.hasSuffix("/") { value.removeLast() }
            return value
        }

        /// The server, the account and how Relais proves who it is.
        func endpoint() throws -> SSHEndpoint {
            let host = try text("host")
            var port = 22
            if let n = object.optional("port") {
                port = try n.integer()
                guard (1...65_535).contains(port) else {
                    throw ConfigurationError("\(n.path): a port is 1 to 65535")
                }
            }
            let user = try text("user")

            let credential: SSHEndpoint.Credential
            switch (try file("identityFile"), try file("passwordFile")) {
            case (let identity?, nil):
                credential = .key(file: identity, passphraseFile: try file("passphraseFile"))
            case (nil, let password?):
                if object.optional("passphraseFile") != nil {
                    throw ConfigurationError("\(node.child("passphraseFile")): only with an identityFile")
                }
                credential = .passwordFile(password)
            case (nil, nil):
                throw ConfigurationError(
                    "\(node.displayPath): give \"identityFile\" (a private key) or \"passwordFile\"")
            case (_?, _?):
                throw ConfigurationError(
                    "\(node.displayPath): give \"identityFile\" or \"passwordFile\", not both")
            }
            guard let knownHosts = try file("knownHosts") else {
                throw ConfigurationError(
                    "\(node.child("knownHosts")): required key is missing (the server's host key "
                        + "is always checked)")
            }
            var keepalive = 30
            if let n = object.optional("keepaliveSeconds") {
                keepalive = try n.integer()
                guard (0...3600).contains(keepalive) else {
                    throw ConfigurationError("\(n.path): 0 (none) to 3600")
                }
            }
            return SSHEndpoint(
                host: host, port: port, user: user, credential: credential, knownHosts: knownHosts,
                connectTimeout: try seconds("connectTimeoutSeconds", default: 15),
                operationTimeout: try seconds("operationTimeoutSeconds", default: 60),
                keepaliveSeconds: keepalive)
        }
    }

    /// Reads a client's `sftp` object; relative file paths are taken from `folder`.
    static func parse(_ node: ConfigNode, folder: String) throws -> SFTPConfiguration {
        try refusePassword(node)
        let object = try node.object(allowed: keys)
        let reader = Reader(object: object, node: node, folder: folder)
        func seconds(_ key: String, default fallback: Double) throws -> Double {
            try reader.seconds(key, default: fallback)
        }
        func remoteFolder(_ n: ConfigNode) throws -> String { try reader.remoteFolder(n) }
        let endpoint = try reader.endpoint()

        let afterPickupNode = try object.required("afterPickup")
        let afterPickup: AfterPickup
        if afterPickupNode.isString {
            _ = try afterPickupNode.choice(["delete": 0])
            afterPickup = .delete
        } else {
            let archive = try afterPickupNode.object(allowed: ["archive"])
            afterPickup = .archive(try remoteFolder(try archive.required("archive")))
        }

        var maxFiles = 100
        if let n = object.optional("maxFilesPerPoll") {
            maxFiles = try n.integer()
            guard maxFiles >= 1 else { throw ConfigurationError("\(n.path): at least 1") }
        }
        var delivery: Delivery?
        if let n = object.optional("delivery") {
            let d = try n.object(allowed: ["remoteFolder", "existingName"])
            var rule = ExistingName.keepBoth
            if let e = d.optional("existingName") {
                rule = try e.choice(
                    Dictionary(uniqueKeysWithValues: ExistingName.allCases.map { ($0.rawValue, $0) }))
            }
            delivery = Delivery(
                remoteFolder: try remoteFolder(try d.required("remoteFolder")), existingName: rule)
        }

        return SFTPConfiguration(
            endpoint: endpoint, remoteFolder: try remoteFolder(try object.required("remoteFolder")),
            pattern: try object.optional("pattern")?.string() ?? "*",
            pollSeconds: try seconds("pollSeconds", default: 300),
            settleSeconds: try seconds("settleSeconds", default: 60), afterPickup: afterPickup,
            maxFilesPerPoll: maxFiles,
            delivery: delivery)
    }
}
