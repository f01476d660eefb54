/// One field of a Metro 2 character-format record or segment: 1-based position and width
/// in bytes, as the CDIA layout counts them.
public struct Metro2Field: Sendable, Hashable {
    public enum Kind: Sendable {
        /// Left-justified, blank-filled, uppercase ASCII.
        case alphanumeric
        /// Right-justified, zero-filled digits (amounts in whole dollars, counts).
        case numeric
        /// MMDDYYYY, zeros when absent.
        case date
    }

    public let name: String
    public let start: Int
    public let length: Int
    public let kind: Kind

    init(_ name: String, _ start: Int, _ end: Int, _ kind: Kind) {
        self.name = name
        self.start = start
        self.length = end - start + 1
        self.kind = kind
    }

    /// Zero-based offset of the first byte.
    var offset: Int { start - 1 }
    var end: Int { start + length - 1 }
    /// `Surname (232–256)`: how findings name a field.
    public var label: String { "\(name) (\(start)–\(end))" }
}

/// The Metro 2 character format (426-byte base segment) as Relais writes and checks it.
/// Positions follow the CDIA layout; where Equifax Canada differs (214–231) the writer's
/// choices are stated in `Metro2Writer`.
public enum Metro2Layout {
    public static let recordLength = 426

    /// Header record.
    public enum Header {
        public static let rdw = Metro2Field("Record Descriptor Word", 1, 4, .numeric)
        public static let identifier = Metro2Field("Record Identifier", 5, 10, .alphanumeric)
        public static let cycle = Metro2Field("Cycle Identifier", 11, 12, .alphanumeric)
        public static let innovis = Metro2Field("Innovis Program Identifier", 13, 22, .alphanumeric)
        public static let equifax = Metro2Field("Equifax Program Identifier", 23, 32, .alphanumeric)
        public static let experian = Metro2Field("Experian Program Identifier", 33, 37, .alphanumeric)
        public static let transUnion = Metro2Field("TransUnion Program Identifier", 38, 47, .alphanumeric)
        public static let activityDate = Metro2Field("Activity Date", 48, 55, .date)
        public static let dateCreated = Metro2Field("Date Created", 56, 63, .date)
        public static let programDate = Metro2Field("Program Date", 64, 71, .date)
        public static let programRevisionDate = Metro2Field("Program Revision Date", 72, 79, .date)
        public static let reporterName = Metro2Field("Reporter Name", 80, 119, .alphanumeric)
        public static let reporterAddress = Metro2Field("Reporter Address", 120, 215, .alphanumeric)
        public static let reporterPhone = Metro2Field("Reporter Telephone Number", 216, 225, .numeric)
        public static let vendorName = Metro2Field("Software Vendor Name", 226, 265, .alphanumeric)
        public static let vendorVersion = Metro2Field("Software Version Number", 266, 270, .alphanumeric)
        public static let prbc = Metro2Field("PRBC Program Identifier", 271, 280, .alphanumeric)
        public static let reserved = Metro2Field("Reserved", 281, 426, .alphanumeric)
    }

    /// Base segment.
    public enum Base {
        public static let rdw = Metro2Field("Record Descriptor Word", 1, 4, .numeric)
        public static let processingIndicator = Metro2Field("Processing Indicator", 5, 5, .numeric)
        public static let timeStamp = Metro2Field("Time Stamp", 6, 19, .numeric)
        public static let correctionIndicator = Metro2Field("Correction Indicator", 20, 20, .numeric)
        public static let identificationNumber = Metro2Field("Identification Number", 21, 40, .alphanumeric)
        public static let cycle = Metro2Field("Cycle Identifier", 41, 42, .alphanumeric)
        public static let accountNumber = Metro2Field("Consumer Account Number", 43, 72, .alphanumeric)
        public static let portfolioType = Metro2Field("Portfolio Type", 73, 73, .alphanumeric)
        public static let accountType = Metro2Field("Account Type", 74, 75, .alphanumeric)
        public static let dateOpened = Metro2Field("Date Opened", 76, 83, .date)
        public static let creditLimit = Metro2Field("Credit Limit", 84, 92, .numeric)
        public static let highestCredit = Metro2Field("Highest Credit", 93, 101, .numeric)
        public static let termsDuration = Metro2Field("Terms Duration", 102, 104, .alphanumeric)
        public static let termsFrequency = Metro2Field("Terms Frequency", 105, 105, .alphanumeric)
        public static let scheduledPayment = Metro2Field(
            "Scheduled Monthly Payment Amount", 106, 114, .numeric)
        public static let actualPayment = Metro2Field("Actual Payment Amount", 115, 123, .numeric)
        public static let accountStatus = Metro2Field("Account Status", 124, 125, .alphanumeric)
        public static let paymentRating = Metro2Field("Payment Rating", 126, 126, .alphanumeric)
        public static let paymentHistory = Metro2Field("Payment History Profile", 127, 150, .alphanumeric)
        public static let specialComment = Metro2Field("Special Comment", 151, 152, .alphanumeric)
        public static let compliance = Metro2Field("Compliance Condition Code", 153, 154, .alphanumeric)
        public static let currentBalance = Metro2Field("Current Balance", 155, 163, .numeric)
        public static let amountPastDue = Metro2Field("Amount Past Due", 164, 172, .numeric)
        public static let chargeOff = Metro2Field("Original Charge-off Amount", 173, 181, .numeric)
        public static let accountInformationDate = Metro2Field("Date of Account Information", 182, 189, .date)
        public static let firstDelinquency = Metro2Field("Date of First Delinquency", 190, 197, .date)
        public static let dateClosed = Metro2Field("Date Closed", 198, 205, .date)
        public static let lastPayment = Metro2Field("Date of Last Payment", 206, 213, .date)
        public static let reserved = Metro2Field(
            "Reserved (Equifax Canada currency)", 214, 230, .alphanumeric)
        public static let transactionType = Metro2Field("Consumer Transaction Type", 231, 231, .alphanumeric)
        public static let surname = Metro2Field("Surname", 232, 256, .alphanumeric)
        public static let firstName = Metro2Field("First Name", 257, 276, .alphanumeric)
        public static let middleName = Metro2Field("Middle Name", 277, 296, .alphanumeric)
        public static let generation = Metro2Field("Generation Code", 297, 297, .alphanumeric)
        public static let sin = Metro2Field("Social Insurance Number", 298, 306, .numeric)
        public static let birthDate = Metro2Field("Date of Birth", 307, 314, .date)
        public static let phone = Metro2Field("Telephone Number", 315, 324, .numeric)
        public static let ecoa = Metro2Field("ECOA Code", 325, 325, .alphanumeric)
        public static let consumerInformation = Metro2Field(
            "Consumer Information Indicator", 326, 327, .alphanumeric)
        public static let country = Metro2Field("Country Code", 328, 329, .alphanumeric)
        public static let address1 = Metro2Field("First Line of Address", 330, 361, .alphanumeric)
        public static let address2 = Metro2Field("Second Line of Address", 362, 393, .alphanumeric)
        public static let city = Metro2Field("City", 394, 413, .alphanumeric)
        public static let province = Metro2Field("State (province)", 414, 415, .alphanumeric)
        public static let postalCode = Metro2Field("Postal/Zip Code", 416, 424, .alphanumeric)
        public static let addressIndicator = Metro2Field("Address Indicator", 425, 425, .alphanumeric)
        public static let residence = Metro2Field("Residence Code", 426, 426, .alphanumeric)
    }

    /// J1 (associated consumer at the primary's address, 100 bytes) and J2 (at another
    /// address, 200 bytes) share their first 99 bytes.
    public enum Associated {
        public static let j1Length = 100
        public static let j2Length = 200
        public static let identifier = Metro2Field("Segment Identifier", 1, 2, .alphanumeric)
        public static let reserved = Metro2Field("Reserved", 3, 3, .alphanumeric)
        public static let surname = Metro2Field("Surname", 4, 28, .alphanumeric)
        public static let firstName = Metro2Field("First Name", 29, 48, .alphanumeric)
        public static let middleName = Metro2Field("Middle Name", 49, 68, .alphanumeric)
        public static let generation = Metro2Field("Generation Code", 69, 69, .alphanumeric)
        public static let sin = Metro2Field("Social Insurance Number", 70, 78, .numeric)
        public static let birthDate = Metro2Field("Date of Birth", 79, 86, .date)
        public static let phone = Metro2Field("Telephone Number", 87, 96, .numeric)
        public static let ecoa = Metro2Field("ECOA Code", 97, 97, .alphanumeric)
        public static let consumerInformation = Metro2Field(
            "Consumer Information Indicator", 98, 99, .alphanumeric)
        public static let j1Reserved = Metro2Field("Reserved", 100, 100, .alphanumeric)
        public static let country = Metro2Field("Country Code", 100, 101, .alphanumeric)
        public static let address1 = Metro2Field("First Line of Address", 102, 133, .alphanumeric)
        public static let address2 = Metro2Field("Second Line of Address", 134, 165, .alphanumeric)
        public static let city = Metro2Field("City", 166, 185, .alphanumeric)
        public static let province = Metro2Field("State (province)", 186, 187, .alphanumeric)
        public static let postalCode = Metro2Field("Postal/Zip Code", 188, 196, .alphanumeric)
        public static let addressIndicator = Metro2Field("Address Indicator", 197, 197, .alphanumeric)
        public static let residence = Metro2Field("Residence Code", 198, 198, .alphanumeric)
        public static let j2Reserved = Metro2Field("Reserved", 199, 200, .alphanumeric)
    }

    /// K1, original creditor (34 bytes).
    public enum OriginalCreditor {
        public static let length = 34
        public static let identifier = Metro2Field("Segment Identifier", 1, 2, .alphanumeric)
        public static let name = Metro2Field("Original Creditor Name", 3, 32, .alphanumeric)
        public static let classification = Metro2Field("Creditor Classification", 33, 34, .numeric)
    }

    /// Trailer record: every total the file carries.
    public enum Trailer {
        public static let rdw = Metro2Field("Record Descriptor Word", 1, 4, .numeric)
        public static let identifier = Metro2Field("Record Identifier", 5, 11, .alphanumeric)
        public static let baseRecords = Metro2Field("Total Base Records", 12, 20, .numeric)
        public static let reserved1 = Metro2Field("Reserved", 21, 29, .alphanumeric)
        public static let blockCount = Metro2Field("Block Count", 57, 65, .numeric)
        public static let reserved2 = Metro2Field("Reserved", 408, 426, .alphanumeric)
        /// Status totals: code and field, in layout order (DF at 30–38, then DA at 66–74 …).
        public static let statusTotals: [(code: String, field: Metro2Field)] = {
            var list: [(String, Metro2Field)] = [
                ("DF", Metro2Field("Total of Status Code DF", 30, 38, .numeric))
            ]
            let codes = [
                "DA", "05", "11", "13", "61", "62", "63", "64", "65", "71", "78", "80", "82", "83", "84",
                "88", "89", "93", "94", "95", "96", "97",
            ]
            for (index, code) in codes.enumerated() {
                let start = 66 + 9 * index
                list.append((code, Metro2Field("Total of Status Code \(code)", start, start + 8, .numeric)))
            }
            return list
        }()
        public static let j1 = Metro2Field("Total J1 Segments", 39, 47, .numeric)
        public static let j2 = Metro2Field("Total J2 Segments", 48, 56, .numeric)
        public static let ecoaZ = Metro2Field("Total of ECOA Code Z", 264, 272, .numeric)
        public static let n1 = Metro2Field("Total Employment Segments", 273, 281, .numeric)
        public static let k1 = Metro2Field("Total Original Creditor Segments", 282, 290, .numeric)
        public static let k2 = Metro2Field("Total Purchased From/Sold To Segments", 291, 299, .numeric)
        public static let k3 = Metro2Field("Total Mortgage Information Segments", 300, 308, .numeric)
        public static let k4 = Metro2Field(
            "Total Specialized Payment Information Segments", 309, 317, .numeric)
        public static let l1 = Metro2Field("Total Account Number Change Segments", 318, 326, .numeric)
        public static let sinAll = Metro2Field("Total SINs (all segments)", 327, 335, .numeric)
        public static let sinBase = Metro2Field("Total SINs in Base Segments", 336, 344, .numeric)
        public static let sinJ1 = Metro2Field("Total SINs in J1 Segments", 345, 353, .numeric)
        public static let sinJ2 = Metro2Field("Total SINs in J2 Segments", 354, 362, .numeric)
        public static let birthAll = Metro2Field("Total Dates of Birth (all segments)", 363, 371, .numeric)
        public static let birthBase = Metro2Field("Total Dates of Birth in Base Segments", 372, 380, .numeric)
        public static let birthJ1 = Metro2Field("Total Dates of Birth in J1 Segments", 381, 389, .numeric)
        public static let birthJ2 = Metro2Field("Total Dates of Birth in J2 Segments", 390, 398, .numeric)
        public static let phones = Metro2Field("Total Telephone Numbers (all segments)", 399, 407, .numeric)
    }

    /// Appended segments a reader may meet, with their fixed lengths.
    public static let segmentLengths: [String: Int] = [
        "J1": 100, "J2": 200, "K1": 34, "K2": 34, "K3": 40, "K4": 30, "L1": 54, "N1": 146,
    ]
}

/// The totals a trailer carries, counted from the records as they are written or read.
public struct Metro2Totals: Sendable, Equatable {
    public var baseRecords = 0
    public var statuses: [String: Int] = [:]
    public var j1 = 0
    public var j2 = 0
    public var k1 = 0
    public var otherSegments: [String: Int] = [:]
    public var ecoaZ = 0
    public var sinBase = 0
    public var sinJ1 = 0
    public var sinJ2 = 0
    public var birthBase = 0
    public var birthJ1 = 0
    public var birthJ2 = 0
    public var phones = 0

    public init() {}

    /// Each trailer field with the value these totals give it.
    public var fieldValues: [(field: Metro2Field, value: Int)] {
        typealias T = Metro2Layout.Trailer
        var list: [(Metro2Field, Int)] = [(T.baseRecords, baseRecords)]
        for (code, field) in T.statusTotals { list.append((field, statuses[code] ?? 0)) }
        list += [
            (T.j1, j1), (T.j2, j2), (T.blockCount, 0), (T.ecoaZ, ecoaZ), (T.n1, otherSegments["N1"] ?? 0),
            (T.k1, k1), (T.k2, otherSegments["K2"] ?? 0), (T.k3, otherSegments["K3"] ?? 0),
            (T.k4, otherSegments["K4"] ?? 0), (T.l1, otherSegments["L1"] ?? 0),
            (T.sinAll, sinBase + sinJ1 + sinJ2), (T.sinBase, sinBase), (T.sinJ1, sinJ1), (T.sinJ2, sinJ2),
            (T.birthAll, birthBase + birthJ1 + birthJ2), (T.birthBase, birthBase), (T.birthJ1, birthJ1),
            (T.birthJ2, birthJ2), (T.phones, phones),
        ]
        return list
    }
}
