#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux

/// What the kernel says about its network devices, read from `/sys` and `/proc`.
public enum KernelDevices {
    /// Device names under `/sys/class/net`, sorted.
    public static func names() -> [String] {
        guard let directory = opendir("/sys/class/net") else { return ["lo"] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// The device of the IPv4 default route, from `/proc/net/route`.
    public static func defaultRouteDevice() -> String? {
        guard let file = fopen("/proc/net/route", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 512)
        while fgets(&line, Int32(line.count), file) != nil {
            let fields = String(cString: line).split(whereSeparator: { $0 == "\t" || $0 == " " || $0 == "\n" })
            // Iface Destination Gateway Flags ...: the default route has destination 0 and mask 0.
            if fields.count > 7, fields[1] == "00000000", fields[7] == "00000000" { return String(fields[0]) }
        }
        return nil
    }
}
