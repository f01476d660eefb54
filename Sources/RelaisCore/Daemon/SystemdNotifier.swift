import Glibc

/// Tells systemd how the daemon is doing through `$NOTIFY_SOCKET` (the sd_notify protocol: one
/// datagram of `KEY=value` lines), without linking libsystemd. Does nothing when the variable
/// is not set, as when Relais runs by hand.
public final class SystemdNotifier {
    private let socketPath: String?
    /// Half the watchdog interval systemd asked for, or nil when it asked for none.
    public let watchdogInterval: Double?
    private var lastPing: Double = 0

    public init(environment: [String: String]) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        if let text = environment["WATCHDOG_USEC"], let usec = Double(text), usec > 0 {
            watchdogInterval = usec / 2_000_000
        } else {
            watchdogInterval = nil
        }
    }

    public var isActive: Bool { socketPath != nil }

    /// Sends one message; failures are ignored, as sd_notify does: systemd may not be listening.
    public func send(_ message: String) {
        guard let socketPath else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(socketPath.utf8)
        // A leading '@' names a socket in the abstract namespace: its first byte is NUL.
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in pathBytes.enumerated() { raw[i] = b }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count)
        var bytes = Array(message.utf8)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bytes.withUnsafeMutableBytes {
                    sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), sa, length)
                }
            }
        }
    }

    /// Pings the watchdog if half its interval has passed since the last ping.
    public func keepAlive() {
        guard let interval = watchdogInterval else { return }
        let now = Clock.monotonic()
        if now - lastPing >= interval / 2 {
            send("WATCHDOG=1")
            lastPing = now
        }
    }
}

/// Seconds on the monotonic clock, which no change of the wall clock moves.
public enum Clock {
    public static func monotonic() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
