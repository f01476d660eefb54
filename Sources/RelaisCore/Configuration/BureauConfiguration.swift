import Foundation

/// A credit bureau the agency reports to every month.
public enum Bureau: String, Sendable, CaseIterable {
    /// Equifax Canada: Metro 2, character format.
    case equifax
    /// Accès Crédit, the agency's own bureau: a CSV feed.
    case acces
}

/// The optional `bureaus` key: who the agency is to the bureaus, and each bureau's settings.
///
/// ```json
/// "bureaus": {
///   "reporterName": "Agence de recouvrement Accès", "reporterAddress": "…",
///   "reporterPhone": "5145550100",
///   "equifax": { "identificationNumber": "…", "programIdentifier": "…", "outbox": "bureaus/equifax",
///                "dayOfMonth": 5, "waitingDays": 30, "newline": true,
///                "gpg": { "recipient": "…", "publicKeyFile": "…", "homeDirectory": "…" } },
///   "acces": { "identificationNumber": "…", "outbox": "bureaus/acces", "dayOfMonth": 5 }
/// }
/// ```
public struct BureauConfiguration: Sendable {
    /// Header record: Reporter Name, Address and Telephone (positions 80–119, 120–215, 216–225).
    public var reporterName: String
    public var reporterAddress: String
    public var reporterPhone: String?
    public var feeds: [Bureau: Feed]

    /// One bureau's settings.
    public struct Feed: Sendable {
        public var bureau: Bureau
        /// Base segment Identification Number (21–40): the agency's member number at the bureau.
        public var identificationNumber: String
        /// Header Equifax Program Identifier (23–32); empty for Accès Crédit.
        public var programIdentifier: String
        public var outbox: String
        /// The day of the month on which the previous month is written (1–28).
        public var dayOfMonth: Int
        /// Days from assignment before a case is first reported.
        public var waitingDays: Int
        /// Each record ends with a newline (Metro 2 only; the CSV always has line ends).
        public var newline: Bool
        public var gpg: GPGSettings?
        /// The bureau's SFTP server, when its files are sent there as well as to its outbox.
        public var upload: (endpoint: SSHEndpoint, remoteFolder: String)?
    }

    /// Encryption with the bureau's public key: the key is named by fingerprint, key id or
    /// user id, and imported from `publicKeyFile` when given.
    public struct GPGSettings: Sendable {
        public var recipient: String
        public var publicKeyFile: String?
        /// The GnuPG home whose keyring is used; GnuPG's default when absent.
        public var homeDirectory: String?
    }

    static let keys: Set<String> = [
        "reporterName", "reporterAddress", "reporterPhone", "equifax", "acces", "$comment",
    ]
    static let feedKeys: Set<String> = [
        "identificationNumber", "programIdentifier", "outbox", "dayOfMonth", "waitingDays", "newline", "gpg",
        "sftp",
        "$comment",
    ]

    static func parse(_ node: ConfigNode, agencyName: String, folder: String) throws -> BureauConfiguration {
        let object = try node.object(allowed: keys)
        func resolve(_ raw: String) -> String {
            raw.hasPrefix("/")
                ? raw : URL(fileURLWithPath: folder).appendingPathComponent(raw).standardizedFileURL.path
        }
        var result = BureauConfiguration(
            reporterName: try object.optional("reporterName")?.string() ?? agencyName,
            reporterAddress: try object.required("reporterAddress").string(),
            reporterPhone: try object.optional("reporterPhone")?.string(), feeds: [:])
        if let phone = result.reporterPhone,
            phone.count != 10 || !phone.allSatisfy({ $0.isASCII && $0.isNumber })
        {
            throw ConfigurationError("\(node.child("reporterPhone")): expected ten digits, not \"\(phone)\"")
        }
        for bureau in Bureau.allCases {
            guard let feedNode = object.optional(bureau.rawValue) else { continue }
            let feed = try feedNode.object(allowed: feedKeys)
            let identification = try feed.required("identificationNumber").string()
            guard !identification.isEmpty, identification.utf8.count <= 20,
                identification.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
            else {
                throw ConfigurationError(
                    "\(feedNode.child("identificationNumber")): expected 1 to 20 letters or digits")
            }
            let program = try feed.optional("programIdentifier")?.string() ?? ""
            guard program.utf8.count <= 10, program.allSatisfy({ $0.isASCII }) else {
                throw ConfigurationError(
                    "\(feedNode.child("programIdentifier")): at most 10 ASCII characters")
            }
            let day = try feed.optional("dayOfMonth")?.integer() ?? 5
            guard (1...28).contains(day) else {
                throw ConfigurationError(
                    "\(feedNode.child("dayOfMonth")): a day from 1 to 28, so that every month has it")
            }
            let waiting = try feed.optional("waitingDays")?.integer() ?? 30
            guard (0...365).contains(waiting) else {
                throw ConfigurationError("\(feedNode.child("waitingDays")): a number of days from 0 to 365")
            }
            var gpg: GPGSettings?
            if let g = feed.optional("gpg") {
                let gpgObject = try g.object(allowed: ["recipient", "publicKeyFile", "homeDirectory"])
                gpg = GPGSettings(
                    recipient: try gpgObject.required("recipient").string(),
                    publicKeyFile: try gpgObject.optional("publicKeyFile").map { resolve(try $0.string()) },
                    homeDirectory: try gpgObject.optional("homeDirectory").map { resolve(try $0.string()) })
            }
            let outbox = try feed.required("outbox").string()
            guard !outbox.isEmpty else {
                throw ConfigurationError("\(feedNode.child("outbox")): must not be empty")
            }
            result.feeds[bureau] = Feed(
                bureau: bureau, identificationNumber: identification,
                programIdentifier: program, outbox: resolve(outbox), dayOfMonth: day, waitingDays: waiting,
                newline: try feed.optional("newline")?.bool() ?? true, gpg: gpg,
                upload: try feed.optional("sftp").map {
                    try SFTPConfiguration.parseUpload($0, folder: folder)
                })
        }
        return result
    }
}
