import NSAPI
@testable import NetSockDaemon
import Testing

/// Regression tests for one client's DNS hurting another's: query ids and limits are
/// per client, cancel reaches only the caller's queries, and a client that goes takes
/// only its own queries with it. Over a scripted stack whose server never answers.
@Suite struct DNSResolverIsolationTests {
    let scheduler = ManualScheduler()
    let stack = FakeStack()
    let resolver: DNSResolver
    let interface: ManagedInterface

    init() {
        let layer = SocketLayer(scheduler: self.scheduler)
        var settings = DaemonConfiguration.DNS()
        settings.servers = [SocketAddress(parsing: "192.0.2.53", port: 53)!]
        settings.useResolvConf = false
        settings.maxAsync = 5
        settings.maxAsyncTotal = 12
        settings.maxBlocking = 2
        settings.maxBlockingTotal = 3
        settings.timeoutMilliseconds = 100
        settings.attempts = 1
        self.resolver = DNSResolver(settings: settings, sockets: layer, scheduler: self.scheduler)
        self.interface = ManagedInterface(
            configuration: .init(name: "eth0", type: .ethernet, stack: .kernel, device: "eth0"), stack: self.stack)
    }

    func start(_ owner: Int, _ name: String = "host.example") -> Result<DNSResolver.AsyncStart, NSAPIError> {
        self.resolver.resolveAsync(name, version: .ipv4, interface: self.interface, owner: owner) { _, _ in }
    }

    func id(_ start: Result<DNSResolver.AsyncStart, NSAPIError>) -> Int? {
        if case .success(.pending(let id)) = start { return id }
        return nil
    }

    @Test func idsWrapButNeverReuseOneInFlight() throws {
        let held = try #require(self.id(self.start(1)))
        #expect(held == 1)
        var seen = Set<Int>()
        for _ in 0..<40_000 {
            let id = try #require(self.id(self.start(1)))
            #expect(id != held && (1...0x7FFF).contains(id))
            seen.insert(id)
            #expect(self.resolver.cancel(owner: 1, request: id))
        }
        #expect(seen.count == 0x7FFE, "every other id was used")
        #expect(self.resolver.cancel(owner: 1, request: held), "the first query is still the first client's")
    }

    @Test func cancelReachesOnlyTheCallersQueries() throws {
        let mine = try #require(self.id(self.start(1)))
        #expect(!self.resolver.cancel(owner: 2, request: mine), "another client's id is unknown to it")
        let theirs = try #require(self.id(self.start(2)))
        #expect(theirs == mine, "ids are per client")
        #expect(self.resolver.cancel(owner: 1, request: mine))
        #expect(self.resolver.cancel(owner: 2, request: theirs))
    }

    @Test func limitsArePerClientWithADaemonWideSecondCap() {
        var ended: [Int: [NSAPIError?]] = [:]
        func start(_ owner: Int) -> Result<DNSResolver.AsyncStart, NSAPIError> {
            self.resolver.resolveAsync("host.example", version: .ipv4, interface: self.interface, owner: owner) { _, result in
                ended[owner, default: []].append(result.failure)
            }
        }
        for _ in 0..<5 { #expect(self.id(start(1)) != nil) }
        #expect(start(1).failure == .noMemory, "Mbed's five per client")
        for _ in 0..<5 { #expect(self.id(start(2)) != nil, "one client's five do not starve another") }
        for _ in 0..<2 { #expect(self.id(start(3)) != nil) }
        #expect(ended.isEmpty)
        // All twelve are taken: a client holding fewer than the most takes the oldest of
        // whoever holds the most, until all hold the same.
        #expect(self.id(start(3)) != nil)
        #expect(ended[1] == [.noMemory], "the first of the biggest holders gave way")
        #expect(self.id(start(3)) != nil)
        #expect(ended[2] == [.noMemory])
        #expect(start(3).failure == .noMemory, "four each: the daemon-wide cap holds")
        #expect(self.resolver.inFlight == 12)
        var blocking: [Int: [Result<[IPAddress], NSAPIError>]] = [:]
        for owner in [1, 1, 1, 2, 2] {
            self.resolver.resolve("b.example", version: .ipv4, interface: self.interface, owner: owner) {
                blocking[owner, default: []].append($0)
            }
        }
        #expect(blocking[1]?.map(\.failure) == [.noMemory], "two blocking queries per client")
        #expect(blocking[2]?.map(\.failure) == [.noMemory], "three for all, and the second client holds no fewer than it would")
    }

    /// The soak found this: a client flooding blocking queries at a silent server held
    /// every daemon-wide slot, and a well-behaved client's one question got NO_MEMORY.
    @Test func aFloodingClientGivesWayToAClientAskingItsFirstQuestion() {
        var answers: [Int: [NSAPIError?]] = [:]
        for owner in [1, 1, 2, 3] {
            self.resolver.resolve("silent.example", version: .ipv4, interface: self.interface, owner: owner) {
                answers[owner, default: []].append($0.failure)
            }
        }
        #expect(answers[1] == [.noMemory], "the flooder's oldest query gave way")
        #expect(answers[2] == nil && answers[3] == nil, "both newcomers' queries are in flight")
        #expect(self.resolver.inFlight == 3)
        self.scheduler.advance(by: 1000)
        #expect(answers[1] == [.noMemory, .dnsFailure] && answers[2] == [.dnsFailure] && answers[3] == [.dnsFailure])
        #expect(self.resolver.inFlight == 0)
    }

    @Test func aClientThatGoesTakesOnlyItsOwnQueries() {
        var answers: [Int: Result<[IPAddress], NSAPIError>] = [:]
        for owner in [1, 2] {
            self.resolver.resolve("slow.example", version: .ipv4, interface: self.interface, owner: owner) { answers[owner] = $0 }
        }
        let asyncOfTwo = self.id(self.start(2))
        self.resolver.closeAll(owner: 2)
        #expect(asyncOfTwo.map { self.resolver.cancel(owner: 2, request: $0) } == false, "gone with its client")
        self.scheduler.advance(by: 1000)
        #expect(answers[1]?.failure == .dnsFailure, "the other client's query ran to its end")
        #expect(answers[2] == nil, "no answer for a client that has gone")
        #expect(self.resolver.inFlight == 0)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
