#if canImport(Glibc)
import Glibc
#endif
import NSAPI
import NetSockClient
import NetSockJSON
import NetSockRPC
import NetSockTestSupport
import NetSockWire
import Synchronization
import Foundation
import Testing

/// Wrong types, unknown and foreign ids, huge sizes, invalid base64 and wrong-family
/// addresses on every socket and DNS method: each gets a clear error, and the
/// connection (and everyone else's) keeps working.
@Suite struct HostileSocketInputTests {
    let environment = socketSuiteDaemon

    @Test func wrongTypesAndMissingParamsNameTheParam() throws {
        let client = try self.environment.client()
        let socket = try client.open(.udp)
        let s = JSONValue(socket)
        let cases: [(String, JSONObject, String)] = [
            (API.SocketOpen.name, [:], "protocol"),
            (API.SocketOpen.name, ["protocol": "sctp"], "protocol"),
            (API.SocketOpen.name, ["protocol": 6], "protocol"),
            (API.SocketOpen.name, ["protocol": "tcp", "interface": 5], "interface"),
            (API.SocketOpen.name, ["protocol": "tcp", "interface": "nope0"], "interface"),
            (API.SocketClose.name, ["socket": "1"], "socket"),
            (API.SocketClose.name, ["socket": -1], "socket"),
            (API.SocketClose.name, ["socket": 1.5], "socket"),
            (API.SocketClose.name, ["socket": .integer(Int64.max)], "socket"),
            (API.SocketBind.name, ["socket": s], "port"),
            (API.SocketBind.name, ["socket": s, "port": 70_000], "port"),
            (API.SocketBind.name, ["socket": s, "port": -1], "port"),
            (API.SocketBind.name, ["socket": s, "port": 1, "address": "not-an-ip"], "address"),
            (API.SocketBind.name, ["socket": s, "port": 1, "address": "1.2.3.4.5"], "address"),
            (API.SocketConnect.name, ["socket": s, "port": 7], "address"),
            (API.SocketSend.name, ["socket": s], "data"),
            (API.SocketSend.name, ["socket": s, "data": "not base64!"], "data"),
            (API.SocketSend.name, ["socket": s, "data": "QUJD="], "data"),
            (API.SocketSend.name, ["socket": s, "data": "QQ"], "data"),
            (API.SocketSend.name, ["socket": s, "data": "QR=="], "data"),
            (API.SocketSend.name, ["socket": s, "data": "QUJD", "text": "x"], "text"),
            (API.SocketSend.name, ["socket": s, "data": 42], "data"),
            (API.SocketRecv.name, ["socket": s], "size"),
            (API.SocketRecv.name, ["socket": s, "size": 0], "size"),
            (API.SocketRecv.name, ["socket": s, "size": 1_073_741_824], "size"),
            (API.SocketRecv.name, ["socket": s, "size": 10, "encoding": "utf16"], "encoding"),
            (API.SocketSendTo.name, ["socket": s, "address": "2001:db8::1::", "port": 7, "text": "x"], "address"),
            (API.SocketSendTo.name, ["socket": s, "address": "example.com", "port": 7, "text": "x"], "address"),
            (API.SocketRecvFrom.name, ["socket": s, "size": "10"], "size"),
            (API.SocketShutdown.name, ["socket": s, "how": "sideways"], "how"),
            (API.SocketSetBlocking.name, ["socket": s, "blocking": "yes"], "blocking"),
            (API.SocketSetTimeout.name, ["socket": s, "timeout_ms": -2], "timeout_ms"),
            (API.SocketSetTimeout.name, ["socket": s, "timeout_ms": 1e12], "timeout_ms"),
            (API.SocketSetOption.name, ["socket": s, "option": "nodelay", "value": 1], "option"),
            (API.SocketSetOption.name, ["socket": s, "option": "broadcast", "value": "on"], "value"),
            (API.SocketSetOption.name, ["socket": s, "option": "add_membership", "value": 5], "value"),
            (API.SocketSetOption.name, ["socket": s, "option": "add_membership", "value": ["group": "224.0.0.1", "interface": "x"]], "value.interface"),
            (API.SocketSetOption.name, ["socket": s, "option": "bind_to_device", "value": 1], "value"),
            (API.SocketSigio.name, ["socket": s], "enabled"),
            (API.SocketList.name, ["extra": 1], "extra"),
            (API.DNSGetHostByName.name, [:], "name"),
            (API.DNSGetHostByName.name, ["name": 1], "name"),
            (API.DNSGetHostByName.name, ["name": "x", "version": "ipv5"], "version"),
            (API.DNSGetHostByName.name, ["name": "x", "interface": "nope0"], "interface"),
            (API.DNSCancel.name, ["request": 0], "request"),
            (API.DNSCancel.name, ["request": 40_000], "request"),
            (API.DNSAddServer.name, ["address": "192.0.2.1:99999"], "address"),
            (API.DNSServers.name, ["interface": []], "interface"),
        ]
        for (method, params, culprit) in cases {
            switch client.call(method, params) {
            case .success(let result):
                Issue.record("\(method) \(params) succeeded: \(result)")
            case .failure(let error):
                #expect(error.code == -32602, "\(method) \(params): \(error)")
                #expect(error.data?["param"] == .string(culprit), "\(method) \(params): \(error)")
            }
        }
        #expect(try client.rpc.call(API.DaemonInfo()).apiVersion == 1, "the connection still works")
    }

    /// Mbed's rule for names, whatever their length: over 255 octets is NSAPI_ERROR_PARAMETER
    /// (a JSON-RPC -32602 here would be a deviation), for DNS and for connect by name.
    @Test func overlongNamesAreNSAPIParameterAtAnyLength() throws {
        let client = try self.environment.client()
        let tcp = try client.open(.tcp)
        for length in [256, 1025, 5000, 100_000] {
            let name = JSONValue.string(String(repeating: "a", count: length))
            #expect(client.code(API.DNSGetHostByName.name, ["name": name]) == NSAPI.parameter, "\(length)")
            #expect(client.code(API.DNSGetHostByNameAsync.name, ["name": name]) == NSAPI.parameter, "\(length)")
            #expect(client.code(API.SocketConnect.name, ["socket": JSONValue(tcp), "address": name, "port": 7]) == NSAPI.parameter, "\(length)")
        }
    }

    /// set_timeout, set_blocking and sigio need an open socket, like every other call.
    @Test func configurationCallsOnAClosedSocketAreNoSocket() throws {
        let client = try self.environment.client()
        let socket = try client.open(.udp)
        #expect(client.code(API.SocketClose.name, ["socket": JSONValue(socket)]) == NSAPI.ok)
        let s = JSONValue(socket)
        #expect(client.code(API.SocketSetTimeout.name, ["socket": s, "timeout_ms": 5]) == NSAPI.noSocket)
        #expect(client.code(API.SocketSetBlocking.name, ["socket": s, "blocking": false]) == NSAPI.noSocket)
        #expect(client.code(API.SocketSigio.name, ["socket": s, "enabled": true]) == NSAPI.noSocket)
    }

    @Test func unknownClosedAndForeignSocketsAreNoSocket() throws {
        let owner = try self.environment.client()
        let stranger = try self.environment.client()
        let mine = try owner.open(.tcp)
        let calls: [(String, JSONObject)] = [
            (API.SocketClose.name, [:]), (API.SocketBind.name, ["port": 0]), (API.SocketListen.name, [:]), (API.SocketAccept.name, [:]),
            (API.SocketConnect.name, ["address": "127.0.0.1", "port": 7]), (API.SocketSend.name, ["text": "x"]), (API.SocketRecv.name, ["size": 1]),
            (API.SocketSendTo.name, ["address": "127.0.0.1", "port": 7, "text": "x"]), (API.SocketRecvFrom.name, ["size": 1]),
            (API.SocketShutdown.name, ["how": "both"]), (API.SocketSetBlocking.name, ["blocking": false]),
            (API.SocketSetTimeout.name, ["timeout_ms": 1]), (API.SocketSetOption.name, ["option": "keepalive", "value": 1]),
            (API.SocketGetOption.name, ["option": "keepalive"]), (API.SocketPeerName.name, [:]), (API.SocketLocalName.name, [:]),
            (API.SocketSigio.name, ["enabled": true]),
        ]
        for (method, extra) in calls {
            for (client, id) in [(stranger, mine), (owner, 999), (stranger, 12345)] {
                var params = extra
                params["socket"] = JSONValue(id)
                #expect(client.code(method, params) == NSAPI.noSocket, "\(method) on \(id)")
            }
        }
        #expect(try stranger.rpc.call(API.SocketList.name) == .array([]), "another connection's sockets are invisible")
        #expect(owner.code(API.SocketClose.name, ["socket": JSONValue(mine)]) == NSAPI.ok, "and untouched")
    }

    @Test func wrongFamilyAddressesAreParameter() throws {
        let client = try self.environment.client()
        let socket = try client.open(.udp)
        #expect(client.bind(socket, "::1", 0) == NSAPI.ok || client.bind(socket, "::1", 0) == NSAPI.parameter)
        let tcp = try client.open(.tcp)
        #expect(client.code(API.SocketConnect.name, ["socket": JSONValue(tcp), "address": "0.0.0.0", "port": 7]) == NSAPI.parameter)
        let udp = try client.open(.udp)
        #expect(client.sendto(udp, "224.0.0.1", 0, [1]) != NSAPI.ok)
    }

    @Test func sigioArrivesOncePerIOCallAndOnClose() throws {
        let client = try self.environment.client()
        let socket = try client.open(.udp)
        #expect(client.bind(socket, "127.0.0.1", 0) == NSAPI.ok)
        let port = Int(try client.rpc.call(API.SocketLocalName.name, ["socket": JSONValue(socket)])["port"]?.intValue ?? 0)
        client.sigio(socket, true)
        client.setBlocking(socket, false)
        let sender = try client.open(.udp)
        for _ in 0..<3 { #expect(client.sendto(sender, "127.0.0.1", port, [1]) == 1) }
        #expect(client.waitSigio(socket, timeoutMilliseconds: 2000))
        #expect(!client.waitSigio(socket, timeoutMilliseconds: 300), "coalesced until the next I/O call")
        _ = client.recvfrom(socket, 10)
        #expect(client.sendto(sender, "127.0.0.1", port, [2]) == 1)
        #expect(client.waitSigio(socket, timeoutMilliseconds: 2000))
        _ = client.recvfrom(socket, 10)
        #expect(client.close(socket) == NSAPI.ok)
        #expect(client.waitSigio(socket, timeoutMilliseconds: 2000), "close fires it too")
    }

    @Test func aClientThatLeavesHasItsSocketsClosed() throws {
        let first = try self.environment.client()
        for _ in 0..<10 { _ = try first.open(.tcp) }
        let observer = try self.environment.client()
        let before = try observer.rpc.call(API.DaemonInfo()).sockets
        first.rpc.close()
        var after = before
        for _ in 0..<200 where after > before - 10 {
            usleep(10_000)
            after = try observer.rpc.call(API.DaemonInfo()).sockets
        }
        #expect(after <= before - 10)
    }

    @Test func binarySafeAndEveryEncoding() throws {
        let client = try self.environment.client()
        let socket = try client.open(.tcp)
        #expect(client.connect(socket, "127.0.0.1", TestPeers.shared.echo) == NSAPI.ok)
        let bytes: [UInt8] = Array(0...255)
        #expect(client.send(socket, bytes) == 256)
        var received: [UInt8] = []
        while received.count < 256, case .success(let chunk) = client.recv(socket, 256 - received.count) { received += chunk }
        #expect(received == bytes)
        #expect(client.send(socket, [0xC3, 0x28]) == 2)
        let text = try client.rpc.call(API.SocketRecv.name, ["socket": JSONValue(socket), "size": 2, "encoding": "text"])
        #expect(text["encoding"] == "base64", "invalid UTF-8 is never altered: it comes back as base64")
        #expect(text["data"] == "wyg=")
        _ = try client.rpc.call(API.SocketSend.name, ["socket": JSONValue(socket), "text": "héllo"])
        let hex = try client.rpc.call(API.SocketRecv.name, ["socket": JSONValue(socket), "size": 6, "encoding": "hex"])
        #expect(hex["data"] == "68c3a96c6c6f")
    }
}

/// A DNS server that first answers every query with hostile replies, then the real one.
final class HostileDNSServer: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let stop = Atomic<Bool>(false)

    init() {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(self.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let thread = Thread { [self] in self.serve() }
        thread.start()
    }

    private func serve() {
        var buffer = [UInt8](repeating: 0, count: 1500)
        while !self.stop.load(ordering: .relaxed) {
            var from = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let count = withUnsafeMutablePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(self.fd, &buffer, buffer.count, 0, $0, &length) }
            }
            guard count > 0, let query = try? DNS.parse(Array(buffer[0..<count])), let question = query.questions.first else { continue }
            var good = DNS.Message(
                id: query.id, isResponse: true, isTruncated: false, recursionDesired: true, responseCode: 0, questions: [question],
                answers: [.init(name: question.name, type: DNS.RecordType.a, recordClass: 1, ttl: 60, data: .address(IPAddress(parsing: "127.0.9.9")!))])
            let encoded = (try? DNS.encode(good)) ?? []
            var wrongID = good
            wrongID.id &+= 1
            var wrongQuestion = good
            wrongQuestion.questions = [DNS.Question(name: "other.example", type: DNS.RecordType.a)]
            var truncatedFlag = good
            truncatedFlag.isTruncated = true
            var loop = Array(encoded.prefix(12))
            loop[5] = 1
            loop[7] = 0
            loop += [0xC0, 0x0C, 0, 1, 0, 1]  // A question name that points at itself.
            let hostile: [[UInt8]] = [
                Array(encoded.prefix(encoded.count / 2)),  // Truncated mid-record.
                loop,
                (try? DNS.encode(wrongID)) ?? [],
                (try? DNS.encode(wrongQuestion)) ?? [],
                (try? DNS.encode(truncatedFlag)) ?? [],
                [UInt8](repeating: 0xFF, count: 1400),  // Oversized garbage.
                [],
            ]
            for reply in hostile + [encoded] {
                _ = withUnsafePointer(to: &from) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                        reply.withUnsafeBytes { sendto(self.fd, $0.baseAddress, $0.count, 0, address, length) }
                    }
                }
            }
            good.id = 0
        }
    }

    func shutdown() {
        self.stop.store(true, ordering: .relaxed)
    }
}

@Suite struct HostileDNSReplyTests {
    @Test func truncatedLoopedSpoofedAndOversizedRepliesAreIgnored() throws {
        let server = HostileDNSServer()
        defer { server.shutdown() }
        let environment = try ConformanceDaemon(dnsServers: ["127.0.0.1:\(server.port)"], dns: ["timeout_ms": 3000])
        let client = try environment.client()
        for name in ["one.hostile.test", "two.hostile.test"] {
            let answer = try client.rpc.call(API.DNSGetHostByName.name, ["name": .string(name)])
            #expect(answer["address"] == "127.0.9.9", "only the real answer counts")
        }
        #expect(try client.rpc.call(API.DaemonInfo()).apiVersion == 1)
    }
}
