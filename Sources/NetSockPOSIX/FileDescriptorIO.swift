#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux

/// Whole reads and writes on descriptors and small files, retrying interrupted and short calls.
public enum FileDescriptorIO {
    /// Everything `fd` yields until end of input; at most `limit` bytes (`EFBIG` past it).
    public static func readAll(_ fd: Int32, limit: Int = 64 << 20) throws(SystemError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw .last("read")
            }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
            if bytes.count > limit { throw SystemError("read", errno: EFBIG) }
        }
    }

    /// A whole file (config files and the like are small).
    public static func readFile(_ path: String, limit: Int = 16 << 20) throws(SystemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .last("open(\(path))") }
        defer { close(fd) }
        do {
            return try self.readAll(fd, limit: limit)
        } catch {
            throw SystemError("read(\(path))", errno: error.errno)
        }
    }

    /// Writes every byte; false when the descriptor refuses (a closed pipe, a full disk).
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: some Collection<UInt8>) -> Bool {
        let contiguous = Array(bytes)
        var offset = 0
        while offset < contiguous.count {
            let written = contiguous.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    /// Creates or replaces a small file with `bytes`.
    public static func writeFile(_ path: String, _ bytes: some Collection<UInt8>, mode: mode_t = 0o644) throws(SystemError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .last("open(\(path))") }
        defer { close(fd) }
        guard self.writeAll(fd, bytes) else { throw .last("write(\(path))") }
    }
}
