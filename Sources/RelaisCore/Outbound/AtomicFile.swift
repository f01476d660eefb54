import Glibc

/// Writes files so that no reader ever sees a partial one: the bytes go to a temporary name in
/// the same folder, are flushed to disk, then renamed over the final name, and the folder is
/// flushed too. A failed fsync is final: the page cache may have dropped the data, so the
/// write is reported, never retried.
public enum AtomicFile {
    /// Creates `folder` and its parents as needed (mode 0750).
    public static func makeFolder(_ folder: String) throws {
        var path = ""
        for component in folder.split(separator: "/", omittingEmptySubsequences: true) {
            path += "/" + component
            if mkdir(path, 0o750) != 0 && errno != EEXIST {
                throw FileError(path: path, operation: "mkdir", errno: errno)
            }
        }
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { sink in try sink.write(bytes) }
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// Streams content to `path` atomically through a sink, for documents too large to build
    /// in memory.
    public static func write(to path: String, _ body: (FileSink) throws -> Void) throws {
        let folder = parentFolder(path)
        try makeFolder(folder)
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let temporary = "\(folder)/.\(name).\(getpid()).tmp"
        let sink = try FileSink(path: temporary, mode: 0o640)
        do {
            try body(sink)
            try sink.flush()
            try sink.sync()
            try sink.close()
        } catch {
            try? sink.close()
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw FileError(path: path, operation: "rename", errno: code)
        }
        try syncFolder(folder)
    }

    /// Flushes a folder's entries (a rename, a new name) to disk.
    public static func syncFolder(_ folder: String) throws {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: folder, operation: "open folder", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw FileError(path: folder, operation: "fsync folder", errno: errno) }
    }

    public static func parentFolder(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// A file being written, buffered, with explicit flush, sync and close that report errors.
public final class FileSink {
    private var fd: Int32
    let path: String
    private var buffer: [UInt8] = []

    init(path: String, mode: mode_t) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileError(path: path, operation: "create", errno: errno) }
        buffer.reserveCapacity(1 << 16)
    }

    /// A sink on an already open descriptor (standard output), not closed by this sink.
    init(descriptor: Int32, name: String) {
        fd = descriptor
        path = name
    }

    deinit { if fd > 2 { Glibc.close(fd) } }

    public static func standardOutput() -> FileSink { FileSink(descriptor: 1, name: "standard output") }

    public func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    public func write(_ text: String) throws { try write(Array(text.utf8)) }

    public func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes {
                Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, operation: "write", errno: errno)
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func sync() throws {
        guard fsync(fd) == 0 else { throw FileError(path: path, operation: "fsync", errno: errno) }
    }

    func close() throws {
        guard fd > 2 else { return }
        let result = Glibc.close(fd)
        fd = -1
        guard result == 0 else { throw FileError(path: path, operation: "close", errno: errno) }
    }
}
