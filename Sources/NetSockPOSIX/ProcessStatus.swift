#if canImport(Glibc)
import Glibc
#endif

/// What `/proc` says of a running process: memory, descriptors and CPU time. Tests and
/// the soak read the daemon's with it to show that nothing grows without bound.
public struct ProcessStatus: Sendable, Equatable {
    public var residentBytes: Int
    /// The high-water mark of resident memory since the process started (`VmHWM`).
    public var peakResidentBytes: Int
    public var descriptors: Int
    /// User plus system CPU time, in clock ticks.
    public var cpuTicks: Int

    /// Nil once the process is gone (or `/proc` is not readable).
    public init?(pid: pid_t) {
        guard let status = try? FileDescriptorIO.readFile("/proc/\(pid)/status"),
            let stat = try? FileDescriptorIO.readFile("/proc/\(pid)/stat"),
            let descriptors = Self.countEntries("/proc/\(pid)/fd")
        else { return nil }
        let fields = Self.statusFields(String(decoding: status, as: UTF8.self))
        self.residentBytes = (fields["VmRSS"] ?? 0) * 1024
        self.peakResidentBytes = (fields["VmHWM"] ?? 0) * 1024
        self.descriptors = descriptors
        self.cpuTicks = Self.cpuTicks(stat: String(decoding: stat, as: UTF8.self))
    }

    /// The `Key: number kB` lines of `/proc/PID/status`, numbers only.
    static func statusFields(_ text: String) -> [String: Int] {
        var fields: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if let value = line[line.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap({ Int($0) }) {
                fields[String(line[..<colon])] = value
            }
        }
        return fields
    }

    static func cpuTicks(stat text: String) -> Int {
        // The command name may hold spaces; the fields after its `)` are fixed: state is
        // field 3, utime 14 and stime 15 (1-based in proc(5)).
        guard let close = text.lastIndex(of: ")") else { return 0 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return 0 }
        return user + system
    }

    static func countEntries(_ path: String) -> Int? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let first = withUnsafeBytes(of: entry.pointee.d_name) { $0.first ?? 0 }
            if first != UInt8(ascii: ".") { count += 1 }
        }
        return count
    }
}
