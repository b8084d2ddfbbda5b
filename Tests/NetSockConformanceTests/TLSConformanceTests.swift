#if canImport(Glibc)
import Glibc
#endif
import NetSockClient
import NetSockJSON
import NetSockRPC
import NetSockTestSupport
import Testing

/// Mbed's TLS suite (connectivity/netsocket/tests/TESTS/netsocket/tls), black-box over
/// JSON-RPC, against stunnel in front of the local echo, discard and daytime peers,
/// with the test CA the peers made; TLS-05's bad hosts are local servers with an
/// expired, wrong-host, self-signed and untrusted certificate.
@Suite struct TLSConformanceTests {
    let environment = socketSuiteDaemon
    let peers = TestPeers.shared

    func client() throws -> NSAPIClient { try self.environment.client() }
    func port(_ name: String) -> Int { self.peers.tls[name] ?? 0 }
    var caPEM: String { (try? readText(self.peers.tlsDirectory + "/ca.pem")) ?? "" }

    /// open; set_root_ca_cert (unless `trusting` is nil).
    func opened(_ client: NSAPIClient, trusting pem: String?) throws -> Int {
        let socket = try client.open(.tls)
        if let pem { #expect(client.code(API.SocketSetRootCACert(socket: socket, pem: pem)) == NSAPI.ok) }
        return socket
    }

    /// open; set CA; connect by the echo host's name.
    func connected(_ client: NSAPIClient, _ service: String) throws -> Int {
        let socket = try self.opened(client, trusting: self.caPEM)
        #expect(client.connect(socket, self.environment.echoHost, self.port(service)) == NSAPI.ok)
        return socket
    }

    /// connect's error: its code and `error.data.detail`.
    func connectError(_ client: NSAPIClient, _ socket: Int, host: String? = nil, _ port: Int) -> (Int, String) {
        switch client.call(API.SocketConnect(socket: socket, address: host ?? self.environment.echoHost, port: port)) {
        case .success: return (0, "")
        case .failure(let error): return (error.code, error.detail ?? "")
        }
    }

    func echo(_ client: NSAPIClient, _ socket: Int, _ payload: [UInt8]) -> [UInt8] {
        guard client.send(socket, payload) == payload.count else { return [] }
        var received: [UInt8] = []
        while received.count < payload.count, case .success(let chunk) = client.recv(socket, payload.count - received.count), !chunk.isEmpty {
            received += chunk
        }
        return received
    }

    @Test("TLS-01 TLSSOCKET_OPEN_DESTRUCT") func openDestruct() throws {
        let client = try self.client()
        for _ in 0..<100 {
            let socket = try client.open(.tls)
            #expect(client.close(socket) == NSAPI.ok)
        }
    }

    @Test("TLS-02 TLSSOCKET_OPEN_LIMIT") func openLimit() throws {
        let client = try self.client()
        let first = client.openUntilFailure("tls")
        let second = client.openUntilFailure("tls")
        #expect(first.0 >= 4)
        #expect(first.0 == second.0, "the same count in both rounds")
        #expect(first.1 == NSAPI.noSocket)
    }

    @Test("TLS-03 TLSSOCKET_OPEN_TWICE") func openTwice() throws {
        let client = try self.client()
        let socket = try client.open(.tls)
        #expect(client.reopen(socket, "tls") == NSAPI.parameter)
    }

    @Test("TLS-04 TLSSOCKET_CONNECT_INVALID") func connectInvalid() throws {
        let client = try self.client()
        let socket = try self.opened(client, trusting: self.caPEM)
        #expect(client.connect(socket, "", 9) < 0)
        #expect(client.close(socket) == NSAPI.ok)
    }

    static let badServers: [(String, String)] = [
        ("tls_expired", "expired"), ("tls_wrong_host", "Common Name"), ("tls_self_signed", "not correctly signed"),
        ("tls_untrusted", "not correctly signed"), ("tls_garbage", "handshake"),
    ]

    @Test("TLS-05 TLSSOCKET_HANDSHAKE_INVALID: each bad server is AUTH_FAILURE, with the reason", arguments: Self.badServers)
    func handshakeInvalid(_ service: String, _ reason: String) throws {
        let client = try self.client()
        let socket = try self.opened(client, trusting: self.caPEM)
        let (code, detail) = self.connectError(client, socket, self.port(service))
        #expect(code == NSAPI.authFailure, "\(service): \(code) \(detail)")
        #expect(detail.contains(reason), "\(service): \(detail)")
        #expect(client.close(socket) == NSAPI.ok)
    }

    @Test("a nonblocking connect: IN_PROGRESS, ALREADY through TCP and the handshake, then IS_CONNECTED; no peer name before")
    func nonblockingConnect() throws {
        let client = try self.client()
        let socket = try self.opened(client, trusting: self.caPEM)
        client.setBlocking(socket, false)
        client.sigio(socket, true)
        var codes: [Int] = []
        var peerDuringHandshake: Int?
        for _ in 0..<500 {
            let code = client.connect(socket, self.environment.echoHost, self.port("tls_echo"))
            codes.append(code)
            guard code == NSAPI.inProgress || code == NSAPI.already else { break }
            if peerDuringHandshake == nil { peerDuringHandshake = client.code(API.SocketPeerName(socket: socket)) }
            _ = client.waitSigio(socket, timeoutMilliseconds: 5000)
        }
        #expect(codes.first == NSAPI.inProgress, "\(codes)")
        #expect(codes.last == NSAPI.isConnected, "\(codes)")
        #expect(codes.dropFirst().dropLast().allSatisfy { $0 == NSAPI.already }, "\(codes)")
        #expect(peerDuringHandshake == NSAPI.noConnection)
        #expect(client.code(API.SocketPeerName(socket: socket)) == NSAPI.ok)
        client.setBlocking(socket, true)
        let same = self.echo(client, socket, Array("after a nonblocking connect".utf8)) == Array("after a nonblocking connect".utf8)
        #expect(same)
        #expect(client.close(socket) == NSAPI.ok)
    }

    @Test("TLS-06 TLSSOCKET_SEND_CLOSED") func sendClosed() throws {
        let client = try self.client()
        let socket = try self.connected(client, "tls_echo")
        #expect(client.close(socket) == NSAPI.ok)
        #expect(client.send(socket, Array("12345".utf8)) == NSAPI.noSocket)
    }

    @Test("TLS-07 TLSSOCKET_SEND_UNCONNECTED") func sendUnconnected() throws {
        let client = try self.client()
        let socket = try self.opened(client, trusting: self.caPEM)
        #expect(client.send(socket, Array("12345".utf8)) == NSAPI.noConnection)
        #expect(client.close(socket) == NSAPI.ok)
    }

    @Test("TLS-08 TLSSOCKET_SEND_REPEAT") func sendRepeat() throws {
        let client = try self.client()
        let socket = try self.connected(client, "tls_discard")
        for _ in 0..<100 { #expect(client.send(socket, Array("hello".utf8)) == 5) }
        #expect(client.close(socket) == NSAPI.ok)
    }

    @Test("TLS-09 TLSSOCKET_SEND_TIMEOUT") func sendTimeout() throws {
        let client = try self.client()
        let socket = try self.connected(client, "tls_discard")
        client.setBlocking(socket, false)
        for _ in 0..<10 {
            let result = client.send(socket, Array("hello".utf8))
            #expect(result == 5 || result == NSAPI.wouldBlock)
        }
        #expect(client.close(socket) == NSAPI.ok)
    }

    @Test("TLS-10 TLSSOCKET_ECHOTEST") func echoTest() throws {
        let client = try self.client()
        let socket = try self.connected(client, "tls_echo")
        var data = TestData(seed: 10)
        for size in echoSizes {
            let payload = data.ascii(size)
            let same = self.echo(client, socket, payload) == payload
            #expect(same, "size \(size)")
        }
        #expect(client.close(socket) == NSAPI.ok)
    }

    /// TLS-11 and TLS-13: nonblocking sends and receives, waiting on sigio.
    func nonblockingEcho(sizes: [Int], seed: UInt64) throws {
        let client = try self.client()
        let socket = try self.connected(client, "tls_echo")
        client.setBlocking(socket, false)
        client.sigio(socket, true)
        var data = TestData(seed: seed)
        for size in sizes {
            let payload = data.ascii(size)
            var sent = 0
            while sent < size {
                let result = client.send(socket, Array(payload[sent...]))
                if result == NSAPI.wouldBlock {
                    #expect(client.waitSigio(socket, timeoutMilliseconds: 20_000))
                    continue
                }
                #expect(result > 0)
                guard result > 0 else { return }
                sent += result
            }
            var received: [UInt8] = []
            while received.count < size {
                switch client.recv(socket, size - received.count) {
                case .success(let chunk):
                    #expect(!chunk.isEmpty)
                    guard !chunk.isEmpty else { return }
                    received += chunk
                case .failure(let code):
                    #expect(code.value == NSAPI.wouldBlock)
                    guard code.value == NSAPI.wouldBlock, client.waitSigio(socket, timeoutMilliseconds: 20_000) else { return }
                }
            }
            let same = received == payload
            #expect(same)
        }
        client.sigio(socket, false)
        #expect(client.close(socket) == NSAPI.ok)
    }

    @Test("TLS-11 TLSSOCKET_ECHOTEST_NONBLOCK") func echoTestNonblock() throws {
        try self.nonblockingEcho(sizes: echoSizes, seed: 11)
    }

    @Test("TLS-12 TLSSOCKET_ECHOTEST_BURST") func echoTestBurst() throws {
        let client = try self.client()
        let socket = try self.connected(client, "tls_echo")
        var data = TestData(seed: 12)
        for _ in 0..<20 {
            let payload = data.ascii(1220)
            let same = self.echo(client, socket, payload) == payload
            #expect(same)
        }
        #expect(client.close(socket) == NSAPI.ok)
    }

    @Test("TLS-13 TLSSOCKET_ECHOTEST_BURST_NONBLOCK") func echoTestBurstNonblock() throws {
        try self.nonblockingEcho(sizes: Array(repeating: 1220, count: 20), seed: 13)
    }

    @Test("TLS-14 TLSSOCKET_ENDPOINT_CLOSE: data, then recv 0 when the server closes") func endpointClose() throws {
        let client = try self.client()
        let socket = try self.connected(client, "tls_daytime")
        client.setTimeout(socket, 10_000)
        var total = 0
        loop: while true {
            switch client.recv(socket, 30) {
            case .success(let chunk):
                if chunk.isEmpty { break loop }
                total += chunk.count
            case .failure:
                break loop  // Mbed: a negative value also ends the loop without failing.
            }
        }
        #expect(total > 0)
        #expect(client.close(socket) == NSAPI.ok)
    }

    @Test("TLS-15 TLSSOCKET_NO_CERT: no root CA set is AUTH_FAILURE") func noCert() throws {
        let client = try self.client()
        let socket = try self.opened(client, trusting: nil)
        #expect(self.connectError(client, socket, self.port("tls_echo")).0 == NSAPI.authFailure)
        #expect(client.close(socket) == NSAPI.ok)
    }

    @Test("TLS-16 TLSSOCKET_RECV_TIMEOUT: a recv with nothing coming ends in WOULD_BLOCK") func receiveTimeout() throws {
        let client = try self.client()
        let socket = try self.connected(client, "tls_echo")
        client.setTimeout(socket, 100)
        client.sigio(socket, true)
        for _ in 0..<5 {
            #expect(client.send(socket, [UInt8](repeating: 0, count: 100)) == 100)
            var received = 0
            while received < 100 {
                switch client.recv(socket, 100 - received) {
                case .success(let chunk):
                    guard !chunk.isEmpty else {
                        Issue.record("the echo ended")
                        return
                    }
                    received += chunk.count
                case .failure(let code):
                    #expect(code.value == NSAPI.wouldBlock)
                    _ = client.waitSigio(socket, timeoutMilliseconds: 20_000)
                }
            }
            #expect(client.recv(socket, 1) == .failure(Code(NSAPI.wouldBlock)))
        }
        #expect(client.close(socket) == NSAPI.ok)
    }

    // MARK: Beyond the suite

    @Test("set_hostname names the server checked when connect is given an address, and a wrong one is refused")
    func hostnameByAddress() throws {
        let client = try self.client()
        let address = client.echoAddress(self.environment)
        let good = try self.opened(client, trusting: self.caPEM)
        #expect(client.code(API.SocketSetHostname(socket: good, hostname: "echo.netsock.test")) == NSAPI.ok)
        #expect(client.connect(good, address, self.port("tls_echo")) == NSAPI.ok)
        #expect(self.echo(client, good, Array("by address".utf8)) == Array("by address".utf8))
        #expect(client.close(good) == NSAPI.ok)
        let wrong = try self.opened(client, trusting: self.caPEM)
        #expect(client.code(API.SocketSetHostname(socket: wrong, hostname: "other.netsock.test")) == NSAPI.ok)
        let (code, detail) = self.connectError(client, wrong, host: address, self.port("tls_echo"))
        #expect(code == NSAPI.authFailure && detail.contains("Common Name"), "\(detail)")
        #expect(client.close(wrong) == NSAPI.ok)
    }

    @Test("a server that requires a client certificate takes ours, and refuses a socket without one")
    func clientCertificate() throws {
        let client = try self.client()
        let cert = try readText(self.peers.tlsDirectory + "/client.pem")
        let key = try readText(self.peers.tlsDirectory + "/client.key")
        let socket = try self.opened(client, trusting: self.caPEM)
        #expect(client.code(API.SocketSetClientCertKey(socket: socket, cert: cert, key: key)) == NSAPI.ok)
        #expect(client.connect(socket, self.environment.echoHost, self.port("tls_client_auth")) == NSAPI.ok)
        #expect(self.echo(client, socket, Array("mutual".utf8)) == Array("mutual".utf8))
        #expect(client.close(socket) == NSAPI.ok)

        let bare = try self.opened(client, trusting: self.caPEM)
        let connect = client.connect(bare, self.environment.echoHost, self.port("tls_client_auth"))
        if connect == NSAPI.ok {
            // TLS 1.2 lets the handshake finish before the server's refusal arrives.
            let reply = self.echo(client, bare, Array("x".utf8))
            #expect(reply.isEmpty)
        } else {
            #expect(connect == NSAPI.authFailure)
        }
        _ = client.close(bare)
    }

    @Test("settings that do not parse are PARAMETER with the reason; a TCP socket has no TLS settings")
    func badSettings() throws {
        let client = try self.client()
        let socket = try client.open(.tls)
        guard case .failure(let error) = client.call(API.SocketSetRootCACert(socket: socket, pem: "not a certificate")) else {
            Issue.record("accepted garbage as a certificate")
            return
        }
        #expect(error.code == NSAPI.parameter && !(error.detail ?? "").isEmpty)
        let secret = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0IGtleSBtYXRlcmlhbA==\n-----END PRIVATE KEY-----\n"
        guard case .failure(let keyError) = client.call(API.SocketSetClientCertKey(socket: socket, cert: "x", key: secret)) else {
            Issue.record("accepted garbage as a client certificate")
            return
        }
        #expect(keyError.code == NSAPI.parameter)
        #expect(!"\(keyError)".contains("c2VjcmV0"), "the key never appears in an error")
        let tcp = try client.open(.tcp)
        #expect(client.code(API.SocketSetHostname(socket: tcp, hostname: "echo.netsock.test")) == NSAPI.unsupported)
        // The host's own store does not know the test CA.
        #expect(client.code(API.SocketSetRootCACert(socket: socket, pem: "system")) == NSAPI.ok)
        #expect(self.connectError(client, socket, self.port("tls_echo")).0 == NSAPI.authFailure)
        _ = client.close(socket)
        _ = client.close(tcp)
    }

    @Test("a server that resets the connection after the handshake: NO_CONNECTION once the client reads, and close is clean")
    func resetAfterHandshake() throws {
        let client = try self.client()
        let socket = try self.connected(client, "tls_reset")
        client.setTimeout(socket, 10_000)
        #expect(client.send(socket, Array("x".utf8)) == 1)
        var outcome: Result<[UInt8], Code> = .success([1])
        for _ in 0..<10 {
            outcome = client.recv(socket, 100)
            if case .success(let bytes) = outcome, !bytes.isEmpty { continue }
            break
        }
        #expect(outcome == .failure(Code(NSAPI.noConnection)), "a reset is not an orderly end: \(outcome)")
        #expect(client.close(socket) == NSAPI.ok)
    }

    @Test("a peer that hangs up mid-handshake gives a clear error, not a wait")
    func hangupMidHandshake() throws {
        let client = try self.client()
        let socket = try self.opened(client, trusting: self.caPEM)
        client.setTimeout(socket, 10_000)
        let (code, _) = self.connectError(client, socket, self.port("tls_hangup"))
        #expect(code == NSAPI.authFailure || code == NSAPI.noConnection, "\(code)")
        #expect(client.close(socket) == NSAPI.ok)
    }

    @Test("hostile and refusing servers, twenty rounds each, leave the daemon's descriptor count as it was")
    func hostilePeersLeakNothing() throws {
        guard ConformanceNetwork.shared == nil else { return }  // Descriptors count kernel sockets: the kernel stack's run.
        let environment = try ConformanceDaemon()
        let client = try environment.client()
        // The daemon closes the start-up probe's connection in its own time (the count
        // was once taken with it still open): our client alone, then the count.
        #expect(waitUntil { (try? client.rpc.call(API.DaemonInfo()))?.clients == 1 })
        let baseline = environment.daemon.descriptorCount
        for _ in 0..<20 {
            for service in ["tls_garbage", "tls_hangup", "tls_expired", "tls_untrusted"] {
                let socket = try self.opened(client, trusting: self.caPEM)
                _ = self.connectError(client, socket, self.port(service))
                #expect(client.close(socket) == NSAPI.ok)
            }
            let reset = try self.opened(client, trusting: self.caPEM)
            if client.connect(reset, environment.echoHost, self.port("tls_reset")) == NSAPI.ok {
                _ = client.send(reset, [1])
                _ = client.recv(reset, 10)
            }
            #expect(client.close(reset) == NSAPI.ok)
            let good = try self.opened(client, trusting: self.caPEM)
            #expect(client.connect(good, environment.echoHost, self.port("tls_echo")) == NSAPI.ok)
            #expect(client.close(good) == NSAPI.ok)
        }
        #expect(waitUntil { environment.daemon.descriptorCount == baseline }, "descriptors \(environment.daemon.descriptorCount), before \(baseline)")
    }

    @Test("an attached TLS socket carries plaintext both ways, 100 MiB through the echo, byte for byte")
    func attachedPlaintext() throws {
        // Over our own TCP this once stalled one run in six: the kernel, short of memory,
        // dropped data past which its window then ended, and ignored our ACKs carrying
        // SND.NXT as out of its window (see TCPBehaviourTests.acknowledgmentsStayAcceptable).
        try self.transferThroughAttachedSocket(deadlineMilliseconds: 120_000)
    }

    func transferThroughAttachedSocket(deadlineMilliseconds: Int) throws {
        let client = try self.client()
        let socket = try self.connected(client, "tls_echo")
        let (type, fd) = try client.rpc.attach(socket: socket)
        defer { Glibc.close(fd) }
        #expect(type == "stream")
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var data = TestData(seed: 99)
        let pattern = data.ascii(1 << 20)
        let total = 100 << 20
        var written = 0
        var received = 0
        var mismatch: Int?
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var ended = false
        var shutDown = false
        // A stall fails the test, never hangs the run.
        let deadline = nowMilliseconds() + deadlineMilliseconds
        while !ended, nowMilliseconds() < deadline {
            if written < total {
                let start = written % pattern.count
                let chunk = Swift.min(65_536, pattern.count - start, total - written)
                let sent = pattern[start..<(start + chunk)].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                if sent > 0 { written += sent }
            }
            // TLS 1.2 has no half-close (a close_notify lets the peer drop what it still
            // had to send), so our half ends once everything came back; the daemon sends
            // close_notify, the echo's comes back as the end of the stream.
            if received == total && written == total && !shutDown {
                shutdown(fd, Int32(SHUT_WR))
                shutDown = true
            }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, written < total || (received == total && !shutDown) ? Int32(MSG_DONTWAIT) : 0) }
            if count > 0 {
                for index in 0..<count where mismatch == nil && buffer[index] != pattern[(received + index) % pattern.count] { mismatch = received + index }
                received += count
            } else if count == 0 {
                ended = true
            } else if errno != EAGAIN && errno != EWOULDBLOCK {
                break
            }
        }
        var why = ""
        if !ended, let notification = try? client.rpc.nextNotification(timeoutMilliseconds: 2000), let detached = API.DetachedNotification(notification) {
            why = "\(detached)"
        }
        #expect(ended, "the echo's end came back; errno \(errno); \(why)")
        #expect(received == total)
        #expect(mismatch == nil, "first wrong byte at \(mismatch ?? -1)")
    }
}
