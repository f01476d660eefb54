/// How an assignment reached the agency. Each client's inbox has one folder per channel.
public enum Channel: String, Sendable, CaseIterable, Codable {
    /// A batch file a creditor's system dropped into the inbox folder.
    case drop
    /// A batch file picked up from, or pushed through, SFTP.
    case sftp
    /// An assignment entered on the agency's web site.
    case portal
    /// A list faxed to the agency (after OCR).
    case fax
    /// A list received by mail (courrier) and typed or scanned.
    case mail
    /// A list received by email (courriel).
    case email

    /// Machine-to-machine channels: no acknowledgement of receipt by default.
    public var isElectronic: Bool {
        switch self {
        case .drop, .sftp, .portal: return true
        case .fax, .mail, .email: return false
        }
    }
}

/// A consumer (particulier) or commercial (entreprise) collection case.
public enum CaseKind: String, Sendable, CaseIterable, Codable {
    case consumer
    case commercial
}
