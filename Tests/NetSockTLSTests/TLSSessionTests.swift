#if canImport(Glibc)
import Glibc
#endif
import NSAPI
import NetSockPOSIX
import NetSockTLS
import NetSockTestSupport
import Testing

/// The test PKI (`Tests/Peers/make_test_certs.sh`), made once per test process.
final class TestPKI: @unchecked Sendable {
    let directory: TemporaryDirectory
    static let shared: TestPKI = {
        do { return try TestPKI() } catch { fatalError("cannot make the test PKI: \(error)") }
    }()

    init() throws {
        self.directory = try TemporaryDirectory("netsock-pki")
        let script = TestPeers.repositoryRoot() + "/Tests/Peers/make_test_certs.sh"
        let result = try Subprocess.run("/bin/sh", [script, self.directory.path], directory: self.directory.path)
        guard result.status == 0 else { throw SubprocessError(description: "make_test_certs.sh: \(result.stderr)") }
    }

    func path(_ name: String) -> String { self.directory.path + "/" + name }
    func text(_ name: String) throws -> String { try readText(self.path(name)) }
}

/// `openssl s_server` on loopback, reversing each line it gets (`-rev`).
final class OpenSSLServer {
    let process: Subprocess
    let port: UInt16

    init(cert: String, key: String, extra: [String] = []) throws {
        let pki = TestPKI.shared
        let process = try Subprocess(
            "/usr/bin/openssl",
            ["s_server", "-accept", "127.0.0.1:0", "-cert", pki.path(cert), "-key", pki.path(key), "-naccept", "1", "-rev"] + extra,
            directory: pki.directory.path)
        self.process = process
        var port: UInt16?
        _ = try waitUntil {
            let text = (try? readText(process.stdoutPath)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("ACCEPT ") }), let colon = line.lastIndex(of: ":") {
                port = UInt16(line[line.index(after: colon)...])
            }
            return port != nil
        }
        guard let port else { throw SubprocessError(description: "s_server did not start: \(self.process.stderr)") }
        self.port = port
    }

    deinit { self.process.terminate() }
}

/// A blocking loopback TCP connection that drives a `TLSSession` by hand.
struct Driver {
    let fd: Int32
    let session: TLSSession

    init(port: UInt16, session: TLSSession) throws {
        self.session = session
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw SubprocessError(description: "connect: \(errno)") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func close() { Glibc.close(self.fd) }

    func flush() {
        self.session.withOutput { bytes in Glibc.send(self.fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
    }

    /// One read from the socket into the session; false at the end.
    func fill() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        let count = buffer.withUnsafeMutableBytes { recv(self.fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else {
            self.session.feedEnd()
            return false
        }
        buffer.withUnsafeBytes { _ = self.session.feed(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        return true
    }

    func handshake() throws(TLSFailure) {
        while true {
            let done = try self.session.handshake()
            self.flush()
            if done { return }
            if !self.fill() { _ = try self.session.handshake() }
        }
    }

    func write(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            offset += try bytes[offset...].withUnsafeBytes { try self.session.write($0) } ?? 0
            self.flush()
        }
    }

    func readLine() throws -> String {
        var line: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !line.contains(10) {
            if let count = try buffer.withUnsafeMutableBytes({ try self.session.read(into: $0) }) {
                if count == 0 { break }
                line += buffer[0..<count]
            } else if !self.fill() {
                break
            }
        }
        return String(decoding: line, as: UTF8.self)
    }
}

@Suite(.serialized) struct TLSSessionTests {
    let pki = TestPKI.shared

    func session(trusting ca: String? = "ca.pem", hostname: String? = "echo.netsock.test") throws -> TLSSession {
        let session = try TLSSession()
        if let ca { try session.addTrustAnchors(pem: try self.pki.text(ca)) }
        if let hostname { try session.setHostname(hostname) }
        return session
    }

    @Test("a handshake with OpenSSL's server, data both ways, and close_notify")
    func talksToOpenSSL() throws {
        let server = try OpenSSLServer(cert: "server.pem", key: "server.key")
        let driver = try Driver(port: server.port, session: try self.session())
        defer { driver.close() }
        try driver.handshake()
        try driver.write("hello, TLS\n")
        #expect(try driver.readLine() == "SLT ,olleh\n")
        driver.session.closeNotify()
        driver.flush()
    }

    static let refusals: [(String, String, String?, String, String)] = [
        ("expired.pem", "expired.key", "ca.pem", "echo.netsock.test", "expired"),
        ("wrong-host.pem", "wrong-host.key", "ca.pem", "echo.netsock.test", "Common Name"),
        ("self-signed.pem", "self-signed.key", "ca.pem", "echo.netsock.test", "not correctly signed"),
        ("untrusted.pem", "untrusted.key", "ca.pem", "echo.netsock.test", "not correctly signed"),
        ("server.pem", "server.key", nil, "echo.netsock.test", "not correctly signed"),
    ]

    @Test("the server's certificate is refused for the reason a person would give", arguments: Self.refusals)
    func refusedCertificates(_ cert: String, _ key: String, _ ca: String?, _ host: String, _ reason: String) throws {
        let server = try OpenSSLServer(cert: cert, key: key)
        let driver = try Driver(port: server.port, session: try self.session(trusting: ca, hostname: host))
        defer { driver.close() }
        let failure = try #require(throws: TLSFailure.self) { try driver.handshake() }
        #expect(failure.kind == .certificate)
        #expect(failure.nsapiError == .authFailure)
        #expect(failure.description.contains(reason), "\(failure.description)")
    }

    @Test("a client certificate satisfies a server that requires one, and its absence does not")
    func clientCertificate() throws {
        let required = ["-Verify", "1", "-CAfile", self.pki.path("ca.pem")]
        let withCert = try OpenSSLServer(cert: "server.pem", key: "server.key", extra: required)
        let session = try self.session()
        try session.setClientCertificate(try self.pki.text("client.pem"), key: try self.pki.text("client.key"))
        let driver = try Driver(port: withCert.port, session: session)
        defer { driver.close() }
        try driver.handshake()
        try driver.write("mutual\n")
        #expect(try driver.readLine() == "lautum\n")

        let without = try OpenSSLServer(cert: "server.pem", key: "server.key", extra: required)
        let bare = try Driver(port: without.port, session: try self.session())
        defer { bare.close() }
        // The server's alert ends the handshake, or the first read after it.
        var refused = false
        do {
            try bare.handshake()
            try bare.write("x\n")
            refused = try bare.readLine().isEmpty
        } catch {
            refused = true
        }
        #expect(refused)
    }

    @Test("a server offering TLS 1.2 and 1.3 is reached with 1.2; a 1.3-only server is refused at the handshake (Mbed TLS 2.28)")
    func protocolVersions() throws {
        let both = try OpenSSLServer(cert: "server.pem", key: "server.key")
        let driver = try Driver(port: both.port, session: try self.session())
        defer { driver.close() }
        try driver.handshake()
        try driver.write("twelve\n")
        #expect(try driver.readLine() == "evlewt\n")

        let only13 = try OpenSSLServer(cert: "server.pem", key: "server.key", extra: ["-tls1_3"])
        let refused = try Driver(port: only13.port, session: try self.session())
        defer { refused.close() }
        let failure = try #require(throws: TLSFailure.self) { try refused.handshake() }
        #expect(failure.kind == .handshake && failure.nsapiError == .authFailure, "\(failure)")
    }

    @Test("bad PEM text is a configuration failure, PARAMETER")
    func badConfiguration() throws {
        let session = try TLSSession()
        for text in ["", "not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"] {
            let failure = try #require(throws: TLSFailure.self) { try session.addTrustAnchors(pem: text) }
            #expect(failure.nsapiError == .parameter)
        }
        #expect(throws: TLSFailure.self) { try session.setClientCertificate(try self.pki.text("client.pem"), key: "-----BEGIN PRIVATE KEY-----\n") }
        try session.addTrustAnchors(directory: "/etc/ssl/certs")
    }

    static let hostileReplies: [[UInt8]] = [
        Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8),
        [0x16, 0x03, 0x03, 0xFF, 0xFF] + [UInt8](repeating: 0x41, count: 200),
        [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28],
        [UInt8](repeating: 0, count: 70_000),
    ]

    @Test("hostile bytes instead of a ServerHello end the handshake with a clear failure, never a hang", arguments: Self.hostileReplies)
    func hostileServerHello(_ bytes: [UInt8]) throws {
        let session = try self.session()
        #expect(try session.handshake() == false)
        #expect(session.hasOutput, "a ClientHello waits to be sent")
        session.withOutput { $0.count }
        var offset = 0
        var outcome: TLSFailure?
        for _ in 0..<100 {
            offset += bytes[offset...].withUnsafeBytes { session.feed($0) }
            if offset == bytes.count { session.feedEnd() }
            do throws(TLSFailure) {
                if try session.handshake() { break }
            } catch {
                outcome = error
                break
            }
        }
        let failure = try #require(outcome)
        #expect(failure.nsapiError == .authFailure)
        #expect(failure.description.contains("handshake"))
    }

    @Test("the transport ending mid-handshake is a failure, not a wait")
    func truncatedHandshake() throws {
        let session = try self.session()
        #expect(try session.handshake() == false)
        let partial: [UInt8] = [0x16, 0x03, 0x03, 0x00, 0x40, 0x02]
        partial.withUnsafeBytes { _ = session.feed($0) }
        #expect(try session.handshake() == false)
        session.feedEnd()
        #expect(throws: TLSFailure.self) { try session.handshake() }
    }
}
