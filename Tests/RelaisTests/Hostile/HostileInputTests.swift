import Foundation
import Glibc
import Testing

@testable import RelaisCore

/// What the attack on Relais found (see the attack report). Every test named "KNOWN BUG" fails
/// on the code it was written against and states the behaviour Relais must have instead; the
/// others hold and guard what held up.
@Suite("Hostile input", .serialized)
struct HostileInputTests {
    static let header = "No de compte,Nom du débiteur,Solde\n"

    // MARK: Encodings

    @Test("a UTF-16 file with a byte-order mark is refused as UTF-16, not for a NUL byte")
    func utf16WithByteOrderMark() throws {
        let w = try Workspace()
        let text = Self.header + "U-1,Marie Côté,10.00\n"
        let path = try w.write(
            "incoming/utf16.csv", [0xFF, 0xFE] + Array(text.data(using: .utf16LittleEndian)!))
        let result = try w.ingestFile(path)
        #expect(result.status == .refused)
        // The reason the reader has for this case is never reached: the NUL check comes first.
        #expect(result.reason?.contains("UTF-16") == true, "\(result.reason ?? "no reason")")
    }

    @Test("a UTF-8 file with one stray byte is refused for its encoding, not for its header")
    func strayByteInUTF8() throws {
        let w = try Workspace()
        let bytes = Array((Self.header + "S-1,").utf8) + [0xFF] + Array("Roy,10.00\n".utf8)
        let path = try w.write("incoming/stray.csv", bytes)
        let result = try w.ingestFile(path)
        // Read as ISO-8859-1 the header's "débiteur" becomes "dÃ©biteur", and the reason given is
        // "no column for the debtor's name": true of the misread, false of the file.
        #expect(!(result.reason ?? "").contains("no column"), "\(result.reason ?? "no reason")")
    }

    // MARK: Amounts

    @Test("0,001 is not read as one dollar")
    func leadingZeroThousandsGroup() throws {
        let w = try Workspace()
        let result = try w.ingest(Self.header + "Z-1,Paul Roy,\"0,001\"\n")
        // A thousands group after a leading 0 is no amount anyone writes: 0,001 is either a
        // fraction of a cent or garbage, never 1.00.
        let cents = try w.caseField("assigned_cents", clientRef: "Z-1")
        #expect(result.accepted == 0, "read as \(cents.map { "\($0)" } ?? "nothing") cents")
    }

    // MARK: CSV injection into what the client opens in Excel

    /// The cells of a CSV document, with quotes undone (enough for the documents Relais writes).
    static func cells(ofCSV path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var cells: [String] = []
        var cell = ""
        var quoted = false
        var previous: Character = " "
        for character in text {
            switch character {
            case "\"" where quoted: quoted = false
            case "\"":
                quoted = true
                if previous == "\"" { cell.append("\"") }
            case "," where !quoted, "\n" where !quoted, "\r\n" where !quoted, "\r" where !quoted:
                cells.append(cell)
                cell = ""
            default: cell.append(character)
            }
            previous = character
        }
        if !cell.isEmpty { cells.append(cell) }
        return cells
    }

    static func isFormula(_ cell: String) -> Bool {
        guard let first = cell.first else { return false }
        return "=+-@".contains(first) || first == "\t" || first == "\r"
    }

    @Test(
        "a debtor name or reference written as a formula is not a formula in the acknowledgement CSV"
    )
    func formulaInAcknowledgement() throws {
        let w = try Workspace()
        let result = try w.ingest(
            Self.header + "=cmd|' /C calc'!A0,=cmd|' /C calc'!A0,100.00\n"
                + "F-2,@SUM(A1:A9),5.00\n", channel: .mail)
        let path = try #require(result.acknowledgement)
        let formulas = try Self.cells(ofCSV: path).filter(Self.isFormula)
        #expect(formulas.isEmpty, "cells Excel would run: \(formulas)")
    }

    @Test("a file name written as a formula is not a formula in the reject report CSV")
    func formulaFileNameInRejectReport() throws {
        let w = try Workspace()
        let result = try w.ingest(
            Self.header + "R-1,Paul Roy,douze\n",
            name: "=HYPERLINK(\"http-evil\",\"clic\").csv")
        let path = try #require(result.rejectReport)
        let formulas = try Self.cells(ofCSV: path).filter(Self.isFormula)
        #expect(formulas.isEmpty, "cells Excel would run: \(formulas)")
    }

    @Test("a formula in a debtor name is not a formula in the inventory CSV")
    func formulaInInventory() throws {
        let w = try Workspace()
        let ingested = try w.ingest(Self.header + "I-1,=cmd|' /C calc'!A0,5.00\n")
        #expect(ingested.accepted == 1)
        let result = try RelaisBinary.run([
            "inventory", "--config", w.configPath, "--client", "meubles",
            "--format", "csv", "--outbox",
        ])
        #expect(result.code == 0, "\(result.err)")
        let inventory = try #require(
            w.files(under: "var/outbox/meubles").first { $0.hasPrefix("inventory-") })
        let formulas = try Self.cells(ofCSV: w.root + "/var/outbox/meubles/" + inventory).filter(
            Self.isFormula)
        #expect(formulas.isEmpty, "cells Excel would run: \(formulas)")
    }

    // MARK: Personal data

    @Test("no SIN or date of birth from a file reaches the reasons, the documents or the JSON output")
    func noPersonalDataInOutputs() throws {
        let w = try Workspace()
        let rows =
            "No de compte,Nom du débiteur,Solde,Date de naissance,NAS\n"
            + "P-1,Paul Roy,douze,1980-03-25,046 454 286\n"
            + "P-2,Marie Côté,10.00,31/02/1980,130 692 544\n"
            + "P-3,Luc Roy,10.00,1975-04-03,046 454 287\n"
            + "P-4,Ève Roy,10.00,1975-04-03,13069254\n"
        let result = try w.ingest(rows, channel: .mail)
        var written = result.json
        for file in w.files(under: "var/outbox") {
            written += try String(contentsOfFile: w.root + "/var/outbox/" + file, encoding: .utf8)
        }
        for secret in [
            "046 454 286", "046454286", "130 692 544", "130692544", "046 454 287", "13069254",
            "1980-03-25", "1975-04-03",
        ] {
            #expect(!written.contains(secret), "\(secret) was written")
        }
    }

    // MARK: Configuration

    @Test("a configuration that gives the same key twice is refused")
    func duplicateKeyInConfiguration() throws {
        let w = try Workspace()
        let path = w.root + "/twice.json"
        try """
        {"store": "a.sqlite", "store": "b.sqlite", "inbox": "i", "archive": "a", "outbox": "o",
         "clients": [{"id": "meubles", "name": "M"}]}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        // JSONSerialization keeps one of the two in silence: which store is used is a guess.
        #expect(throws: (any Error).self) { try Configuration.load(path) }
    }

    // MARK: The daemon

    func waitForLog(_ daemon: DaemonProcess, _ text: String, within seconds: Double = 5) -> Bool {
        eventually(within: seconds) { daemon.log.contains(text) } != nil
    }

    @Test(
        "a recorded file whose archive name is too long does not stop relais serve from starting")
    func longNameDoesNotBlockStartup() throws {
        let w = try Workspace()
        let first = try DaemonProcess(configPath: w.configPath)
        #expect(waitForLog(first, "watching"))
        // 251 bytes is a valid name; "F0000001-" in front of it is not (NAME_MAX is 255).
        let name = String(repeating: "L", count: 247) + ".csv"
        let staged = try w.write("var/inbox/meubles/drop/.upload", Self.header + "L-1,Paul Roy,10.00\n")
        #expect(rename(staged, w.configuration.inbox + "/meubles/drop/" + name) == 0)
        #expect(waitForLog(first, "file ingested"), "\(first.log)")
        first.signal(SIGTERM)
        #expect(first.wait(seconds: 5) == 0)

        // A restart: the startup reconciliation throws on this one file and the daemon exits 1.
        let second = try DaemonProcess(configPath: w.configPath)
        #expect(waitForLog(second, "watching"), "\(second.log)")
        second.signal(SIGTERM)
        #expect(second.wait(seconds: 5) == 0, "\(second.log)")
    }

    @Test("a file whose name is not UTF-8 is taken or refused, never ignored in silence")
    func nonUTF8NameIsNotIgnored() throws {
        let w = try Workspace()
        let daemon = try DaemonProcess(configPath: w.configPath)
        #expect(waitForLog(daemon, "watching"))
        let folder = w.configuration.inbox + "/meubles/drop/"
        var path = Array(folder.utf8) + Array("bad".utf8) + [0xFF, 0xFE] + Array(".csv".utf8)
        path.append(0)
        let fd = path.withUnsafeBufferPointer { raw in
            raw.baseAddress!.withMemoryRebound(to: CChar.self, capacity: raw.count) {
                open($0, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            }
        }
        #expect(fd >= 0)
        let bytes = Array((Self.header + "N-1,Paul Roy,10.00\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        // The name is decoded with U+FFFD in place of the bad bytes; that path does not exist,
        // and the candidate is dropped at every scan without a word.
        let seen = waitForLog(daemon, "file ingested") || waitForLog(daemon, "file refused", within: 1)
        #expect(seen, "\(daemon.log)")
        daemon.signal(SIGTERM)
        #expect(daemon.wait(seconds: 5) == 0)
    }

    @Test("the log escapes control characters in file names")
    func controlCharactersInLoggedNames() throws {
        let w = try Workspace()
        let daemon = try DaemonProcess(configPath: w.configPath)
        #expect(waitForLog(daemon, "watching"))
        let staged = try w.write("var/inbox/meubles/drop/.upload", Self.header + "E-1,Paul Roy,10.00\n")
        #expect(rename(staged, w.configuration.inbox + "/meubles/drop/esc\u{1B}[2Jred.csv") == 0)
        #expect(waitForLog(daemon, "file ingested"), "\(daemon.log)")
        daemon.signal(SIGTERM)
        #expect(daemon.wait(seconds: 5) == 0)
        // A newline is escaped as \n; ESC reaches the terminal or journal as is.
        #expect(!daemon.log.contains("\u{1B}"), "\(daemon.log.debugDescription)")
    }

    @Test("a second relais serve on the same store refuses to start, saying why")
    func twoDaemonsOnOneStore() throws {
        let w = try Workspace()
        let a = try DaemonProcess(configPath: w.configPath)
        #expect(waitForLog(a, "watching"))
        let b = try DaemonProcess(configPath: w.configPath)
        #expect(b.wait(seconds: 5) == 2)
        #expect(b.log.contains("another relais serve is already running"), "\(b.log)")
        a.signal(SIGTERM)
        #expect(a.wait(seconds: 5) == 0)
    }

    @Test("two relais ingest of the same files at once record each file once, the other as a duplicate")
    func concurrentIngests() throws {
        let w = try Workspace()
        var paths: [String] = []
        for i in 0..<40 { paths.append(try w.write("in/f\(i).csv", Self.header + "T-\(i),Paul Roy,1.00\n")) }
        let arguments =
            ["ingest", "--config", w.configPath, "--client", "meubles", "--channel", "mail"] + paths
        let group = DispatchGroup()
        let codes = CodeBox()
        for _ in 0..<2 {
            group.enter()
            DispatchQueue.global().async {
                let code = (try? RelaisBinary.run(arguments).code) ?? -1
                codes.add(code)
                group.leave()
            }
        }
        group.wait()
        #expect(codes.all == [0, 0])
        let store = try CaseStore(path: w.configuration.store)
        let twice = try store.connection.scalar(
            """
            SELECT count(*) FROM (SELECT sha256 FROM files WHERE outcome = 'ingested'
            GROUP BY client_id, sha256 HAVING count(*) > 1)
            """)
        #expect(twice == .integer(0), "files recorded twice as ingested")
        #expect(try store.caseCount(clientID: "meubles") == 40)
    }

    /// Exit codes gathered from two threads. `@unchecked Sendable`: guarded by its lock.
    final class CodeBox: @unchecked Sendable {
        private var codes: [Int32] = []
        private let lock = NSLock()
        func add(_ code: Int32) {
            lock.lock()
            codes.append(code)
            lock.unlock()
        }
        var all: [Int32] {
            lock.lock()
            defer { lock.unlock() }
            return codes
        }
    }
}
