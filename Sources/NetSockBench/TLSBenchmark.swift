#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import NetSockClient
import NetSockJSON
import NetSockPOSIX
import NetSockRPC

/// `netsock-bench tls`: TLS through the daemon (Mbed TLS on a kernel TCP socket) beside
/// OpenSSL's own client against the same `openssl s_server`, in one run: new handshakes
/// per second (ours over JSON-RPC, OpenSSL's `s_time -new`), and a bulk download
/// through an attached descriptor beside `s_client`. Both sides speak TLS 1.2 with the
/// server's choice of suite, for an ECDSA P-256 certificate from the test PKI.
struct TLSBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls", abstract: "TLS handshakes/s and bulk MB/s through netsockd, beside openssl s_time and s_client to the same server.")

    @Option(help: "Seconds of handshakes per side.") var seconds = 3.0
    @Option(help: "Megabytes downloaded per side.") var megabytes = 256
    @Option(help: "Runs per figure; the median is shown.") var rounds = 3
    @Option(help: "The test PKI script (run from the repository).") var pkiScript = "Tests/Peers/make_test_certs.sh"
    @Option(help: "The netsockd binary (default: beside this one).") var netsockd: String?

    func run() throws {
        let directory = try makeTemporaryDirectory()
        defer { _ = try? timedShell("rm -rf '\(directory)'") }
        _ = try timedShell("/bin/sh '\(self.pkiScript)' '\(directory)' > /dev/null")
        let size = self.megabytes << 20
        try writeRandomFile(directory + "/bulk", bytes: size)
        let server = try OpenSSLWebServer(directory: directory)
        defer { server.stop() }
        let daemon = try DaemonProcess(binary: self.netsockd ?? siblingExecutable("netsockd"), socket: directory + "/netsockd.sock")
        defer { daemon.stop() }
        let client = try RPCClient(path: directory + "/netsockd.sock")
        let ca = String(decoding: try FileDescriptorIO.readFile(directory + "/ca.pem"), as: UTF8.self)

        print("netsock-bench tls: openssl s_server -WWW on 127.0.0.1:\(server.port), TLS 1.2, ECDSA P-256; median of \(self.rounds)")
        func median(_ body: () throws -> Double) rethrows -> Double {
            let values = try (0..<self.rounds).map { _ in try body() }.sorted()
            return values[values.count / 2]
        }
        let ours = try median { try self.handshakes(client, port: server.port, ca: ca) }
        let theirs = try median { try self.sTime(port: server.port, directory: directory) }
        let downloadOurs = try median { Double(size) / 1e6 / (try self.download(client, port: server.port, ca: ca, expected: size)) }
        let downloadTheirs = try median { Double(size) / 1e6 / (try self.sClientDownload(port: server.port, directory: directory)) }
        printTable(
            ["measure", "netsockd (Mbed TLS)", "openssl client", "of openssl"],
            [
                ["new handshakes/s", format(ours), format(theirs), format1(ours / theirs * 100) + " %"],
                ["bulk download \(self.megabytes) MB, MB/s", format1(downloadOurs), format1(downloadTheirs), format1(downloadOurs / downloadTheirs * 100) + " %"],
            ])
    }

    /// open, trust, connect (the handshake), close, for `seconds`; per second.
    private func handshakes(_ client: RPCClient, port: Int, ca: String) throws -> Double {
        let start = MonotonicClock.nanoseconds()
        let end = start + UInt64(self.seconds * 1e9)
        var count = 0
        while MonotonicClock.nanoseconds() < end {
            let socket = try client.call(API.SocketOpen(protocol: .tls, interface: "lo")).socket
            _ = try client.call(API.SocketSetRootCACert(socket: socket, pem: ca))
            _ = try client.call(API.SocketSetHostname(socket: socket, hostname: "localhost"))
            _ = try client.call(API.SocketConnect(socket: socket, address: "127.0.0.1", port: port))
            _ = try client.call(API.SocketClose(socket: socket))
            count += 1
        }
        return Double(count) / (Double(MonotonicClock.nanoseconds() - start) / 1e9)
    }

    /// `openssl s_time -new -tls1_2`: its "N connections in T real seconds".
    private func sTime(port: Int, directory: String) throws -> Double {
        let output = directory + "/s_time.out"
        _ = try timedShell("openssl s_time -connect 127.0.0.1:\(port) -new -tls1_2 -time \(Int(self.seconds.rounded(.up))) > '\(output)' 2>&1")
        let text = String(decoding: try FileDescriptorIO.readFile(output), as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.contains("connections in") && $0.contains("real seconds") }) else {
            throw BenchError("s_time said: \(text)")
        }
        let words = line.split(separator: " ")
        guard let connections = Double(words[0]), let index = words.firstIndex(of: "in"), index + 1 < words.count,
            let elapsed = Double(words[index + 1]), elapsed > 0
        else { throw BenchError("cannot read s_time's line: \(line)") }
        return connections / elapsed
    }

    /// GET /bulk through an attached TLS socket; seconds from connect to the last byte.
    private func download(_ client: RPCClient, port: Int, ca: String, expected: Int) throws -> Double {
        let start = MonotonicClock.nanoseconds()
        let socket = try client.call(API.SocketOpen(protocol: .tls, interface: "lo")).socket
        _ = try client.call(API.SocketSetRootCACert(socket: socket, pem: ca))
        _ = try client.call(API.SocketSetHostname(socket: socket, hostname: "localhost"))
        _ = try client.call(API.SocketConnect(socket: socket, address: "127.0.0.1", port: port))
        let (_, fd) = try client.attach(socket: socket)
        defer {
            close(fd)
            _ = try? client.call(API.SocketClose(socket: socket))
        }
        let request = Array("GET /bulk HTTP/1.0\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else {
            throw BenchError("cannot send the request")
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 18)
        var total = 0
        while case let count = buffer.withUnsafeMutableBytes({ recv(fd, $0.baseAddress, $0.count, 0) }), count > 0 { total += count }
        guard total >= expected else { throw BenchError("downloaded \(total) of \(expected) bytes") }
        return Double(MonotonicClock.nanoseconds() - start) / 1e9
    }

    /// The same GET through `openssl s_client -quiet` (which waits for the server's close).
    private func sClientDownload(port: Int, directory: String) throws -> Double {
        try timedShell(
            "printf 'GET /bulk HTTP/1.0\\r\\n\\r\\n' | openssl s_client -quiet -tls1_2 -connect 127.0.0.1:\(port) "
                + "-CAfile '\(directory)/ca.pem' -verify_hostname localhost > /dev/null 2>&1")
    }
}

/// `openssl s_server -WWW` serving the files of `directory`, one connection at a time.
final class OpenSSLWebServer {
    let pid: pid_t
    let port: Int

    init(directory: String) throws {
        let log = directory + "/s_server.out"
        let command = "cd '\(directory)' && exec openssl s_server -accept 127.0.0.1:0 -cert server.pem -key server.key -WWW > '\(log)' 2>&1"
        var pid: pid_t = 0
        let words: [String] = ["/bin/sh", "-c", command]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        guard posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ) == 0 else { throw BenchError("cannot start openssl s_server") }
        self.pid = pid
        for _ in 0..<500 {
            let text = String(decoding: (try? FileDescriptorIO.readFile(log)) ?? [], as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("ACCEPT ") }), let colon = line.lastIndex(of: ":"),
                let port = Int(line[line.index(after: colon)...])
            {
                self.port = port
                return
            }
            usleep(10_000)
        }
        kill(pid, SIGTERM)
        throw BenchError("openssl s_server did not start")
    }

    func stop() {
        kill(self.pid, SIGTERM)
        var status: Int32 = 0
        waitpid(self.pid, &status, 0)
    }
}
