import Foundation
import Testing

@testable import RelaisCore

/// Runs a program to its end; returns its exit status and standard output.
private func runProgram(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws
    -> (status: Int32, output: Data)
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, data)
}

@Suite("Bureau schedule, command and encryption")
struct BureauScheduleTests {
    @Test("On its day the schedule writes the previous month once; before its day, nothing")
    func schedule() throws {
        let t = try BureauTestStore()
        try JanuaryFixture.build(t)
        let schedule = BureauSchedule(configuration: t.configuration, log: Log(level: .error))
        #expect(schedule.runDue(store: t.store, today: CalendarDate(iso: "2026-02-04")!).isEmpty)
        let runs = schedule.runDue(store: t.store, today: CalendarDate(iso: "2026-02-05")!)
        #expect(runs.map(\.bureau) == [.equifax])
        #expect(runs.first?.month == ReportMonth("2026-01"))
        #expect(schedule.runDue(store: t.store, today: CalendarDate(iso: "2026-02-06")!).isEmpty)
        // Accès Crédit's day is the 7th.
        #expect(
            schedule.runDue(store: t.store, today: CalendarDate(iso: "2026-02-07")!).map(\.bureau) == [.acces]
        )
        #expect(schedule.runDue(store: t.store, today: CalendarDate(iso: "2026-02-28")!).isEmpty)
    }

    @Test("relais bureau writes the month, refuses it twice, and prints its exclusions")
    func command() throws {
        let t = try BureauTestStore()
        try JanuaryFixture.build(t)
        let config = t.folder + "/relais.json"
        let out = t.folder + "/by-hand.m2"
        #expect(
            RelaisCommandLine.main([
                "relais", "bureau", "--config", config, "--bureau", "equifax",
                "--month", "2026-01", "--dry-run",
            ]) == 0)
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(
            RelaisCommandLine.main([
                "relais", "bureau", "--config", config, "--bureau", "equifax",
                "--month", "2026-01", "--out", out,
            ]) == 0)
        #expect(try Metro2Checker.check(path: out).findings.isEmpty)
        #expect(
            RelaisCommandLine.main([
                "relais", "bureau", "--config", config, "--bureau", "equifax",
                "--month", "2026-01", "--out", out,
            ]) == 1)
        #expect(
            RelaisCommandLine.main([
                "relais", "bureau", "--config", config, "--bureau", "transunion",
                "--month", "2026-01",
            ]) == 2)
        #expect(
            RelaisCommandLine.main([
                "relais", "bureau", "--config", config, "--bureau", "acces",
                "--month", "janvier",
            ]) == 2)
    }

    @Test("With a GPG key configured the file is written encrypted and decrypts to the plain file")
    func encrypted() throws {
        // Two keyrings: the bureau's, which holds the secret key, and the agency's, which is
        // given the public key file only. Short paths: gpg-agent's socket path is limited.
        let base = "/tmp/rg\(UUID().uuidString.prefix(6))"
        let bureauHome = base + "/b"
        let agencyHome = base + "/a"
        for home in [bureauHome, agencyHome] {
            try FileManager.default.createDirectory(
                atPath: home, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        }
        defer {
            _ = try? runProgram("/usr/bin/gpgconf", ["--homedir", bureauHome, "--kill", "all"])
            _ = try? runProgram("/usr/bin/gpgconf", ["--homedir", agencyHome, "--kill", "all"])
            try? FileManager.default.removeItem(atPath: base)
        }
        let gpg = "/usr/bin/gpg"
        let made = try runProgram(
            gpg,
            [
                "--homedir", bureauHome, "--batch", "--passphrase", "", "--quick-gen-key",
                "Bureau Test <bureau@example.invalid>", "default", "default", "never",
            ])
        try #require(made.status == 0)
        let exported = try runProgram(
            gpg, ["--homedir", bureauHome, "--armor", "--export", "bureau@example.invalid"])
        try exported.output.write(to: URL(fileURLWithPath: base + "/bureau.asc"))

        let t = try BureauTestStore(
            gpg: """
                { "recipient": "bureau@example.invalid", "publicKeyFile": "\(base)/bureau.asc",
                  "homeDirectory": "\(agencyHome)" }
                """)
        try JanuaryFixture.build(t)
        // A plain file an interrupted run left behind is removed, never sent.
        try FileManager.default.createDirectory(
            atPath: t.folder + "/bureaus/equifax",
            withIntermediateDirectories: true)
        try "left".write(
            toFile: t.folder + "/bureaus/equifax/.equifax-2025-12.999.plain", atomically: false,
            encoding: .utf8)
        let run = try t.write("2026-01")
        let path = try #require(run.path)
        #expect(path.hasSuffix("/equifax-2026-01.m2.gpg"))
        let folder = AtomicFile.parentFolder(path)
        let left = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(left == ["equifax-2026-01-exclusions.csv", "equifax-2026-01.m2.gpg"])

        let decrypted = try runProgram(
            gpg, ["--homedir", bureauHome, "--batch", "--quiet", "--decrypt", path])
        #expect(decrypted.status == 0)
        #expect(Array(decrypted.output) == (try BureauTestStore.fixture("equifax-2026-01.m2")))
    }

    @Test("An unknown recipient fails the month and leaves neither file nor record")
    func unknownRecipient() throws {
        let home = "/tmp/rg\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(
            atPath: home, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        defer {
            _ = try? runProgram("/usr/bin/gpgconf", ["--homedir", home, "--kill", "all"])
            try? FileManager.default.removeItem(atPath: home)
        }
        let t = try BureauTestStore(
            gpg: "{ \"recipient\": \"nobody@example.invalid\", \"homeDirectory\": \"\(home)\" }")
        try JanuaryFixture.build(t)
        #expect(throws: GPGError.self) { try t.write("2026-01") }
        #expect(try t.reporter().writtenMonths() == [])
        #expect(try t.history(caseID: 1) == [])
        let folder = t.folder + "/bureaus/equifax"
        #expect((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] == [])
    }
}
