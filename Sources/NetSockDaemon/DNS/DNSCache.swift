import NSAPI

/// Answers kept for their TTL, least recently used dropped first (Mbed's
/// `dns-cache-size` cache). A TTL of 0 is not cached.
struct DNSCache {
    private struct Entry {
        var key: String
        var addresses: [IPAddress]
        var expires: Int
    }

    var capacity: Int
    /// Most recently used last.
    private var entries: [Entry] = []

    init(capacity: Int) { self.capacity = capacity }

    static func key(_ name: String, _ version: IPVersion) -> String { "\(version.rawValue)|\(name)" }

    mutating func lookup(_ key: String, now: Int) -> [IPAddress]? {
        guard let index = self.entries.firstIndex(where: { $0.key == key }) else { return nil }
        let entry = self.entries.remove(at: index)
        guard entry.expires > now else { return nil }
        self.entries.append(entry)
        return entry.addresses
    }

    mutating func store(_ key: String, _ addresses: [IPAddress], ttlSeconds: UInt32, now: Int) {
        guard ttlSeconds > 0, self.capacity > 0, !addresses.isEmpty else { return }
        self.entries.removeAll { $0.key == key }
        self.entries.append(Entry(key: key, addresses: addresses, expires: now + Int(min(ttlSeconds, 7 * 86_400)) * 1000))
        while self.entries.count > self.capacity { self.entries.removeFirst() }
    }

    mutating func removeAll() { self.entries.removeAll() }

    var count: Int { self.entries.count }
}
