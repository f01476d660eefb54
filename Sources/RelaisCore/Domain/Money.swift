/// An amount of Canadian money in integer cents. Money is never a floating-point number.
public struct Money: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var cents: Int64

    public init(cents: Int64) { self.cents = cents }

    public static let zero = Money(cents: 0)

    public static func + (a: Money, b: Money) -> Money { Money(cents: a.cents + b.cents) }
    public static func - (a: Money, b: Money) -> Money { Money(cents: a.cents - b.cents) }
    public static func += (a: inout Money, b: Money) { a.cents += b.cents }
    public static func < (a: Money, b: Money) -> Bool { a.cents < b.cents }

    /// `1234.56`: plain, for machine-read files (CSV, JSON).
    public var plain: String {
        let sign = cents < 0 ? "-" : ""
        let magnitude = cents.magnitude
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// `1 234,56 $` in French, `$1,234.56` in English: for documents a person reads.
    public func formatted(_ language: Language) -> String {
        let magnitude = cents.magnitude
        let fraction = magnitude % 100
        let fractionText = (fraction < 10 ? "0" : "") + String(fraction)
        var groups: [String] = []
        var whole = magnitude / 100
        repeat {
            let group = whole % 1000
            whole /= 1000
            let text = String(group)
            groups.insert(whole > 0 ? String(repeating: "0", count: 3 - text.count) + text : text, at: 0)
        } while whole > 0
        let sign = cents < 0 ? "-" : ""
        switch language {
        case .french: return "\(sign)\(groups.joined(separator: " ")),\(fractionText) $"
        case .english: return "\(sign)$\(groups.joined(separator: ",")).\(fractionText)"
        }
    }

    public var description: String { plain }
}

/// The language of a client's documents: French unless the client asked for English.
public enum Language: String, Sendable, Codable, CaseIterable {
    case french = "fr"
    case english = "en"
}
