import NetSockClient
import NetSockJSON
import NetSockRPC
import NetSockTestSupport
import Testing

/// Mbed's UDP suite (connectivity/netsocket/tests/TESTS/netsocket/udp), black-box over JSON-RPC.
@Suite struct UDPConformanceTests {
    let environment = socketSuiteDaemon
    let peers = TestPeers.shared

    func client() throws -> NSAPIClient { try self.environment.client() }

    @Test("UDP-01 UDPSOCKET_OPEN_DESTRUCT") func openDestruct() throws {
        let client = try self.client()
        for _ in 0..<100 {
            let socket = try client.open(.udp)
            #expect(client.close(socket) == NSAPI.ok)
        }
    }

    @Test("UDP-02 UDPSOCKET_OPEN_LIMIT") func openLimit() throws {
        let client = try self.client()
        let first = client.openUntilFailure("udp")
        let second = client.openUntilFailure("udp")
        #expect(first.0 >= 4)
        #expect(first.0 == second.0)
        #expect(first.1 == NSAPI.noSocket)
    }

    @Test("UDP-03 UDPSOCKET_OPEN_TWICE") func openTwice() throws {
        let client = try self.client()
        let socket = try client.open(.udp)
        #expect(client.reopen(socket, "udp") == NSAPI.parameter)
    }

    @Test("UDP-04 UDPSOCKET_OPEN_CLOSE_REPEAT") func openCloseRepeat() throws {
        let client = try self.client()
        let socket = try client.open(.udp)
        #expect(client.close(socket) == NSAPI.ok)
        #expect(client.reopen(socket, "udp") == NSAPI.ok)
        #expect(client.close(socket) == NSAPI.ok)
    }

    @Test("UDP-05 UDPSOCKET_BIND_PORT") func bindPort() throws {
        let client = try self.client()
        #expect(client.bind(try client.open(.udp), nil, freePort()) == NSAPI.ok)
    }

    @Test("UDP-06 UDPSOCKET_BIND_PORT_FAIL") func bindPortFail() throws {
        let client = try self.client()
        let first = try client.open(.udp)
        var port = freePort()
        while client.bind(first, nil, port) != NSAPI.ok { port = freePort() }
        #expect(client.bind(try client.open(.udp), nil, port) == NSAPI.parameter)
    }

    @Test("UDP-07 UDPSOCKET_BIND_ADDRESS_INVALID") func bindAddressInvalid() throws {
        let client = try self.client()
        for address in ["190.2.3.4", "fe80::ff01"] {
            #expect(client.bind(try client.open(.udp), address, freePort()) == NSAPI.parameter, "\(address)")
        }
    }

    @Test("UDP-08 UDPSOCKET_BIND_WRONG_TYPE") func bindWrongType() throws {
        let client = try self.client()
        for address in ["254.128.255.1", "fe80:ff01::"] {
            #expect(client.bind(try client.open(.udp), address, 80) == NSAPI.parameter, "\(address)")
        }
    }

    @Test("UDP-09 UDPSOCKET_BIND_ADDRESS (high port, see notes)") func bindAddress() throws {
        let client = try self.client()
        #expect(client.bind(try client.open(.udp), client.ownAddress(), freePort()) == NSAPI.ok)
    }

    @Test("UDP-10 UDPSOCKET_BIND_UNOPENED") func bindUnopened() throws {
        let client = try self.client()
        let socket = try client.open(.udp)
        _ = client.close(socket)
        #expect(client.bind(socket, nil, freePort()) == NSAPI.noSocket)
    }

    @Test("UDP-11 UDPSOCKET_BIND_ADDRESS_NULL (unregistered in Mbed)") func bindAddressNull() throws {
        let client = try self.client()
        #expect(client.bind(try client.open(.udp), nil, 0) == NSAPI.ok)
    }

    @Test("UDP-12 UDPSOCKET_SENDTO_INVALID (unregistered in Mbed, README MUST)") func sendtoInvalid() throws {
        let client = try self.client()
        let socket = try client.open(.udp)
        // An empty address is no address: refused with an error, never sent.
        #expect(client.sendto(socket, "", 0, []) < 0)
        let echo = client.echoAddress(self.environment)
        let empty = client.sendto(socket, echo, self.peers.discard, [])
        #expect(empty == 0 || empty == NSAPI.unsupported)
        #expect(client.sendto(socket, echo, self.peers.discard, Array("hello".utf8)) == 5)
        #expect(client.close(socket) == NSAPI.ok)
    }

    @Test("UDP-13 UDPSOCKET_SENDTO_REPEAT") func sendtoRepeat() throws {
        let client = try self.client()
        let socket = try client.open(.udp)
        let echo = client.echoAddress(self.environment)
        for _ in 0..<100 { #expect(client.sendto(socket, echo, self.peers.discard, Array("hello".utf8)) == 5) }
        #expect(client.close(socket) == NSAPI.ok)
    }

    /// The shared body of UDP-14/15: each size sent up to 3 times, the echo checked.
    func echo(connected: Bool, nonblocking: Bool) throws {
        let client = try self.client()
        let socket = try client.open(.udp)
        let echo = client.echoAddress(self.environment)
        if connected {
            #expect(client.connect(socket, echo, self.peers.echo) == NSAPI.ok)
        }
        if nonblocking {
            client.setBlocking(socket, false)
            client.sigio(socket, true)
        } else {
            client.setTimeout(socket, 10_000)
        }
        var data = TestData(seed: connected ? 15 : 14)
        var lost = 0
        // A modem's own limit on one datagram (u-blox 1024) cuts the larger sizes, as Mbed's cellular configs do.
        for size in echoSizes where size <= self.environment.maximumDatagram ?? .max {
            let payload = data.ascii(size)
            var ok = false
            for _ in 0..<3 where !ok {
                let sent = connected ? client.send(socket, payload) : client.sendto(socket, echo, self.peers.echo, payload)
                if sent == NSAPI.wouldBlock {
                    _ = client.waitSigio(socket, timeoutMilliseconds: 5000)
                    continue
                }
                #expect(sent == size)
                for _ in 0..<3 where !ok {
                    switch client.recvfrom(socket, size) {
                    case .success(let (address, port, bytes)):
                        #expect(address == echo && port == self.peers.echo)
                        if bytes.count == size { ok = bytes == payload }
                    case .failure(let code):
                        #expect(code.value == NSAPI.wouldBlock)
                        _ = client.waitSigio(socket, timeoutMilliseconds: 5000)
                    }
                }
            }
            if !ok { lost += 1 }
        }
        #expect(Double(lost) / Double(echoSizes.count) <= 0.30)
        #expect(client.close(socket) == NSAPI.ok)
    }

    @Test("UDP-14 UDPSOCKET_ECHOTEST") func echoTest() throws { try self.echo(connected: false, nonblocking: false) }
    @Test("UDP-15 UDPSOCKET_ECHOTEST_CONNECT_SEND_RECV") func echoConnected() throws { try self.echo(connected: true, nonblocking: false) }
    @Test("UDP-16 UDPSOCKET_ECHOTEST_NONBLOCK") func echoNonblock() throws { try self.echo(connected: false, nonblocking: true) }
    @Test("UDP-17 UDPSOCKET_ECHOTEST_NONBLOCK_CONNECT_SEND_RECV") func echoNonblockConnected() throws {
        try self.echo(connected: true, nonblocking: true)
    }

    @Test("UDP-18 UDPSOCKET_RECV_TIMEOUT") func receiveTimeout() throws {
        let client = try self.client()
        let socket = try client.open(.udp)
        let echo = client.echoAddress(self.environment)
        client.setTimeout(socket, 100)
        var blocked: [Int] = []
        for _ in 0..<5 {
            #expect(client.sendto(socket, echo, self.peers.echo, [UInt8](repeating: 0, count: 100)) == 100)
            var got = false
            while !got {
                switch client.recvfrom(socket, 100) {
                case .success(let (_, _, bytes)): got = bytes.count == 100
                case .failure(let code):
                    #expect(code.value == NSAPI.wouldBlock)
                    break
                }
            }
            let start = nowMilliseconds()
            if case .failure(let code) = client.recvfrom(socket, 100) {
                #expect(code.value == NSAPI.wouldBlock)
                blocked.append(nowMilliseconds() - start)
            }
        }
        #expect(blocked.count == 5)
        #expect(blocked.allSatisfy { $0 >= 100 }, "\(blocked)")
        #expect(blocked.sorted()[blocked.count / 2] < 200, "\(blocked)")
    }

    @Test("UDP-19 UDPSOCKET_SENDTO_TIMEOUT") func sendtoTimeout() throws {
        let client = try self.client()
        let socket = try client.open(.udp)
        let echo = client.echoAddress(self.environment)
        #expect(client.sendto(socket, echo, self.peers.discard, [UInt8](repeating: 0, count: 100)) == 100)
        client.setTimeout(socket, 1000)
        let start = nowMilliseconds()
        #expect(client.sendto(socket, echo, self.peers.discard, [UInt8](repeating: 0, count: 100)) == 100)
        #expect(nowMilliseconds() - start < 100, "a datagram with room to go is sent at once")
    }

    /// UDP-20/21: bursts of 5 datagrams {100, 200, 300, 120, 500}, matched in any order.
    func burst(nonblocking: Bool) throws {
        let client = try self.client()
        let socket = try client.open(.udp)
        let echo = client.echoAddress(self.environment)
        if nonblocking {
            client.setBlocking(socket, false)
        } else {
            client.setTimeout(socket, 5000)
        }
        client.sigio(socket, true)
        var data = TestData(seed: nonblocking ? 21 : 20)
        var failedBursts = 0
        for _ in 0..<20 {
            let payloads = [100, 200, 300, 120, 500].map { data.ascii($0) }
            for payload in payloads {
                var sent = client.sendto(socket, echo, self.peers.echo, payload)
                while sent == NSAPI.wouldBlock {
                    _ = client.waitSigio(socket, timeoutMilliseconds: 5000)
                    sent = client.sendto(socket, echo, self.peers.echo, payload)
                }
                #expect(sent == payload.count)
            }
            var matched = 0
            var remaining = payloads
            var attempts = 0
            while !remaining.isEmpty && attempts < 10 {
                attempts += 1
                switch client.recvfrom(socket, 500) {
                case .success(let (address, _, bytes)):
                    guard address == echo, let index = remaining.firstIndex(of: bytes) else { continue }
                    matched += bytes.count
                    remaining.remove(at: index)
                case .failure(let code):
                    #expect(code.value == NSAPI.wouldBlock)
                    if !client.waitSigio(socket, timeoutMilliseconds: 5000) { attempts = 10 }
                }
            }
            if matched != 1220 { failedBursts += 1 }
        }
        #expect(failedBursts < 6)
        #expect(client.close(socket) == NSAPI.ok)
    }

    @Test("UDP-20 UDPSOCKET_ECHOTEST_BURST") func echoBurst() throws { try self.burst(nonblocking: false) }
    @Test("UDP-21 UDPSOCKET_ECHOTEST_BURST_NONBLOCK") func echoBurstNonblock() throws { try self.burst(nonblocking: true) }

    @Test("UDP semantics: connect only filters, send without a peer is NO_ADDRESS, listen/accept are UNSUPPORTED")
    func datagramRules() throws {
        let client = try self.client()
        let socket = try client.open(.udp)
        #expect(client.send(socket, [1]) == NSAPI.noAddress)
        #expect(client.code(API.SocketListen.name, ["socket": JSONValue(socket)]) == NSAPI.unsupported)
        #expect(client.code(API.SocketAccept.name, ["socket": JSONValue(socket)]) == NSAPI.unsupported)
        #expect(client.code(API.SocketPeerName.name, ["socket": JSONValue(socket)]) == NSAPI.noConnection)
        // A stranger's datagram is dropped when a peer is set.
        let stranger = try client.open(.udp)
        var port = freePort()
        let own = client.ownAddress()
        while client.bind(socket, own, port) != NSAPI.ok { port = freePort() }
        let echo = client.echoAddress(self.environment)
        #expect(client.connect(socket, echo, self.peers.echo) == NSAPI.ok)
        #expect(client.sendto(stranger, own, port, Array("intruder".utf8)) == 8)
        #expect(client.send(socket, Array("wanted".utf8)) == 6)
        client.setTimeout(socket, 2000)
        guard case .success(let (_, _, bytes)) = client.recvfrom(socket, 100) else {
            Issue.record("no echo")
            return
        }
        #expect(bytes == Array("wanted".utf8))
        _ = client.close(socket)
        #expect(client.connect(socket, echo, 9) == NSAPI.ok, "connect on a closed UDP socket is OK")
    }
}
