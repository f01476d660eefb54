import CLinux
import Glibc

/// One watched folder: `<inbox>/<client>/<channel>/`.
public struct InboxFolder: Sendable, Hashable {
    public let clientID: String
    public let channel: Channel
    public let path: String
}

/// inotify on the inbox folders. It only cuts latency: the daemon's scans are the truth, and
/// an overflowed queue or a folder that vanished only asks for a rescan.
final class InboxWatcher {
    enum Event {
        /// A file was renamed into the folder: complete by the gateway convention.
        case renamedIn(InboxFolder, String)
        /// A file was created or written and closed: complete only once it holds still.
        case written(InboxFolder, String)
        /// Events were lost, or a folder went away: scan everything.
        case rescan
    }

    let fd: Int32
    private var folders: [Int32: InboxFolder] = [:]

    init() throws {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw FileError(path: "inotify", operation: "inotify_init1", errno: errno) }
    }

    deinit { close(fd) }

    func watch(_ folder: InboxFolder) throws {
        let mask = UInt32(
            IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
        let wd = inotify_add_watch(fd, folder.path, mask)
        guard wd >= 0 else {
            throw FileError(path: folder.path, operation: "inotify_add_watch", errno: errno)
        }
        folders[wd] = folder
    }

    var watchedCount: Int { folders.count }

    /// Reads what the kernel has queued, without waiting.
    func drain() -> [Event] {
        var events: [Event] = []
        let size = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, buffer, size)
            if count <= 0 { break }
            var offset = 0
            while offset < count {
                let event = (buffer + offset).assumingMemoryBound(to: inotify_event.self).pointee
                let nameLength = Int(event.len)
                var name = ""
                if nameLength > 0 {
                    let namePointer = (buffer + offset + MemoryLayout<inotify_event>.size)
                        .assumingMemoryBound(to: CChar.self)
                    let bytes = UnsafeRawBufferPointer(start: namePointer, count: strlen(namePointer))
                    // A name that is not UTF-8 is renamed by the scan; ask for one at once.
                    guard let valid = String(validating: bytes, as: UTF8.self) else {
                        offset += MemoryLayout<inotify_event>.size + nameLength
                        events.append(.rescan)
                        continue
                    }
                    name = valid
                }
                offset += MemoryLayout<inotify_event>.size + nameLength
                if event.mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    events.append(.rescan)
                    continue
                }
                guard let folder = folders[event.wd] else { continue }
                if event.mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED) != 0 {
                    folders[event.wd] = nil
                    events.append(.rescan)
                } else if event.mask & UInt32(IN_ISDIR) != 0 {
                    continue
                } else if event.mask & UInt32(IN_MOVED_TO) != 0 {
                    events.append(.renamedIn(folder, name))
                } else if !name.isEmpty {
                    events.append(.written(folder, name))
                }
            }
        }
        return events
    }

    func isWatched(_ folder: InboxFolder) -> Bool { folders.values.contains(folder) }
}

/// SIGTERM, SIGINT and SIGHUP as readable events (signalfd), so that the daemon's one loop
/// waits on files and signals alike and a signal never interrupts a file in hand.
final class SignalEvents {
    let fd: Int32

    init() throws {
        var mask = sigset_t()
        sigemptyset(&mask)
        for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&mask, signal) }
        guard pthread_sigmask(SIG_BLOCK, &mask, nil) == 0 else {
            throw FileError(path: "signals", operation: "pthread_sigmask", errno: errno)
        }
        fd = signalfd(-1, &mask, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        guard fd >= 0 else { throw FileError(path: "signals", operation: "signalfd", errno: errno) }
    }

    deinit { close(fd) }

    /// The signals received since the last call.
    func drain() -> [Int32] {
        var signals: [Int32] = []
        var info = signalfd_siginfo()
        while read(fd, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {
            signals.append(Int32(info.ssi_signo))
        }
        return signals
    }
}
