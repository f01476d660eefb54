enum EmailIntake {
    static func isMessage(name: String, channel: Channel) -> Bool { false }
}
extension CaseStore {
    func isMessage(fileID: Int64) throws -> Bool {
        (try db.scalar("SELECT COUNT(*) FROM email_messages WHERE file_id = ?", [.integer(fileID)])?.int ?? 0) > 0
    }
}
extension Intake {
    func ingestMessage(_ file: ReceivedFile, client: ClientConfiguration, disposal: Disposal) throws -> IngestResult {
        fatalError()
    }
    func completeMessage(_ entry: LedgerEntry, client: ClientConfiguration) throws -> LedgerEntry { entry }
}
