import Dispatch
import Foundation

/// The daemon's SFTP side: one thread per client with an `sftp` server, each with its own case
/// store connection, intake, and connection to the server. libssh2 calls block their thread
/// (for at most the operation deadline), so they never run on Swift's cooperative pool, and a
/// client's server that fails or hangs holds only its own thread: the other clients and the
/// inbox loop go on. SQLite's busy timeout serialises the threads' writes.
final class SFTPPollers {
    private let pollers: [SFTPPoller]

    private init(pollers: [SFTPPoller]) {
        self.pollers = pollers
    }

    /// Starts a poller for every client with an `sftp` server. Called after the signal mask is
    /// set, so that the threads inherit it and SIGTERM reaches only the daemon's loop.
    static func start(configuration: Configuration, log: Log) -> SFTPPollers {
        let pollers = configuration.clients.compactMap { client in
            client.sftp == nil ? nil : SFTPPoller(configuration: configuration, client: client, log: log)
        }
        for poller in pollers { poller.start() }
        return SFTPPollers(pollers: pollers)
    }

    /// Asks every poller to stop after the file in hand, and waits until they have.
    func stop() {
        for poller in pollers { poller.signal.stop() }
        for poller in pollers { poller.finished.wait() }
    }
}

/// A stop request that a sleeping thread wakes for at once.
final class StopSignal: @unchecked Sendable {
    // @unchecked: the flag is read and written only under `condition`'s lock.
    private let condition = NSCondition()
    private var stopped = false

    var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Sleeps up to `seconds`; returns early (true) when stopped.
    @discardableResult
    func wait(_ seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        defer { condition.unlock() }
        while !stopped {
            if !condition.wait(until: deadline) { break }
        }
        return stopped
    }
}

/// One client's polling thread.
final class SFTPPoller: Sendable {
    let configuration: Configuration
    let client: ClientConfiguration
    let log: Log
    let signal = StopSignal()
    let finished = DispatchSemaphore(value: 0)

    init(configuration: Configuration, client: ClientConfiguration, log: Log) {
        self.configuration = configuration
        self.client = client
        self.log = log
    }

    func start() {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "sftp \(client.id)"
        thread.start()
    }

    private func run() {
        guard let sftp = client.sftp else { return }
        var failures = 0
        var resources: (store: CaseStore, pickup: SFTPPickup, delivery: SFTPDelivery?)?
        log.info(
            "sftp polling",
            [
                "client": client.id, "server": sftp.endpoint.server, "folder": sftp.remoteFolder,
                "pollSeconds": SSHSession.seconds(sftp.pollSeconds),
            ])

        while !signal.isStopped {
            var wait = sftp.pollSeconds
            do {
                if resources == nil { resources = try open() }
                let (_, pickup, delivery) = resources!
                let report = try pickup.poll()
                if let delivery, !signal.isStopped { try delivery.deliver() }
                failures = 0
                if report.leftForLater > 0 {
                    wait = 0
                } else if report.settling > 0 {
                    // The second listing of a new file is due one settle interval from now.
                    wait = min(sftp.pollSeconds, sftp.settleSeconds)
                }
            } catch {
                // Backoff: 2, 4, 8 ... seconds, capped at the poll interval and at 5 minutes.
                failures += 1
                wait = min(max(sftp.pollSeconds, 2), 300, Double(1 << min(failures, 8)))
                log.error(
                    "sftp poll failed; will retry",
                    [
                        "client": client.id, "server": sftp.endpoint.server,
                        "error": "\(error)", "retryInSeconds": SSHSession.seconds(wait),
                    ])
                if !(error is SFTPError), let open = resources {
                    // A local failure (the store, the disk): start again from a fresh connection.
                    open.pickup.close()
                    try? open.store.close()
                    resources = nil
                }
            }
            // A long wait: hang up now rather than hold an idle session the server may drop.
            if wait > resources?.pickup.link.idleLimit ?? 0 { resources?.pickup.close() }
            if wait > 0 { signal.wait(wait) }
        }

        if let open = resources {
            open.pickup.close()
            try? open.store.close()
        }
        log.info("sftp polling stopped", ["client": client.id])
    }

    private func open() throws -> (CaseStore, SFTPPickup, SFTPDelivery?) {
        let store = try RelaisCommandLine.openStore(configuration)
        let intake = Intake(configuration: configuration, store: store, log: log)
        let pickup = try SFTPPickup(
            configuration: configuration, client: client, store: store, intake: intake,
            log: log)
        pickup.shouldStop = { [signal] in signal.isStopped }
        var delivery: SFTPDelivery?
        if client.sftp?.delivery != nil {
            delivery = try SFTPDelivery(
                configuration: configuration, client: client, store: store, log: log,
                link: SFTPLinkSharing(pickup))
            delivery?.shouldStop = { [signal] in signal.isStopped }
        }
        return (store, pickup, delivery)
    }
}
