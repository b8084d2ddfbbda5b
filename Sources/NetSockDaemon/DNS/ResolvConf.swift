import NSAPI

/// `/etc/resolv.conf` (resolv.conf(5)): only the `nameserver` lines matter here.
enum ResolvConf {
    /// The servers in file order; malformed lines are skipped.
    static func servers(_ text: String) -> [SocketAddress] {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).compactMap { line in
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 2, words[0] == "nameserver" else { return nil }
            // A zone suffix (fe80::1%eth0) cannot be used without its interface; skip such entries.
            return SocketAddress(parsing: words[1], port: 53)
        }
    }
}
