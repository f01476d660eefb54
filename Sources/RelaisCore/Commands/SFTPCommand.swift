/// `relais sftp poll|deliver --client ID`: one pick-up or one delivery against a client's SFTP
/// server, as the daemon's poller does it, for operators and tests.
enum SFTPCommand {
    static let command = Command(
        name: "sftp", summary: "poll a client's SFTP server once, or deliver its outbound files",
        usage: """
            Usage: relais sftp poll --config FILE --client ID
                   relais sftp deliver --config FILE --client ID

            poll     lists the client's remote folder, waits settleSeconds and lists it again,
                     takes every complete file matching the pattern (at most maxFilesPerPoll),
                     records it exactly once, then archives or deletes it on the server.
                     Prints one JSON object per file taken, as `relais ingest` does.
            deliver  pushes the files of <outbox>/<client>/ not yet delivered to the client's
                     delivery folder (temporary name, size check, rename). Prints each remote
                     path delivered.
            The server's host key must be in the configured known_hosts file. Exits 1 when
            the server cannot be reached or refuses, with the server and the step in the message.
            """,
        run: run)

    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, valued: ["config", "client"])
        guard let action = arguments.operands.first, ["poll", "deliver"].contains(action),
            arguments.operands.count == 1
        else {
            throw UsageError("expected poll or deliver (relais sftp poll|deliver --client ID)")
        }
        let configuration = try RelaisCommandLine.configuration(arguments)
        let client = try RelaisCommandLine.client(configuration, try arguments.required("client"))
        guard client.sftp != nil else {
            throw UsageError("client \"\(client.id)\" has no sftp server configured")
        }
        let store = try RelaisCommandLine.openStore(configuration)
        defer { try? store.close() }
        let log = Log(level: .warning)

        if action == "poll" {
            let intake = Intake(configuration: configuration, store: store, log: log)
            let pickup = try SFTPPickup(
                configuration: configuration, client: client, store: store, intake: intake,
                log: log)
            defer { pickup.close() }
            let report = try pickup.poll(waitForSettle: true)
            for result in report.taken { RelaisCommandLine.printOut(result.json) }
            if report.leftForLater > 0 {
                RelaisCommandLine.printError(
                    "relais sftp: \(report.leftForLater) complete files left for the next poll")
            }
        } else {
            let delivery = try SFTPDelivery(
                configuration: configuration, client: client, store: store, log: log)
            defer { delivery.close() }
            let report = try delivery.deliver()
            for path in report.delivered { RelaisCommandLine.printOut(path) }
        }
        return 0
    }
}
