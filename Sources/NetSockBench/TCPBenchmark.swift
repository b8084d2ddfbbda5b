#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import NetSockClient
import NetSockJSON
import NetSockPOSIX
import NetSockRPC

/// `netsock-bench tcp`: TCP through the daemon's sockets (send/recv over JSON-RPC)
/// beside the same traffic on a direct kernel TCP loopback socket, in one run.
struct TCPBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tcp", abstract: "TCP echo round trips/s and bulk MB/s through netsockd, beside direct kernel TCP loopback.")

    @Option(help: "Seconds per scenario.")
    var duration: Double = 3

    @Option(help: "Echo payload in bytes.")
    var echoSize: Int = 64

    @Option(help: "Bytes per send/recv call in the bulk scenarios.")
    var chunk: Int = 65536

    @Option(help: "Requests in flight in the bulk scenarios.")
    var window: Int = 8

    @Option(help: "The netsockd binary (default: beside this one).")
    var netsockd: String?

    func run() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeTree(directory) }
        let path = directory + "/netsockd.sock"
        let daemon = try DaemonProcess(binary: self.netsockd ?? siblingExecutable("netsockd"), socket: path)
        defer { daemon.stop() }
        let echo = try LoopbackPeers(.echo)
        let discard = try LoopbackPeers(.discard)
        let source = try LoopbackPeers(.source)
        defer { [echo, discard, source].forEach { $0.stop() } }

        print("netsock-bench tcp: kernel stack, interface lo, \(self.duration) s per scenario")
        var rows: [[String]] = []
        let echoDaemon = try self.echoThroughDaemon(path, port: echo.port)
        let echoDirect = try self.echoDirect(port: echo.port)
        rows.append(["echo \(self.echoSize) B, round trips/s", format(echoDaemon), format(echoDirect), format1(echoDaemon / echoDirect * 100) + " %"])
        let upDaemon = try self.uploadThroughDaemon(path, port: discard.port)
        let upDirect = try self.uploadDirect(port: discard.port)
        rows.append(["bulk send, MB/s", format1(upDaemon), format1(upDirect), format1(upDaemon / upDirect * 100) + " %"])
        let downDaemon = try self.downloadThroughDaemon(path, port: source.port)
        let downDirect = try self.downloadDirect(port: source.port)
        rows.append(["bulk recv, MB/s", format1(downDaemon), format1(downDirect), format1(downDaemon / downDirect * 100) + " %"])
        printTable(["scenario", "netsockd (JSON-RPC)", "direct kernel TCP", "of direct"], rows)
    }

    private var deadline: UInt64 { MonotonicClock.nanoseconds() + UInt64(self.duration * 1e9) }

    private func openConnected(_ client: RPCClient, port: Int) throws -> Int {
        let socket = try client.call(API.SocketOpen(protocol: .tcp, interface: "lo")).socket
        _ = try client.call(API.SocketConnect(socket: socket, address: "127.0.0.1", port: port))
        return socket
    }

    // MARK: Echo

    private func echoThroughDaemon(_ path: String, port: Int) throws -> Double {
        let client = try RPCClient(path: path)
        let socket = try self.openConnected(client, port: port)
        let send = API.SocketSend(socket: socket, data: ByteEncoding.base64([UInt8](repeating: 0x42, count: self.echoSize)))
        let start = MonotonicClock.nanoseconds()
        let end = self.deadline
        var count = 0
        while MonotonicClock.nanoseconds() < end {
            _ = try client.call(send)
            var received = 0
            while received < self.echoSize {
                received += try client.call(API.SocketRecv(socket: socket, size: self.echoSize - received)).size
            }
            count += 1
        }
        return Double(count) / (Double(MonotonicClock.nanoseconds() - start) / 1e9)
    }

    private func echoDirect(port: Int) throws -> Double {
        let fd = try connectLoopback(port)
        defer { close(fd) }
        let payload = [UInt8](repeating: 0x42, count: self.echoSize)
        var buffer = [UInt8](repeating: 0, count: self.echoSize)
        let start = MonotonicClock.nanoseconds()
        let end = self.deadline
        var count = 0
        while MonotonicClock.nanoseconds() < end {
            guard writeAll(fd, payload), readExactly(fd, self.echoSize, into: &buffer) else { break }
            count += 1
        }
        return Double(count) / (Double(MonotonicClock.nanoseconds() - start) / 1e9)
    }

    // MARK: Bulk

    /// Keeps `window` requests in flight and sums what each reply reports. Requests are
    /// encoded once and sent with only their id changed, so the figure is the daemon's.
    private func pipelined<Method: APIMethod>(_ client: RPCClient, _ call: Method, bytes: (JSONValue) throws -> Int) throws -> Double {
        // The request's text without its closing brace, then `,"id":N}` per request.
        var head = JSONCodec.encode(call.request(id: nil).json)
        head.removeLast()
        let start = MonotonicClock.nanoseconds()
        let end = self.deadline
        var total = 0
        var outstanding = 0
        var next: Int64 = 1_000_000
        while true {
            while outstanding < self.window && MonotonicClock.nanoseconds() < end {
                try client.sendRaw(head + Array(#","id":\#(next)}"#.utf8) + [0x0A])
                next += 1
                outstanding += 1
            }
            guard outstanding > 0 else { break }
            let reply = try client.readMessage(deadline: nil)
            if reply["id"] != nil {
                outstanding -= 1
                total += try bytes(reply["result"] ?? .null)
            }
        }
        return Double(total) / 1e6 / (Double(MonotonicClock.nanoseconds() - start) / 1e9)
    }

    private func uploadThroughDaemon(_ path: String, port: Int) throws -> Double {
        let client = try RPCClient(path: path)
        let socket = try self.openConnected(client, port: port)
        let send = API.SocketSend(socket: socket, data: ByteEncoding.base64([UInt8](repeating: 0x61, count: self.chunk)))
        return try self.pipelined(client, send, bytes: { try API.SocketSend.read($0).sent })
    }

    private func downloadThroughDaemon(_ path: String, port: Int) throws -> Double {
        let client = try RPCClient(path: path)
        let socket = try self.openConnected(client, port: port)
        let receive = API.SocketRecv(socket: socket, size: self.chunk)
        return try self.pipelined(client, receive, bytes: { try API.SocketRecv.read($0).size })
    }

    private func uploadDirect(port: Int) throws -> Double {
        let fd = try connectLoopback(port)
        defer { close(fd) }
        let payload = [UInt8](repeating: 0x61, count: self.chunk)
        let start = MonotonicClock.nanoseconds()
        let end = self.deadline
        var total = 0
        while MonotonicClock.nanoseconds() < end, writeAll(fd, payload) { total += payload.count }
        return Double(total) / 1e6 / (Double(MonotonicClock.nanoseconds() - start) / 1e9)
    }

    private func downloadDirect(port: Int) throws -> Double {
        let fd = try connectLoopback(port)
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: self.chunk)
        let start = MonotonicClock.nanoseconds()
        let end = self.deadline
        var total = 0
        while MonotonicClock.nanoseconds() < end {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            total += count
        }
        return Double(total) / 1e6 / (Double(MonotonicClock.nanoseconds() - start) / 1e9)
    }
}
