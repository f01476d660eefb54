import Glibc

/// One poll or delivery at a time per client, across processes: the daemon's poller and a
/// `relais sftp` command run by hand would otherwise upload to the same temporary name, or race
/// for the same remote file. An flock on `<staging>/<client>.lock`, released by the kernel if
/// the holder dies.
final class SFTPClientLock {
    private var fd: Int32 = -1
    let path: String

    /// Takes the lock, or fails at once (never waits) when another run holds it.
    init(staging: String, clientID: String) throws {
        path = "\(staging)/\(clientID).lock"
        try AtomicFile.makeFolder(staging)
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw FileError(path: path, operation: "open lock", errno: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            Glibc.close(fd)
            fd = -1
            if code == EWOULDBLOCK {
                throw UsageError(
                    "client \"\(clientID)\" is being polled or delivered by another relais process "
                        + "(lock \(path)); try again when it is done")
            }
            throw FileError(path: path, operation: "lock", errno: code)
        }
    }

    deinit { release() }

    func release() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }
}
