import NSAPI
import NetSockWire

/// One name being resolved: tries each server `attempts` times, waiting
/// `timeout_ms` for a matching reply each time; A first, then AAAA when the
/// version is `any` and the name has no IPv4 address.
final class DNSQuery {
    let name: String
    let version: IPVersion
    let interface: ManagedInterface
    private unowned let resolver: DNSResolver
    /// What running out of servers means: `DNS_FAILURE` (sync) or `TIMEOUT` (async).
    private let timeoutError: NSAPIError
    var onFinish: ((Result<[IPAddress], NSAPIError>) -> Void)?

    private var servers: [SocketAddress] = []
    private var serverIndex = 0
    private var attempt = 0
    private var recordType = DNS.RecordType.a
    private var queryID: UInt16 = 0
    private var socket: Int?
    private var finished = false
    /// When the current attempt gives up, whatever stray datagrams arrive meanwhile.
    private var attemptDeadline = 0

    init(name: String, version: IPVersion, interface: ManagedInterface, resolver: DNSResolver, timeoutError: NSAPIError) {
        self.name = name
        self.version = version
        self.interface = interface
        self.resolver = resolver
        self.timeoutError = timeoutError
        self.recordType = version == .ipv6 ? DNS.RecordType.aaaa : DNS.RecordType.a
    }

    private var sockets: SocketLayer { self.resolver.socketLayer }

    func start() {
        self.servers = self.resolver.servers(for: self.interface.name)
        guard !self.servers.isEmpty else { return self.finish(.failure(.dnsFailure)) }
        do {
            let id = try self.sockets.open(
                owner: DNSResolver.owner, protocol: .udp, stack: self.interface.stack, interface: self.interface.name,
                device: self.interface.device)
            try self.sockets.setTimeout(owner: DNSResolver.owner, id: id, milliseconds: self.resolver.settings.timeoutMilliseconds)
            self.socket = id
        } catch {
            return self.finish(.failure(error))
        }
        self.send()
    }

    private func send() {
        guard !self.finished, let socket else { return }
        guard self.serverIndex < self.servers.count else { return self.finish(.failure(self.timeoutError)) }
        let server = self.servers[self.serverIndex]
        self.queryID = self.resolver.makeQueryID()
        self.attemptDeadline = self.resolver.nowMilliseconds + self.resolver.settings.timeoutMilliseconds
        guard let packet = try? DNS.query(id: self.queryID, name: self.name, type: self.recordType) else {
            return self.finish(.failure(.parameter))
        }
        self.sockets.sendTo(owner: DNSResolver.owner, id: socket, address: server, data: packet) { [weak self] result in
            guard let self, !self.finished else { return }
            switch result {
            case .success: self.receive()
            case .failure: self.nextServer()
            }
        }
    }

    private func receive() {
        guard !self.finished, let socket else { return }
        // The socket's timeout is idle time, restarted by every datagram; give it only
        // what is left of this attempt, so stray replies cannot keep the query alive.
        let remaining = self.attemptDeadline - self.resolver.nowMilliseconds
        guard remaining > 0 else { return self.retry() }
        try? self.sockets.setTimeout(owner: DNSResolver.owner, id: socket, milliseconds: remaining)
        self.sockets.receiveFrom(owner: DNSResolver.owner, id: socket, maxBytes: 4096) { [weak self] result in
            guard let self, !self.finished else { return }
            switch result {
            case .success(let (source, bytes)): self.handle(bytes, from: source)
            case .failure(.wouldBlock): self.retry()
            case .failure: self.nextServer()
            }
        }
    }

    private func handle(_ bytes: [UInt8], from source: SocketAddress) {
        let server = self.servers[self.serverIndex]
        // Spoofed or stray: wrong source, id or question. Ignore and keep listening.
        guard source == server, let message = try? DNS.parse(bytes), message.isResponse, message.id == self.queryID,
            message.questions.count == 1, DNS.canonical(message.questions[0].name) == DNS.canonical(self.name),
            message.questions[0].type == self.recordType, !message.isTruncated
        else { return self.receive() }
        switch message.responseCode {
        case DNS.ResponseCode.noError:
            let answers = message.addresses(for: self.name, type: self.recordType)
            if !answers.isEmpty {
                let addresses = Array(answers.map(\.0).prefix(DNSResolver.maxAddresses))
                self.resolver.remember(self.name, self.version, addresses, ttl: message.minimumTTL(for: self.name, type: self.recordType) ?? 0)
                return self.finish(.success(addresses))
            }
            if self.version == .unspecified && self.recordType == DNS.RecordType.a {
                self.recordType = DNS.RecordType.aaaa
                self.attempt = 0
                return self.send()
            }
            self.finish(.failure(.dnsFailure))
        case DNS.ResponseCode.nameError:
            // A negative answer is final (Mbed: DNS_FAILURE).
            self.finish(.failure(.dnsFailure))
        default:
            self.nextServer()
        }
    }

    private func retry() {
        self.attempt += 1
        if self.attempt >= self.resolver.settings.attempts { return self.nextServer() }
        self.send()
    }

    private func nextServer() {
        self.serverIndex += 1
        self.attempt = 0
        self.send()
    }

    func finish(_ result: Result<[IPAddress], NSAPIError>) {
        guard !self.finished else { return }
        self.finished = true
        self.closeSocket()
        let callback = self.onFinish
        self.onFinish = nil
        callback?(result)
    }

    /// Stops without a callback (cancel, reset).
    func abandon() {
        self.onFinish = nil
        self.finish(.failure(.dnsFailure))
    }

    private func closeSocket() {
        guard let socket else { return }
        self.socket = nil
        try? self.sockets.close(owner: DNSResolver.owner, id: socket)
    }
}
