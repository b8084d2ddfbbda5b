import NSAPI
import NetSockClient
import NetSockJSON
import NetSockRPC
import NetSockTestSupport
import Testing

/// Mbed's test host lists (test_params.h), served by dnsmasq in the peers.
let dnsTestHosts = ["google.com", "youtube.com", "facebook.com", "wikipedia.org", "yahoo.com", "instagram.com"]
let dnsTestHostsSecond = ["ipv6ready.org", "wireshark.org", "bbc.co.uk", "cnn.com", "www.flickr.com", "www.mozilla.org"]
let dnsTestHostsMultiIP = ["google.com", "www.mozilla.org", "yahoo.com", "instagram.com", "www.flickr.com"]

/// The helper counts of Mbed's `do_asynchronous_gethostbyname`.
struct DNSCounts: Equatable, CustomStringConvertible {
    var ok = 0
    var noMemory = 0
    var failure = 0
    var timeout = 0
    var description: String { "ok \(self.ok), no_mem \(self.noMemory), failure \(self.failure), timeout \(self.timeout)" }
}

extension NSAPIClient {
    func reset() { #expect(self.code(API.DNSReset.name) == NSAPI.ok) }

    /// Issues every query in one batch (so none completes before the last is issued), then
    /// waits for every accepted query's dns.result and counts the outcomes.
    func asyncResolve(_ names: [String]) throws -> DNSCounts {
        var counts = DNSCounts()
        let batch: [JSONValue] = names.enumerated().map { index, name in
            RPCRequest(method: API.DNSGetHostByNameAsync.name, params: ["name": .string(name)], id: .integer(Int64(1000 + index))).json
        }
        try self.rpc.send(.array(batch))
        var pending: Set<Int64> = []
        let first = try self.rpc.readMessage(deadline: nil)
        let replies = first.arrayValue ?? []
        #expect(replies.count == names.count, "\(JSONCodec.encodeString(first))")
        for reply in replies {
            if let request = reply["result"]?["request"]?.intValue {
                if request == 0 { counts.ok += 1 } else { pending.insert(request) }
            } else {
                let code = Int(reply["error"]?["code"]?.intValue ?? 0)
                if code == NSAPI.noMemory || code == NSAPI.busy { counts.noMemory += 1 }
                if code == NSAPI.dnsFailure { counts.failure += 1 }
            }
        }
        while !pending.isEmpty {
            guard let notification = try self.rpc.nextNotification(timeoutMilliseconds: 30_000) else {
                Issue.record("dns.result missing for \(pending)")
                break
            }
            guard notification.method == API.DNSResultNotification.method, let request = notification.params["request"]?.intValue,
                pending.remove(request) != nil
            else { continue }
            switch Int(notification.params["error"]?["code"]?.intValue ?? 0) {
            case 0:
                #expect(notification.params["address"]?.stringValue?.isEmpty == false)
                counts.ok += 1
            case NSAPI.dnsFailure: counts.failure += 1
            case NSAPI.timeout: counts.timeout += 1
            case NSAPI.noMemory, NSAPI.busy: counts.noMemory += 1
            default: Issue.record("unexpected \(notification.params)")
            }
        }
        return counts
    }

    /// Mbed's `do_gethostbyname`.
    func syncResolve(_ names: [String]) -> DNSCounts {
        var counts = DNSCounts()
        for name in names {
            switch self.code(API.DNSGetHostByName.name, ["name": .string(name)]) {
            case NSAPI.ok: counts.ok += 1
            case NSAPI.dnsFailure: counts.failure += 1
            case NSAPI.timeout: counts.timeout += 1
            case NSAPI.noMemory, NSAPI.busy: counts.noMemory += 1
            case let other: Issue.record("\(name): unexpected \(other)")
            }
        }
        return counts
    }
}

func invalidated(_ hosts: [String]) -> [String] {
    hosts.enumerated().map { index, name in index % 2 == 0 ? name + "_invalid" : name }
}

/// Mbed's DNS suite (connectivity/netsocket/tests/TESTS/netsocket/dns). Serialized: it
/// resets the resolver, as every Mbed DNS case does.
@Suite(.serialized) struct DNSConformanceTests {
    static let environment: ConformanceDaemon = {
        do { return try ConformanceDaemon() } catch { fatalError("\(error)") }
    }()
    /// Every answer takes 1.5 s: cache hits stand out without fine timing.
    static let slow: ConformanceDaemon = {
        do { return try ConformanceDaemon(dnsServers: ["\(TestPeers.shared.address):\(TestPeers.shared.slowDNS)"], dns: ["timeout_ms": 5000]) } catch {
            fatalError("\(error)")
        }
    }()
    /// A server that never answers, with short timeouts (Mbed's collapsed timer ticks).
    static let silent: ConformanceDaemon = {
        do { return try ConformanceDaemon(dnsServers: ["\(TestPeers.shared.address):\(TestPeers.shared.silentDNS)"], dns: ["timeout_ms": 200, "attempts": 2]) } catch {
            fatalError("\(error)")
        }
    }()

    func client() throws -> NSAPIClient { try Self.environment.client() }

    @Test("DNS-01 ASYNCHRONOUS_DNS") func asynchronous() throws {
        let client = try self.client()
        client.reset()
        #expect(try client.asyncResolve([dnsTestHosts[0]]) == DNSCounts(ok: 1))
    }

    @Test("DNS-02 ASYNCHRONOUS_DNS_SIMULTANEOUS: the 6th is NO_MEMORY") func simultaneous() throws {
        let client = try self.client()
        client.reset()
        #expect(try client.asyncResolve(dnsTestHostsSecond) == DNSCounts(ok: 5, noMemory: 1))
    }

    @Test("DNS-03 ASYNCHRONOUS_DNS_SIMULTANEOUS_CACHE: code (reset) and README (cached) forms") func simultaneousCache() throws {
        let client = try self.client()
        client.reset()
        #expect(try client.asyncResolve(dnsTestHostsSecond) == DNSCounts(ok: 5, noMemory: 1))
        // README: run again with the cache filled, all six succeed (cache hits answer at once).
        #expect(try client.asyncResolve(dnsTestHostsSecond) == DNSCounts(ok: 6))
    }

    @Test("DNS-04 ASYNCHRONOUS_DNS_CACHE: later lookups take at most half the first") func asynchronousCache() throws {
        let client = try Self.slow.client()
        client.reset()
        var times: [Int] = []
        for _ in 0..<5 {
            let start = nowMilliseconds()
            #expect(try client.asyncResolve([dnsTestHosts[0]]) == DNSCounts(ok: 1))
            times.append(nowMilliseconds() - start)
        }
        #expect(times.dropFirst().allSatisfy { $0 * 2 <= times[0] }, "\(times)")
    }

    @Test("DNS-05 ASYNCHRONOUS_DNS_NON_ASYNC_AND_ASYNC") func mixed() throws {
        let client = try self.client()
        client.reset()
        let started = try client.rpc.call(API.DNSGetHostByNameAsync.name, ["name": .string(dnsTestHostsSecond[0])])
        let request = started["request"]?.intValue ?? 0
        for name in dnsTestHosts {
            let answer = try client.rpc.call(API.DNSGetHostByName.name, ["name": .string(name)])
            #expect(answer["address"]?.stringValue?.isEmpty == false)
        }
        if request > 0 {
            let result = try client.rpc.nextNotification(timeoutMilliseconds: 1000)
            #expect(result?.params["request"]?.intValue == request)
            #expect(result?.params["error"] == nil)
        }
    }

    @Test("DNS-06 ASYNCHRONOUS_DNS_CANCEL: cancelled queries never call back") func cancel() throws {
        let client = try Self.slow.client()
        client.reset()
        let batch: [JSONValue] = dnsTestHosts.enumerated().map { index, name in
            RPCRequest(method: API.DNSGetHostByNameAsync.name, params: ["name": .string(name)], id: .integer(Int64(index + 1))).json
        }
        try client.rpc.send(.array(batch))
        let replies = try client.rpc.readMessage(deadline: nil).arrayValue ?? []
        var cancelled = 0
        for reply in replies {
            if let request = reply["result"]?["request"]?.intValue, request > 0 {
                if client.code(API.DNSCancel.name, ["request": .integer(request)]) == NSAPI.ok { cancelled += 1 }
            } else {
                #expect([NSAPI.noMemory, NSAPI.busy].contains(Int(reply["error"]?["code"]?.intValue ?? 0)))
            }
        }
        #expect(cancelled == 5)
        #expect(try client.rpc.nextNotification(timeoutMilliseconds: 2500) == nil, "no callback after cancel")
        #expect(client.code(API.DNSCancel.name, ["request": 1]) == NSAPI.parameter, "an unknown id")
    }

    @Test("DNS-07 ASYNCHRONOUS_DNS_EXTERNAL_EVENT_QUEUE") func externalEventQueue() throws {
        // The daemon's reactor is the event queue; the observable result is DNS-02's.
        let client = try self.client()
        client.reset()
        #expect(try client.asyncResolve(dnsTestHostsSecond) == DNSCounts(ok: 5, noMemory: 1))
    }

    @Test("DNS-08 ASYNCHRONOUS_DNS_INVALID_HOST") func asynchronousInvalid() throws {
        let client = try self.client()
        client.reset()
        let counts = try client.asyncResolve(invalidated(dnsTestHosts))
        #expect(counts.ok == 2)
        #expect(counts.noMemory == 1)
        #expect(counts.failure == 3 || counts.failure == 4)
        #expect(counts.timeout == 0)
    }

    @Test("DNS-09 ASYNCHRONOUS_DNS_TIMEOUTS") func timeouts() throws {
        let client = try Self.silent.client()
        client.reset()
        let counts = try client.asyncResolve(dnsTestHostsSecond)
        #expect(counts.timeout >= 1)
        #expect(counts.noMemory == 1, "the 6th is rejected")
        // Then a working server again, as the test restores the default timer: sync works.
        #expect(client.code(API.DNSAddServer.name, ["address": .string("\(TestPeers.shared.address):\(TestPeers.shared.dns)")]) == NSAPI.ok)
        client.reset()
        #expect(client.syncResolve([dnsTestHosts[0]]) == DNSCounts(ok: 1))
    }

    @Test("DNS-10 ASYNCHRONOUS_DNS_SIMULTANEOUS_REPEAT") func simultaneousRepeat() throws {
        let client = try self.client()
        client.reset()
        for _ in 0..<10 {
            let counts = try client.asyncResolve(dnsTestHosts)
            #expect(counts.ok == 5 || counts.ok == 6)
            #expect(counts.noMemory == 0 || counts.noMemory == 1)
            #expect(counts.failure == 0 && counts.timeout == 0)
        }
    }

    @Test("DNS-11 SYNCHRONOUS_DNS") func synchronous() throws {
        let client = try self.client()
        client.reset()
        #expect(client.syncResolve([dnsTestHosts[0]]) == DNSCounts(ok: 1))
    }

    @Test("DNS-12 SYNCHRONOUS_DNS_MULTIPLE") func synchronousMultiple() throws {
        let client = try self.client()
        client.reset()
        #expect(client.syncResolve(dnsTestHosts) == DNSCounts(ok: 6))
    }

    @Test("DNS-13 SYNCHRONOUS_DNS_CACHE: later lookups take at most half the first") func synchronousCache() throws {
        let client = try Self.slow.client()
        client.reset()
        var times: [Int] = []
        for _ in 0..<5 {
            let start = nowMilliseconds()
            #expect(client.syncResolve([dnsTestHosts[0]]) == DNSCounts(ok: 1))
            times.append(nowMilliseconds() - start)
        }
        #expect(times.dropFirst().allSatisfy { $0 * 2 <= times[0] }, "\(times)")
    }

    @Test("DNS-14 SYNCHRONOUS_DNS_INVALID") func synchronousInvalid() throws {
        let client = try self.client()
        client.reset()
        #expect(client.syncResolve(Array(dnsTestHostsSecond.prefix(3))) == DNSCounts(ok: 3))
        #expect(client.syncResolve(invalidated(dnsTestHosts)) == DNSCounts(ok: 3, failure: 3))
    }

    @Test("DNS-15 SYNCHRONOUS_DNS_MULTI_IP") func synchronousMultiIP() throws {
        let client = try self.client()
        client.reset()
        for name in dnsTestHostsMultiIP {
            let answer = try client.rpc.call(API.DNSGetHostByName.name, ["name": .string(name), "version": "ipv4"])
            #expect((answer["addresses"]?.arrayValue?.count ?? 0) >= 2, "\(name)")
        }
    }

    @Test("DNS-16 ASYNCHRONOUS_DNS_MULTI_IP") func asynchronousMultiIP() throws {
        let client = try self.client()
        client.reset()
        #expect(try client.asyncResolve(dnsTestHostsMultiIP) == DNSCounts(ok: 5))
    }

    @Test("Literals are answered locally; the wrong version is DNS_FAILURE; empty and long names are PARAMETER")
    func literalsAndNames() throws {
        let client = try self.client()
        #expect(try client.rpc.call(API.DNSGetHostByName.name, ["name": "192.0.2.1"])["address"] == "192.0.2.1")
        #expect(client.code(API.DNSGetHostByName.name, ["name": "192.0.2.1", "version": "ipv6"]) == NSAPI.dnsFailure)
        #expect(client.code(API.DNSGetHostByName.name, ["name": "2001:db8::1", "version": "ipv4"]) == NSAPI.dnsFailure)
        #expect(client.code(API.DNSGetHostByName.name, ["name": ""]) == NSAPI.parameter)
        #expect(client.code(API.DNSGetHostByName.name, ["name": .string(String(repeating: "a.", count: 128))]) == NSAPI.parameter)
        #expect(client.code(API.DNSGetHostByNameAsync.name, ["name": ""]) == NSAPI.parameter)
        let literal = try client.rpc.call(API.DNSGetHostByNameAsync.name, ["name": "192.0.2.1"])
        #expect(literal["request"] == 0)
        #expect(literal["address"] == "192.0.2.1")
        #expect(client.code(API.DNSGetHostByNameAsync.name, ["name": "::1", "version": "ipv4"]) == NSAPI.dnsFailure)
        let v6 = try client.rpc.call(API.DNSGetHostByName.name, ["name": "v6only.netsock.test", "version": "ipv6"])
        #expect(v6["address"] == "::1")
        let any = try client.rpc.call(API.DNSGetHostByName.name, ["name": "v6only.netsock.test"])
        #expect(any["address"] == "::1", "any falls back to AAAA")
    }

    /// TCP: not on the ip stack until its TCP lands (part 2 of the stack).
    @Test("A socket connect with a host name resolves through the same resolver", .enabled(if: ConformanceNetwork.stack != "ip"))
    func connectByName() throws {
        let client = try self.client()
        let socket = try client.open(.tcp)
        #expect(client.connect(socket, Self.environment.echoHost, TestPeers.shared.echo) == NSAPI.ok)
        #expect(client.send(socket, Array("by name".utf8)) == 7)
        #expect(client.recv(socket, 100) == .success(Array("by name".utf8)))
        let other = try client.open(.tcp)
        #expect(client.connect(other, "nosuchhost.netsock.test", 7) == NSAPI.dnsFailure)
    }

    @Test("Servers: configured, then added in front; dns.servers lists them") func servers() throws {
        let environment = try ConformanceDaemon()
        let client = try environment.client()
        #expect(try client.rpc.call(API.DNSServers.name) == .array([.string("\(TestPeers.shared.address):\(TestPeers.shared.dns)")]))
        #expect(client.code(API.DNSAddServer.name, ["address": "192.0.2.53"]) == NSAPI.ok)
        #expect(client.code(API.DNSAddServer.name, ["address": "[2001:db8::53]:5353", "interface": .string(environment.interface)]) == NSAPI.ok)
        #expect(client.code(API.DNSAddServer.name, ["address": "192.0.2.53"]) == NSAPI.ok, "already listed: no change")
        let servers = try client.rpc.call(API.DNSServers.name, ["interface": .string(environment.interface)]).arrayValue?.compactMap(\.stringValue)
        #expect(servers == ["[2001:db8::53]:5353", "192.0.2.53", "\(TestPeers.shared.address):\(TestPeers.shared.dns)"])
        #expect(client.code(API.DNSAddServer.name, ["address": "not-an-address"]) == -32602)
    }
}

@Suite struct DNSResetTests {
    @Test func resetAnswersWaitingBlockingQueries() throws {
        let environment = try ConformanceDaemon(dnsServers: ["\(TestPeers.shared.address):\(TestPeers.shared.silentDNS)"], dns: ["timeout_ms": 30_000])
        let waiting = try environment.client()
        try waiting.rpc.send(RPCRequest(method: API.DNSGetHostByName.name, params: ["name": "never.answered.test"], id: 7).json)
        _ = try waiting.rpc.call(API.DaemonInfo())
        let start = nowMilliseconds()
        #expect(try environment.client().code(API.DNSReset.name) == NSAPI.ok)
        let reply = try waiting.rpc.awaitResponse(id: 7, timeoutMilliseconds: 5000)
        #expect(reply.outcome == .failure(RPCError(.dnsFailure)) || (try? reply.outcome.get()) == nil)
        if case .failure(let error) = reply.outcome { #expect(error.code == NSAPI.dnsFailure) }
        #expect(nowMilliseconds() - start < 5000, "answered by the reset, not by the 30 s timeout")
    }
}
