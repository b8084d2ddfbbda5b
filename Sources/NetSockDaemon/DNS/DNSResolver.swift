import NSAPI
import NetSockWire

/// The daemon's own stub resolver (RFC 1035 over UDP; no getaddrinfo), with the
/// behaviour Mbed's `nsapi_dns.cpp` shows through its API: IP literals answered
/// locally (a literal of the wrong version is `DNS_FAILURE`), names empty or over
/// 255 octets are `PARAMETER`, a TTL-respecting LRU cache (TTL 0 not cached), at
/// most `max_async` asynchronous queries (the next is `NO_MEMORY`), and per-server
/// retries with a timeout each.
///
/// Queries go out through the socket layer on the interface's own stack, as any
/// client's UDP socket would, owned by the daemon itself. Replies with the wrong
/// id, question or source, truncated or malformed ones are ignored.
final class DNSResolver {
    struct Settings: Equatable {
        var servers: [SocketAddress] = []
        var cacheSize = 16
        var timeoutMilliseconds = 2000
        var attempts = 3
        var maxAsync = 5
        var useResolvConf = true
    }

    /// The socket-layer owner of the resolver's sockets.
    static let owner = -1
    static let maxAddresses = 10

    var settings: Settings {
        didSet { self.cache.capacity = self.settings.cacheSize }
    }
    private let sockets: SocketLayer
    private let scheduler: any TimerScheduler
    private var cache: DNSCache
    /// `dns.add_server`: per interface name, nil for every interface; newest first.
    private var addedServers: [String?: [SocketAddress]] = [:]
    var resolvConfServers: [SocketAddress] = []
    private var asyncQueries: [Int: DNSQuery] = [:]
    private var syncQueries: [ObjectIdentifier: DNSQuery] = [:]
    private var nextRequestID = 1
    private var random = SystemRandomNumberGenerator()

    init(settings: Settings, sockets: SocketLayer, scheduler: any TimerScheduler) {
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
        for server in (interface.flatMap { self.addedServers[$0] } ?? []) + (self.addedServers[nil] ?? []) + self.settings.servers
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
    /// (asynchronous ones silently; synchronous callers get `DNS_FAILURE`).
    func reset() {
        self.cache.removeAll()
        for query in self.asyncQueries.values { query.abandon() }
        self.asyncQueries.removeAll()
        // Finish before forgetting: the completion looks itself up to run once.
        for query in Array(self.syncQueries.values) { query.finish(.failure(.dnsFailure)) }
        self.syncQueries.removeAll()
    }

    var inFlight: Int { self.asyncQueries.count }

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

    /// Blocking queries in flight at once, all clients together; beyond it `NO_MEMORY`.
    /// Each holds a UDP socket, so this bounds the descriptors DNS can take.
    static let maxBlockingQueries = 64

    /// Resolves `name` for a blocking caller: `DNS_FAILURE` when every server fails.
    /// Returns a handle for ``abandon(_:)`` when a query went out.
    @discardableResult
    func resolve(
        _ name: String, version: IPVersion, interface: ManagedInterface,
        completion: @escaping (Result<[IPAddress], NSAPIError>) -> Void
    ) -> ObjectIdentifier? {
        if let answer = self.local(name, version) {
            completion(answer)
            return nil
        }
        guard self.syncQueries.count < Self.maxBlockingQueries else {
            completion(.failure(.noMemory))
            return nil
        }
        let query = DNSQuery(name: name, version: version, interface: interface, resolver: self, timeoutError: .dnsFailure)
        let key = ObjectIdentifier(query)
        self.syncQueries[key] = query
        query.onFinish = { [weak self] result in
            guard let self, self.syncQueries.removeValue(forKey: key) != nil else { return }
            completion(result)
        }
        query.start()
        return self.syncQueries[key] == nil ? nil : key
    }

    /// Drops a blocking query without answering: its client has gone.
    func abandon(_ key: ObjectIdentifier) {
        self.syncQueries.removeValue(forKey: key)?.abandon()
    }

    enum AsyncStart {
        /// Answered without the network (literal or cache): Mbed returns 0 and has called back already.
        case immediate([IPAddress])
        /// Mbed's positive query id (1...0x7FFF); the answer comes through `notify`.
        case pending(Int)
    }

    /// Starts an asynchronous query; at most `max_async` in flight (`NO_MEMORY` beyond).
    /// Exhausting every server gives `TIMEOUT`, as Mbed's asynchronous path does.
    func resolveAsync(
        _ name: String, version: IPVersion, interface: ManagedInterface,
        notify: @escaping (Int, Result<[IPAddress], NSAPIError>) -> Void
    ) -> Result<AsyncStart, NSAPIError> {
        if let answer = self.local(name, version) { return answer.map { .immediate($0) } }
        guard self.asyncQueries.count < self.settings.maxAsync else { return .failure(.noMemory) }
        let id = self.nextRequestID
        self.nextRequestID = id >= 0x7FFF ? 1 : id + 1
        let query = DNSQuery(name: name, version: version, interface: interface, resolver: self, timeoutError: .timeout)
        self.asyncQueries[id] = query
        query.onFinish = { [weak self] result in
            guard let self, self.asyncQueries.removeValue(forKey: id) != nil else { return }
            notify(id, result)
        }
        // Mbed never calls back from inside gethostbyname_async (a cache hit aside): the
        // query starts on the next tick, so even an instant answer comes after the reply
        // and holds its slot until then.
        self.scheduler.scheduleTimer(afterMilliseconds: 0) { [weak self, weak query] in
            guard let self, let query, self.asyncQueries[id] === query else { return }
            query.start()
        }
        return .success(.pending(id))
    }

    /// Mbed's `gethostbyname_async_cancel`: no callback afterwards; false for an unknown id.
    func cancel(_ id: Int) -> Bool {
        guard let query = self.asyncQueries.removeValue(forKey: id) else { return false }
        query.abandon()
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
