import NSAPI
import NetSockWire

/// The daemon's own stub resolver (RFC 1035 over UDP; no getaddrinfo), with the
/// behaviour Mbed's `nsapi_dns.cpp` shows through its API: IP literals answered
/// locally (a literal of the wrong version is `DNS_FAILURE`), names empty or over
/// 255 octets are `PARAMETER`, a TTL-respecting LRU cache (TTL 0 not cached), at
/// most `max_async` asynchronous queries per client (the next is `NO_MEMORY`), and per-server
/// retries with a timeout each.
///
/// Queries go out through the socket layer on the interface's own stack, as any
/// client's UDP socket would, owned by the daemon itself. Replies with the wrong
/// id, question or source, truncated or malformed ones are ignored.
final class DNSResolver {
    /// The socket-layer owner of the resolver's sockets.
    static let owner = -1
    static let maxAddresses = 10

    var settings: DaemonConfiguration.DNS {
        didSet { self.cache.capacity = self.settings.cacheSize }
    }
    private let sockets: SocketLayer
    private let scheduler: any TimerScheduler
    private var cache: DNSCache
    /// `dns.add_server`: per interface name, nil for every interface; newest first.
    private var addedServers: [String?: [SocketAddress]] = [:]
    var resolvConfServers: [SocketAddress] = []
    /// Servers an interface learnt from its link (DHCP), after Mbed's added ones and
    /// before the configured ones, as lwIP puts DHCP's servers first in its table.
    var linkServers: [String: [SocketAddress]] = [:]

    /// One query in flight, for one client.
    private struct Entry {
        let query: DNSQuery
        let owner: Int
        /// The client's request id (asynchronous queries); `nil` for a blocking query.
        let request: Int?
    }

    /// Every query in flight, by a key never reused (so a finished query can never be
    /// mistaken for a live one).
    private var entries: [Int: Entry] = [:]
    private var nextKey = 1
    /// Per client: asynchronous request id → key, and the count of blocking queries.
    private var asyncRequests: [Int: [Int: Int]] = [:]
    private var blockingCounts: [Int: Int] = [:]
    private var asyncTotal = 0
    private var blockingTotal = 0
    /// The next asynchronous id to try, per client.
    private var nextRequestID: [Int: Int] = [:]
    private var random = SystemRandomNumberGenerator()

    init(settings: DaemonConfiguration.DNS, sockets: SocketLayer, scheduler: any TimerScheduler) {
        self.settings = settings
        self.sockets = sockets
        self.scheduler = scheduler
        self.cache = DNSCache(capacity: settings.cacheSize)
    }

    // MARK: Servers

    /// Servers for an interface: its own added ones, then the global added ones, the
    /// configured ones, and `/etc/resolv.conf`'s.
    func servers(for interface: String?) -> [SocketAddress] {
        var list: [SocketAddress] = []
        for server in (interface.flatMap { self.addedServers[$0] } ?? []) + (self.addedServers[nil] ?? [])
            + (interface.flatMap { self.linkServers[$0] } ?? []) + self.settings.servers
            + (self.settings.useResolvConf ? self.resolvConfServers : [])
        where !list.contains(server) {
            list.append(server)
        }
        return list
    }

    /// Mbed's `add_dns_server`: prepends; a server already listed stays where it is.
    func addServer(_ server: SocketAddress, interface: String?) {
        var list = self.addedServers[interface] ?? []
        guard !list.contains(server) else { return }
        list.insert(server, at: 0)
        self.addedServers[interface] = list
    }

    /// Mbed's `nsapi_dns_reset`: empties the cache and drops every query in flight
    /// (asynchronous ones silently; blocking callers get `DNS_FAILURE`).
    func reset() {
        self.cache.removeAll()
        for key in self.entries.keys.sorted() {
            guard let entry = self.entries[key] else { continue }
            if entry.request == nil {
                entry.query.finish(.failure(.dnsFailure))
            } else {
                self.forget(key)
                entry.query.abandon()
            }
        }
    }

    /// The client has gone: its queries stop without answering.
    func closeAll(owner: Int) {
        for (key, entry) in self.entries.filter({ $0.value.owner == owner }) {
            self.forget(key)
            entry.query.abandon()
        }
        self.nextRequestID.removeValue(forKey: owner)
    }

    var inFlight: Int { self.entries.count }

    // MARK: Resolving

    /// What a name resolves to before any packet is sent: a validation error, a literal, or a cache hit.
    private func local(_ name: String, _ version: IPVersion) -> Result<[IPAddress], NSAPIError>? {
        guard !name.isEmpty, name.utf8.count <= DNS.maxNameLength else { return .failure(.parameter) }
        if let literal = IPAddress(parsing: name) {
            guard version == .unspecified || literal.version == version else { return .failure(.dnsFailure) }
            return .success([literal])
        }
        if let hit = self.cache.lookup(DNSCache.key(DNS.canonical(name), version), now: self.scheduler.nowMilliseconds) {
            return .success(hit)
        }
        guard (try? DNS.encodeName(name)) != nil else { return .failure(.parameter) }
        return nil
    }

    private func makeKey() -> Int {
        defer { self.nextKey += 1 }
        return self.nextKey
    }

    /// Room for one more query of `owner` when all clients together are at their limit:
    /// the client holding the most gives up its oldest query (it ends with `NO_MEMORY`),
    /// so a client that floods the resolver crowds out itself, never a client asking its
    /// first question. False when nobody holds more than `owner` would.
    private func makeRoom(for owner: Int, blocking: Bool) -> Bool {
        let held: [Int: Int] = blocking ? self.blockingCounts : self.asyncRequests.mapValues(\.count)
        guard let most = held.values.max(), most > held[owner, default: 0] + 1 else { return false }
        // Among equal holders, the query that has waited longest.
        let oldest = self.entries.filter { held[$0.value.owner] == most && ($0.value.request == nil) == blocking }.keys.min()
        guard let oldest, let entry = self.entries[oldest] else { return false }
        entry.query.finish(.failure(.noMemory))
        return true
    }

    /// Removes a query from the books; true when it was there (so it answers once).
    @discardableResult
    private func forget(_ key: Int) -> Bool {
        guard let entry = self.entries.removeValue(forKey: key) else { return false }
        if let request = entry.request {
            self.asyncRequests[entry.owner]?.removeValue(forKey: request)
            if self.asyncRequests[entry.owner]?.isEmpty == true { self.asyncRequests.removeValue(forKey: entry.owner) }
            self.asyncTotal -= 1
        } else {
            self.blockingCounts[entry.owner, default: 1] -= 1
            if self.blockingCounts[entry.owner] == 0 { self.blockingCounts.removeValue(forKey: entry.owner) }
            self.blockingTotal -= 1
        }
        return true
    }

    /// Resolves `name` for a blocking caller: `DNS_FAILURE` when every server fails.
    /// Each client may have `max_blocking` such queries, all clients `max_blocking_total`
    /// (each holds a UDP socket); beyond either, `NO_MEMORY`.
    func resolve(
        _ name: String, version: IPVersion, interface: ManagedInterface, owner: Int,
        completion: @escaping (Result<[IPAddress], NSAPIError>) -> Void
    ) {
        if let answer = self.local(name, version) { return completion(answer) }
        guard self.blockingCounts[owner, default: 0] < self.settings.maxBlocking,
            self.blockingTotal < self.settings.maxBlockingTotal || self.makeRoom(for: owner, blocking: true)
        else { return completion(.failure(.noMemory)) }
        let query = DNSQuery(name: name, version: version, interface: interface, resolver: self, timeoutError: .dnsFailure)
        let key = self.makeKey()
        self.entries[key] = Entry(query: query, owner: owner, request: nil)
        self.blockingCounts[owner, default: 0] += 1
        self.blockingTotal += 1
        query.onFinish = { [weak self] result in
            guard let self, self.forget(key) else { return }
            completion(result)
        }
        query.start()
    }

    enum AsyncStart {
        /// Answered without the network (literal or cache): Mbed returns 0 and has called back already.
        case immediate([IPAddress])
        /// Mbed's positive query id (1...0x7FFF, per client); the answer comes through `notify`.
        case pending(Int)
    }

    /// Starts an asynchronous query: at most `max_async` per client (Mbed's 5) and
    /// `max_async_total` for all (`NO_MEMORY` beyond). Exhausting every server gives
    /// `TIMEOUT`, as Mbed's asynchronous path does.
    func resolveAsync(
        _ name: String, version: IPVersion, interface: ManagedInterface, owner: Int,
        notify: @escaping (Int, Result<[IPAddress], NSAPIError>) -> Void
    ) -> Result<AsyncStart, NSAPIError> {
        if let answer = self.local(name, version) { return answer.map { .immediate($0) } }
        let requests = self.asyncRequests[owner] ?? [:]
        guard requests.count < self.settings.maxAsync,
            self.asyncTotal < self.settings.maxAsyncTotal || self.makeRoom(for: owner, blocking: false)
        else {
            return .failure(.noMemory)
        }
        // Ids wrap within Mbed's range but never reuse one still in flight.
        var id = self.nextRequestID[owner] ?? 1
        while requests[id] != nil { id = id >= 0x7FFF ? 1 : id + 1 }
        self.nextRequestID[owner] = id >= 0x7FFF ? 1 : id + 1
        let query = DNSQuery(name: name, version: version, interface: interface, resolver: self, timeoutError: .timeout)
        let key = self.makeKey()
        self.entries[key] = Entry(query: query, owner: owner, request: id)
        self.asyncRequests[owner, default: [:]][id] = key
        self.asyncTotal += 1
        query.onFinish = { [weak self] result in
            guard let self, self.forget(key) else { return }
            notify(id, result)
        }
        // Mbed never calls back from inside gethostbyname_async (a cache hit aside): the
        // query starts on the next tick, so even an instant answer comes after the reply
        // and holds its slot until then.
        self.scheduler.scheduleTimer(afterMilliseconds: 0) { [weak self, weak query] in
            guard let self, let query, self.entries[key]?.query === query else { return }
            query.start()
        }
        return .success(.pending(id))
    }

    /// Mbed's `gethostbyname_async_cancel`, for the client's own query: no callback
    /// afterwards; false for an id this client has not in flight.
    func cancel(owner: Int, request: Int) -> Bool {
        guard let key = self.asyncRequests[owner]?[request], let entry = self.entries[key] else { return false }
        self.forget(key)
        entry.query.abandon()
        return true
    }

    // MARK: For queries

    var socketLayer: SocketLayer { self.sockets }

    func makeQueryID() -> UInt16 { UInt16.random(in: 1...UInt16.max, using: &self.random) }

    var nowMilliseconds: Int { self.scheduler.nowMilliseconds }

    func remember(_ name: String, _ version: IPVersion, _ addresses: [IPAddress], ttl: UInt32) {
        self.cache.store(DNSCache.key(DNS.canonical(name), version), addresses, ttlSeconds: ttl, now: self.scheduler.nowMilliseconds)
    }

    var cacheCount: Int { self.cache.count }
}
