import CLinux
import Foundation
import Glibc

/// `relais serve`: watches every configured client's inbox folders, takes each file once it is
/// complete, and hands it to the intake. One thread, one loop: inotify and signals wake it,
/// a startup scan and a periodic rescan make sure nothing is missed.
public final class Daemon {
    /// A file seen in an inbox and not yet taken.
    struct Candidate {
        let folder: InboxFolder
        var size: Int64
        var modified: Int64
        /// When size and modification time were last seen to change (monotonic seconds).
        var changedAt: Double
        /// Renamed into the folder, or a done-marker stands beside it: complete now.
        var complete: Bool
        /// After a failed attempt, not before this time.
        var retryAt: Double = 0
        var failures = 0
    }

    let configuration: Configuration
    let log: Log
    let notifier: SystemdNotifier
    private var candidates: [String: Candidate] = [:]
    /// Paths already reported as never to be taken (folders, lone markers, folders of no client),
    /// so that each is said once, not at every scan.
    private var reported: Set<String> = []
    private var stopping = false

    public init(configuration: Configuration, log: Log, environment: [String: String]) {
        self.configuration = configuration
        self.log = log
        self.notifier = SystemdNotifier(environment: environment)
    }

    var folders: [InboxFolder] {
        configuration.clients.flatMap { client in
            client.channels.map {
                InboxFolder(
                    clientID: client.id, channel: $0,
                    path: "\(configuration.inbox)/\(client.id)/\($0.rawValue)")
            }
        }
    }

    /// One daemon per case store: a second would take the same inbox files at the same moment.
    /// The lock is an flock on `<store>.serve.lock`, released by the kernel when the process ends,
    /// however it ends.
    static func holdInstanceLock(for store: String) throws -> Int32 {
        try AtomicFile.makeFolder(AtomicFile.parentFolder(store))
        let path = store + ".serve.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw FileError(path: path, operation: "open", errno: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK {
                throw UsageError(
                    "another relais serve is already running on the store \(store) (lock \(path))")
            }
            throw FileError(path: path, operation: "flock", errno: code)
        }
        return fd
    }

    /// Names that are never assignments: hidden files, uploads in progress, markers.
    static func isIgnored(_ name: String) -> Bool {
        let lower = name.lowercased()
        return name.hasPrefix(".") || name.hasSuffix("~") || name.hasPrefix("~")
            || [".tmp", ".part", ".partial", ".filepart", ".crdownload", ".done", ".reason", ".swp"].contains
            { lower.hasSuffix($0) }
    }

    /// Runs until SIGTERM or SIGINT; returns the exit code.
    public func run() throws -> Int32 {
        let signals = try SignalEvents()
        let instance = try Self.holdInstanceLock(for: configuration.store)
        defer { close(instance) }
        let store = try RelaisCommandLine.openStore(configuration)
        let intake = Intake(configuration: configuration, store: store, log: log)
        intake.progress = { [notifier] in notifier.keepAlive() }
        let watcher = try InboxWatcher()

        // Startup: folders, what a crash left half done, then everything already waiting.
        for folder in folders {
            try AtomicFile.makeFolder(folder.path)
            try watcher.watch(folder)
        }
        try intake.reconcile()
        let sftpPollers = SFTPPollers.start(configuration: configuration, log: log)
        scan(watcher: watcher)
        var bureauSchedule = BureauSchedule(configuration: configuration, log: log)
        bureauSchedule.progress = { [notifier] in notifier.keepAlive() }
        bureauSchedule.runDue(store: store, today: CalendarDate.today())
        BureauUpload(configuration: configuration, log: log).sendPending(store: store)
        var nextRescan = Clock.monotonic() + configuration.rescanSeconds
        notifier.send("READY=1\nSTATUS=watching \(watcher.watchedCount) inbox folders")
        log.info(
            "watching",
            [
                "folders": String(watcher.watchedCount), "inbox": configuration.inbox,
                "settleSeconds": String(configuration.settleSeconds),
            ])
        // Said at once rather than on the first XML file a client sends.
        let schemas = Set(configuration.clients.compactMap { $0.profile.xmlSchema })
        for schema in schemas.sorted() where access(schema, R_OK) != 0 {
            log.warning(
                "the XML schema cannot be read: files in Relais's own XML will be refused",
                ["path": schema, "error": String(cString: strerror(errno))])
        }

        while !stopping {
            notifier.keepAlive()
            var fds = [
                pollfd(fd: watcher.fd, events: Int16(POLLIN), revents: 0),
                pollfd(fd: signals.fd, events: Int16(POLLIN), revents: 0),
            ]
            let timeout = Int32(max(10, min(500, (nextWake(before: nextRescan) - Clock.monotonic()) * 1000)))
            let ready = poll(&fds, 2, timeout)
            if ready < 0 && errno != EINTR {
                throw FileError(path: "poll", operation: "poll", errno: errno)
            }
            handle(signals.drain(), watcher: watcher)
            if stopping { break }
            for event in watcher.drain() {
                switch event {
                case .renamedIn(let folder, let name): notice(folder, name, complete: true)
                case .written(let folder, let name): notice(folder, name, complete: false)
                case .rescan:
                    log.info("rescanning: inotify lost events or a folder changed")
                    nextRescan = 0
                }
            }
            if Clock.monotonic() >= nextRescan {
                scan(watcher: watcher)
                bureauSchedule.runDue(store: store, today: CalendarDate.today())
                BureauUpload(configuration: configuration, log: log).sendPending(store: store)
                nextRescan = Clock.monotonic() + configuration.rescanSeconds
            }
            takeReadyFiles(intake: intake, signals: signals, watcher: watcher)
        }

        notifier.send("STOPPING=1")
        sftpPollers.stop()
        log.info("stopped")
        try store.close()
        return 0
    }

    private func handle(_ received: [Int32], watcher: InboxWatcher) {
        for signal in received {
            if signal == SIGHUP {
                log.info("rescanning on SIGHUP")
                scan(watcher: watcher)
            } else {
                log.info("stopping", ["signal": signal == SIGTERM ? "SIGTERM" : "SIGINT"])
                stopping = true
            }
        }
    }

    /// The soonest moment something may be due: a settle interval ending, a retry, a rescan.
    private func nextWake(before rescan: Double) -> Double {
        var soonest = rescan
        for candidate in candidates.values {
            let due =
                candidate.complete
                ? candidate.retryAt
                : max(candidate.retryAt, candidate.changedAt + configuration.settleSeconds)
            soonest = min(soonest, due)
        }
        return soonest
    }

    /// Records an inotify event for a file. A done-marker `NAME.done` makes `NAME` complete.
    private func notice(_ folder: InboxFolder, _ name: String, complete: Bool) {
        if name.lowercased().hasSuffix(".done") {
            let target = String(name.dropLast(5))
            let path = "\(folder.path)/\(target)"
            if var candidate = candidates[path] {
                candidate.complete = true
                candidates[path] = candidate
            } else if let info = Self.statRegular(path) {
                candidates[path] = Candidate(
                    folder: folder, size: info.size, modified: info.modified,
                    changedAt: Clock.monotonic(), complete: true)
            }
            return
        }
        guard !Self.isIgnored(name) else { return }
        let path = "\(folder.path)/\(name)"
        let info = Self.statRegular(path)
        let now = Clock.monotonic()
        if var candidate = candidates[path] {
            candidate.complete = candidate.complete || complete
            if let info, info.size != candidate.size || info.modified != candidate.modified {
                candidate.size = info.size
                candidate.modified = info.modified
                candidate.changedAt = now
            }
            candidates[path] = candidate
        } else {
            let doneMarker = access(path + ".done", F_OK) == 0
            candidates[path] = Candidate(
                folder: folder, size: info?.size ?? -1, modified: info?.modified ?? 0,
                changedAt: now, complete: complete || doneMarker)
        }
    }

    /// Says once that something in the inbox will never be taken.
    private func report(_ path: String, _ why: String) {
        guard reported.insert(path).inserted else { return }
        log.warning("not taken", ["path": path, "why": why])
    }

    /// Folders under the inbox that belong to no configured client or channel: their files would
    /// wait forever, so each is said once.
    private func reportStrayFolders() {
        let fm = FileManager.default
        guard let clients = try? fm.contentsOfDirectory(atPath: configuration.inbox) else { return }
        for clientID in clients where !clientID.hasPrefix(".") {
            let path = "\(configuration.inbox)/\(clientID)"
            guard let client = configuration.client(clientID) else {
                report(path, "no configured client has this id")
                continue
            }
            for channel in (try? fm.contentsOfDirectory(atPath: path)) ?? [] where !channel.hasPrefix(".") {
                if !client.channels.contains(where: { $0.rawValue == channel }) {
                    report("\(path)/\(channel)", "not a channel watched for this client")
                }
            }
        }
    }

    /// Lists every inbox folder, re-watching any that was removed and made again.
    private func scan(watcher: InboxWatcher) {
        reportStrayFolders()
        for folder in folders {
            if !watcher.isWatched(folder) {
                do {
                    try AtomicFile.makeFolder(folder.path)
                    try watcher.watch(folder)
                } catch {
                    log.error("cannot watch inbox folder", ["path": folder.path, "error": "\(error)"])
                    continue
                }
            }
            guard let directory = opendir(folder.path) else {
                log.error(
                    "cannot list inbox folder",
                    ["path": folder.path, "error": String(cString: strerror(errno))])
                continue
            }
            defer { closedir(directory) }
            while let entry = readdir(directory) {
                let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
                guard let name = String(validating: bytes, as: UTF8.self) else {
                    renameToUTF8(folder: folder.path, bytes: bytes)
                    continue
                }
                if name == "." || name == ".." { continue }
                let path = "\(folder.path)/\(name)"
                if entry.pointee.d_type == UInt8(DT_DIR) {
                    report(path, "a folder inside an inbox folder is not read")
                    continue
                }
                if name.lowercased().hasSuffix(".done"), access(String(path.dropLast(5)), F_OK) != 0 {
                    report(path, "a done-marker without its file")
                    continue
                }
                if candidates[path] == nil || name.lowercased().hasSuffix(".done") {
                    notice(folder, name, complete: false)
                }
            }
        }
    }

    /// A name that is not UTF-8 cannot be named in the ledger or in a document: the file is
    /// renamed in place, its bytes read as ISO-8859-1 (as old Windows systems write names), and
    /// the next scan takes it under that name.
    private func renameToUTF8(folder: String, bytes: [UInt8]) {
        let readable = String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        let old = Array(folder.utf8) + [UInt8(ascii: "/")] + bytes + [0]
        let new = "\(folder)/\(readable)"
        let done = old.withUnsafeBufferPointer { raw in
            raw.baseAddress!.withMemoryRebound(to: CChar.self, capacity: raw.count) { rename($0, new) == 0 }
        }
        if done {
            log.info("renamed a file whose name was not UTF-8", ["folder": folder, "name": readable])
        } else {
            log.error(
                "cannot rename a file whose name is not UTF-8",
                [
                    "folder": folder, "name": readable,
                    "error": String(cString: strerror(errno)),
                ])
        }
    }

    /// Ingests every candidate that is complete, stopping between files if a signal came.
    private func takeReadyFiles(intake: Intake, signals: SignalEvents, watcher: InboxWatcher) {
        let now = Clock.monotonic()
        // Oldest first, by modification time, so that an update file sent after the
        // assignments it names is read after them, whatever the names and channels.
        let order = candidates.sorted { ($0.value.modified, $0.key) < ($1.value.modified, $1.key) }.map(\.key)
        for path in order {
            guard var candidate = candidates[path], candidate.retryAt <= now else { continue }
            // Re-read size and time: a file still growing is not taken.
            guard let info = Self.statAny(path) else {
                candidates[path] = nil
                continue
            }
            if info.size != candidate.size || info.modified != candidate.modified {
                candidate.size = info.size
                candidate.modified = info.modified
                candidate.changedAt = now
                candidates[path] = candidate
                if !candidate.complete { continue }
            }
            guard candidate.complete || now - candidate.changedAt >= configuration.settleSeconds else {
                continue
            }
            guard let client = configuration.client(candidate.folder.clientID) else { continue }

            do {
                let result = try intake.ingest(
                    path: path, client: client, channel: candidate.folder.channel,
                    source: "inbox", disposal: .move)
                candidates[path] = nil
                unlink(path + ".done")
                log.debug("file taken", ["path": path, "status": result.status.rawValue])
            } catch let error as FileError where error.errno == ENOENT && Self.statAny(path) == nil {
                // Renamed or deleted between the listing and the reading: nothing to take.
                candidates[path] = nil
                log.info("file gone before it was read", ["path": path])
            } catch {
                candidate.failures += 1
                let delay = min(300, Double(1 << min(candidate.failures, 8)))
                candidate.retryAt = Clock.monotonic() + delay
                candidates[path] = candidate
                log.error(
                    "file not taken; will retry",
                    [
                        "path": path, "error": "\(error)",
                        "retryInSeconds": String(Int(delay)),
                    ])
            }
            notifier.keepAlive()
            handle(signals.drain(), watcher: watcher)
            if stopping { return }
        }
    }

    static func statRegular(_ path: String) -> (size: Int64, modified: Int64)? {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return (Int64(info.st_size), Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }

    /// Size and time of anything at the path, links included (they are refused by the intake).
    static func statAny(_ path: String) -> (size: Int64, modified: Int64)? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        if (info.st_mode & S_IFMT) == S_IFDIR { return nil }
        return (Int64(info.st_size), Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }
}

enum ServeCommand {
    static let command = Command(
        name: "serve", summary: "run the daemon: watch the inboxes and take every file once",
        usage: """
            Usage: relais serve --config FILE

            Watches <inbox>/<client>/<channel>/ for every configured client and channel. A file
            is taken once complete: renamed into the folder, with a NAME.done marker beside it,
            or unchanged for settleSeconds. Logs one line per event on standard error.
            SIGTERM or SIGINT finishes the file in hand and exits 0; SIGHUP rescans.
            Under systemd (NOTIFY_SOCKET set) it sends READY=1 once watching, and WATCHDOG=1.
            """,
        run: run)

    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, valued: ["config"])
        let configuration = try RelaisCommandLine.configuration(arguments)
        var environment: [String: String] = [:]
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC"] {
            if let value = getenv(key) { environment[key] = String(cString: value) }
        }
        let daemon = Daemon(
            configuration: configuration, log: Log(level: configuration.logLevel), environment: environment)
        return try daemon.run()
    }
}
