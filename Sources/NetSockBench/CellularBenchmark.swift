#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import NetSockClient
import NetSockJSON
import NetSockPOSIX
import NetSockRPC

/// `netsock-bench cellular`: payload through the `modem` stack (AT sockets over a serial
/// line) beside the line's own rate, in one run. `netsock-modem-sim` paces its pty at the
/// baud rate netsockd sets on it (8N1: ten bits a byte, each way), so the line rate is the
/// ceiling; the figure is how much of it TCP payload gets after the AT framing.
struct CellularBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cellular", abstract: "TCP payload through the modem stack at 115200 and 921600 baud, beside the serial line rate.")

    @Option(help: "Baud rates to measure.") var baud: [Int] = [115_200, 921_600]
    @Option(help: "Seconds of line time per transfer.") var seconds = 5.0
    @Option(help: "ublox or quectel.") var dialect = "ublox"
    @Option(help: "The netsockd binary (default: beside this one).") var netsockd: String?
    @Option(help: "The netsock-modem-sim binary (default: beside this one).") var simulator: String?

    func run() throws {
        let directory = try makeTemporaryDirectory()
        defer { _ = try? timedShell("rm -rf '\(directory)'") }
        print("netsock-bench cellular: \(self.dialect) sockets over netsock-modem-sim, the pty paced at the baud rate netsockd sets (8N1)")
        var rows: [[String]] = []
        for baud in self.baud {
            let lineRate = Double(baud) / 10
            let bytes = Int(lineRate * self.seconds)
            let (download, upload) = try self.measure(baud: baud, bytes: bytes, directory: directory)
            rows.append([
                "\(baud)", format(lineRate), format(download), format1(download / lineRate * 100) + " %", format(upload),
                format1(upload / lineRate * 100) + " %",
            ])
        }
        printTable(["baud", "line B/s (each way)", "download B/s", "of line", "upload B/s", "of line"], rows)
    }

    private func measure(baud: Int, bytes: Int, directory: String) throws -> (Double, Double) {
        let link = directory + "/modem-\(baud)"
        let simulator = try SimulatorProcess(
            binary: self.simulator ?? siblingExecutable("netsock-modem-sim"),
            arguments: ["--dialect", self.dialect, "--link", link, "--line-rate", "tty"], link: link)
        defer { simulator.stop() }
        let config = directory + "/netsockd-\(baud).json"
        let text = """
            {"control": {"admin_group": null}, "dns": {"servers": [], "use_resolv_conf": false},
             "interfaces": {"cell0": {"type": "cellular", "stack": "modem", "device": "\(link)", "dialect": "\(self.dialect)",
                                      "apn": "internet", "baud": \(baud), "connect_timeout_ms": 120000}}}
            """
        try FileDescriptorIO.writeFile(config, Array(text.utf8))
        let socketPath = directory + "/netsockd-\(baud).sock"
        let daemon = try DaemonProcess(binary: self.netsockd ?? siblingExecutable("netsockd"), socket: socketPath, config: config)
        defer { daemon.stop() }
        let client = try RPCClient(path: socketPath)
        _ = try client.call(API.InterfaceConnect(interface: "cell0"), timeoutMilliseconds: 120_000)
        let download = try self.transfer(client, bytes: bytes, download: true)
        let upload = try self.transfer(client, bytes: bytes, download: false)
        return (Double(bytes) / download, Double(bytes) / upload)
    }

    /// Seconds to move `bytes` of payload one way through an attached modem TCP socket,
    /// from the connect's end to the last byte (download) or to the peer's receipt (upload).
    private func transfer(_ client: RPCClient, bytes: Int, download: Bool) throws -> Double {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length)
                return getsockname(listener, pointer, &length)
            }
        }
        listen(listener, 1)
        defer { close(listener) }
        let port = Int(UInt16(bigEndian: address.sin_port))
        // The peer: sends the bytes and closes (download), or takes them and answers one byte (upload).
        let peer = spawn {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            defer { close(connection) }
            var buffer = [UInt8](repeating: 0x5A, count: 65_536)
            var moved = 0
            while moved < bytes {
                let count = buffer.withUnsafeMutableBytes { raw in
                    download ? send(connection, raw.baseAddress, min(raw.count, bytes - moved), Int32(MSG_NOSIGNAL)) : recv(connection, raw.baseAddress, raw.count, 0)
                }
                if count <= 0 { return }
                moved += count
            }
            if !download { _ = send(connection, "!", 1, Int32(MSG_NOSIGNAL)) }
        }
        defer { pthread_join(peer, nil) }
        let socket = try client.call(API.SocketOpen(protocol: .tcp, interface: "cell0")).socket
        _ = try client.call(API.SocketConnect(socket: socket, address: "127.0.0.1", port: port), timeoutMilliseconds: 60_000)
        let (_, fd) = try client.attach(socket: socket)
        defer {
            close(fd)
            _ = try? client.call(API.SocketClose(socket: socket))
        }
        let start = MonotonicClock.nanoseconds()
        var buffer = [UInt8](repeating: 0x5A, count: 65_536)
        if download {
            var total = 0
            while total < bytes, case let count = buffer.withUnsafeMutableBytes({ recv(fd, $0.baseAddress, $0.count, 0) }), count > 0 { total += count }
            guard total >= bytes else { throw BenchError("downloaded \(total) of \(bytes) bytes") }
        } else {
            var sent = 0
            while sent < bytes {
                let count = buffer.withUnsafeBytes { send(fd, $0.baseAddress, min($0.count, bytes - sent), Int32(MSG_NOSIGNAL)) }
                guard count > 0 else { throw BenchError("upload stopped after \(sent) bytes") }
                sent += count
            }
            guard buffer.withUnsafeMutableBytes({ recv(fd, $0.baseAddress, 1, 0) }) == 1 else { throw BenchError("no receipt from the peer") }
        }
        return Double(MonotonicClock.nanoseconds() - start) / 1e9
    }
}

/// `netsock-modem-sim` for a benchmark: started, and waited for until its link exists.
final class SimulatorProcess {
    let pid: pid_t

    init(binary: String, arguments: [String], link: String) throws {
        var pid: pid_t = 0
        let argv = ([binary] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        defer { posix_spawn_file_actions_destroy(&actions) }
        guard posix_spawn(&pid, binary, &actions, nil, argv, environ) == 0 else { throw BenchError("cannot start \(binary)") }
        self.pid = pid
        for _ in 0..<500 {
            if access(link, F_OK) == 0 { return }
            usleep(10_000)
        }
        self.stop()
        throw BenchError("netsock-modem-sim did not make \(link)")
    }

    func stop() {
        kill(self.pid, SIGTERM)
        var status: Int32 = 0
        waitpid(self.pid, &status, 0)
    }
}
