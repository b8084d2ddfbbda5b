import NetSockClient
import NetSockJSON
import NetSockRPC
import NetSockTestSupport
import Testing

let niddSuiteDaemon: CellularDaemon = {
    do { return try CellularDaemon() } catch { fatalError("cannot start netsockd with a simulated modem: \(error)") }
}()

/// Mbed's NIDD suite (connectivity/netsocket/tests/TESTS/netsocket/nidd) against the
/// simulator's NIDD echo. One Non-IP socket exists per system, so the cases run one by one.
@Suite(.serialized) struct NIDDConformanceTests {
    func client() throws -> NSAPIClient { try niddSuiteDaemon.client() }

    func open(_ client: NSAPIClient) throws -> Int { try client.open(.nonip) }

    @Test("NIDD-01/11 NIDDSOCKET_CONNECT and NIDDSOCKET_DISCONNECT: connect reaches global_up, disconnect is OK")
    func connectAndDisconnect() throws {
        let environment = try CellularDaemon(connect: false)
        let client = try environment.client()
        #expect(client.code(API.InterfaceConnect(interface: "cell0")) == NSAPI.ok)
        #expect(client.code(API.InterfaceDisconnect(interface: "cell0")) == NSAPI.ok)
        #expect(client.code(API.InterfaceDisconnect(interface: "cell0")) == NSAPI.noConnection)
    }

    @Test("NIDD-02 NIDDSOCKET_ECHOTEST_NONBLOCK") func echoNonblock() throws {
        let client = try self.client()
        let socket = try self.open(client)
        client.setBlocking(socket, false)
        client.sigio(socket, true)
        var data = TestData(seed: 2)
        var lost = 0
        let sizes = Array(1...10) + [100]
        for size in sizes {
            let payload = data.ascii(size)
            var ok = false
            var sends = 0
            for _ in 0..<3 where !ok {
                let sent = client.send(socket, payload)
                if sent == NSAPI.wouldBlock {
                    _ = client.waitSigio(socket, timeoutMilliseconds: 5000)
                    continue
                }
                #expect(sent == size)
                sends += 1
                for _ in 0..<3 where !ok {
                    switch client.recv(socket, size) {
                    case .success(let bytes): ok = bytes == payload
                    case .failure(let code):
                        #expect(code.value == NSAPI.wouldBlock)
                        _ = client.waitSigio(socket, timeoutMilliseconds: 5000)
                    }
                }
            }
            #expect(sends >= 1)
            if !ok { lost += 1 }
        }
        #expect(Double(lost) / Double(sizes.count) <= 0.5)
        #expect(client.close(socket) == NSAPI.ok)
    }

    @Test("NIDD-03 NIDDSOCKET_OPEN_CLOSE_REPEAT") func openCloseRepeat() throws {
        let client = try self.client()
        for _ in 0..<10 {
            let socket = try self.open(client)
            #expect(client.close(socket) == NSAPI.ok)
        }
    }

    @Test("NIDD-04 NIDDSOCKET_OPEN_LIMIT: one Non-IP socket per system") func openLimit() throws {
        let client = try self.client()
        for _ in 0..<2 {
            let (opened, failure) = client.openUntilFailure("nonip")
            #expect(opened == 1)
            #expect(failure == NSAPI.noSocket)
        }
        // Another client's Non-IP socket counts too: the limit is the system's.
        let other = try self.client()
        let held = try self.open(other)
        #expect(client.openUntilFailure("nonip").0 == 0)
        #expect(other.close(held) == NSAPI.ok)
    }

    @Test("NIDD-06 NIDDSOCKET_OPEN_TWICE") func openTwice() throws {
        let client = try self.client()
        let socket = try self.open(client)
        #expect(client.reopen(socket, "nonip") == NSAPI.parameter)
        #expect(client.close(socket) == NSAPI.ok)
    }

    @Test("NIDD-07 NIDDSOCKET_RECV_TIMEOUT") func receiveTimeout() throws {
        let client = try self.client()
        let socket = try self.open(client)
        client.setTimeout(socket, 100)
        client.sigio(socket, true)
        var blocked: [Int] = []
        for _ in 0..<2 {
            #expect(client.send(socket, Array("AAAA".utf8)) == 4)
            var got = false
            for _ in 0..<10 where !got {
                let start = nowMilliseconds()
                switch client.recv(socket, 4) {
                case .success(let bytes):
                    #expect(bytes.count == 4)
                    got = true
                case .failure(let code):
                    #expect(code.value == NSAPI.wouldBlock)
                    blocked.append(nowMilliseconds() - start)
                    _ = client.waitSigio(socket, timeoutMilliseconds: 1000)
                }
            }
            #expect(got)
            let start = nowMilliseconds()
            #expect(client.recv(socket, 4) == .failure(Code(NSAPI.wouldBlock)))
            blocked.append(nowMilliseconds() - start)
        }
        // Mbed's README: a 100 ms timeout blocks more than 100 ms and less than 200.
        #expect(blocked.allSatisfy { $0 >= 100 }, "\(blocked)")
        #expect(blocked.sorted()[blocked.count / 2] < 200, "\(blocked)")
        #expect(client.close(socket) == NSAPI.ok)
    }

    @Test("NIDD-08 NIDDSOCKET_SEND_TIMEOUT") func sendTimeout() throws {
        let client = try self.client()
        let socket = try self.open(client)
        #expect(client.send(socket, Array("AAAA".utf8)) == 4)
        client.setTimeout(socket, 1000)
        #expect(client.send(socket, Array("AAAA".utf8)) == 4)
        #expect(client.close(socket) == NSAPI.ok)
    }

    @Test("NIDD-09 NIDDSOCKET_SEND_INVALID: empty and over 1358 bytes are PARAMETER") func sendInvalid() throws {
        let client = try self.client()
        let socket = try self.open(client)
        #expect(client.send(socket, []) == NSAPI.parameter)
        #expect(client.send(socket, [UInt8](repeating: 0x41, count: 1359)) == NSAPI.parameter)
        #expect(client.send(socket, [UInt8](repeating: 0x41, count: 1358)) == 1358)
        #expect(client.close(socket) == NSAPI.ok)
    }

    @Test("NIDD-10 NIDDSOCKET_SEND_REPEAT") func sendRepeat() throws {
        let client = try self.client()
        let socket = try self.open(client)
        for _ in 0..<4 { #expect(client.send(socket, Array("hello".utf8)) == 5) }
        #expect(client.close(socket) == NSAPI.ok)
    }

    @Test("Non-IP sockets have no addresses: connect, bind, listen, accept, sendto, recvfrom, getpeername and options are UNSUPPORTED")
    func unsupportedCalls() throws {
        let client = try self.client()
        let socket = try self.open(client)
        let id = JSONValue(socket)
        #expect(client.connect(socket, "127.0.0.1", 7) == NSAPI.unsupported)
        #expect(client.bind(socket, nil, 0) == NSAPI.unsupported)
        #expect(client.code(API.SocketListen.name, ["socket": id]) == NSAPI.unsupported)
        #expect(client.code(API.SocketAccept.name, ["socket": id]) == NSAPI.unsupported)
        #expect(client.sendto(socket, "127.0.0.1", 7, [1]) == NSAPI.unsupported)
        let received = client.recvfrom(socket, 10)
        #expect((try? received.get()) == nil && { if case .failure(let code) = received { code.value == NSAPI.unsupported } else { false } }())
        #expect(client.code(API.SocketPeerName.name, ["socket": id]) == NSAPI.unsupported)
        #expect(client.code(API.SocketSetOption.name, ["socket": id, "option": "keepalive", "value": 1]) == NSAPI.unsupported)
        #expect(client.close(socket) == NSAPI.ok)
        // Only cellular interfaces carry Non-IP data.
        #expect(client.code(API.SocketOpen.name, ["protocol": "nonip", "interface": "lo"]) == NSAPI.unsupported)
    }
}
