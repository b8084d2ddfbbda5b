#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import NetSockClient
import NetSockJSON
import NetSockPOSIX
import NetSockRPC

/// `netsock-bench rpc`: JSON-RPC round trips per second for a trivial method
/// (`daemon.whoami` by default) through a real netsockd, beside the raw Unix-socket
/// ceiling measured in the same run.
struct RPCBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc", abstract: "Round trips/s of a method without params (daemon.whoami), 1 and 16 clients, pipelined and not, beside a raw Unix-socket ceiling.")

    @Option(help: "Seconds per scenario.")
    var duration: Double = 3

    @Option(help: "Requests kept in flight per client in the pipelined scenarios.")
    var window: Int = 32

    @Option(help: "The method called, one that takes no params.")
    var method = API.DaemonWhoAmI.name

    @Option(help: "The netsockd binary (default: beside this one).")
    var netsockd: String?

    @Flag(help: "Print the results as JSON as well.")
    var json = false

    func run() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeTree(directory) }
        let daemonPath = directory + "/netsockd.sock"
        let binary = self.netsockd ?? siblingExecutable("netsockd")
        let daemon = try DaemonProcess(binary: binary, socket: daemonPath)
        defer { daemon.stop() }

        let request = JSONCodec.encode(RPCRequest(method: self.method, id: 1).json) + [0x0A]
        // The ceiling replies with bytes of exactly the daemon's reply size.
        let sample = try RPCClient(path: daemonPath).call(self.method)
        let replySize = JSONCodec.encode(RPCResponse(id: 1, result: sample).json).count + 1
        let ceilingPath = directory + "/ceiling.sock"
        let ceiling = try LineReplyServer(path: ceilingPath, reply: [UInt8](repeating: 0x20, count: replySize - 1) + [0x0A])
        defer { ceiling.stop() }

        let scenarios: [(String, Int, Int)] = [
            ("1 client, ping-pong", 1, 1), ("1 client, pipelined x\(self.window)", 1, self.window),
            ("16 clients, ping-pong", 16, 1), ("16 clients, pipelined x\(self.window)", 16, self.window),
        ]
        var rows: [[String]] = []
        var results: [JSONValue] = []
        print("netsock-bench rpc: \(self.method), request \(request.count) B, reply \(replySize) B, \(self.duration) s per scenario")
        for (name, clients, window) in scenarios {
            let measured = try LoadGenerator.run(path: daemonPath, request: request, clients: clients, window: window, seconds: self.duration)
            let reference = try LoadGenerator.run(path: ceilingPath, request: request, clients: clients, window: window, seconds: self.duration)
            let ratio = measured.perSecond / reference.perSecond
            rows.append([name, format(measured.perSecond), format(reference.perSecond), String(format1(ratio * 100)) + " %"])
            results.append([
                "scenario": .string(name), "clients": JSONValue(clients), "window": JSONValue(window),
                "netsockd_per_second": .double(measured.perSecond.rounded()), "ceiling_per_second": .double(reference.perSecond.rounded()),
            ])
        }
        printTable(["scenario", "netsockd req/s", "raw socket ceiling req/s", "of ceiling"], rows)
        if self.json { print(JSONCodec.encodeString(.array(results), style: .pretty)) }
    }
}

/// A netsockd started for the benchmark on a private socket.
final class DaemonProcess {
    let pid: pid_t

    /// Without `config`, the daemon runs on its embedded default.
    init(binary: String, socket: String, config: String? = nil) throws {
        var pid: pid_t = 0
        let arguments = [binary, "--socket", socket, "--log-level", "warning"] + (config.map { ["--config", $0] } ?? [])
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let status = posix_spawn(&pid, binary, nil, nil, argv, environ)
        guard status == 0 else { throw ValidationError("cannot start \(binary): \(String(cString: strerror(status)))") }
        self.pid = pid
        for _ in 0..<500 {
            if let client = try? RPCClient(path: socket), (try? client.call(API.DaemonInfo(), timeoutMilliseconds: 1000)) != nil { return }
            usleep(10_000)
        }
        throw ValidationError("netsockd did not start")
    }

    /// Stops the daemon; true when it was still running and exited cleanly.
    @discardableResult
    func stop() -> Bool {
        kill(self.pid, SIGTERM)
        var status: Int32 = 0
        guard waitpid(self.pid, &status, 0) == self.pid else { return false }
        return status == 0
    }
}

func siblingExecutable(_ name: String) -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard count > 0 else { return name }
    let path = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]) + "/" + name
}

func makeTemporaryDirectory() throws -> String {
    var template = Array("/tmp/netsock-bench.XXXXXX".utf8CString)
    guard let path = mkdtemp(&template) else { throw ValidationError("mkdtemp failed") }
    return String(cString: path)
}

func removeTree(_ path: String) {
    guard let directory = opendir(path) else { return }
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name != "." && name != ".." { unlink(path + "/" + name) }
    }
    closedir(directory)
    rmdir(path)
}

func format(_ value: Double) -> String {
    let rounded = Int(value.rounded())
    var text = String(rounded)
    var index = text.count - 3
    while index > 0 {
        text.insert(",", at: text.index(text.startIndex, offsetBy: index))
        index -= 3
    }
    return text
}

func format1(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(abs(tenths % 10))"
}

func printTable(_ header: [String], _ rows: [[String]]) {
    let all = [header] + rows
    let widths = (0..<header.count).map { column in all.map { $0[column].count }.max() ?? 0 }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { index, cell in
            index == 0 ? cell + String(repeating: " ", count: widths[index] - cell.count)
                : String(repeating: " ", count: widths[index] - cell.count) + cell
        }.joined(separator: " | ")
    }
    print("| " + line(header) + " |")
    print("|" + widths.enumerated().map { index, width in index == 0 ? String(repeating: "-", count: width + 2) : String(repeating: "-", count: width + 1) + ":" }.joined(separator: "|") + "|")
    for row in rows { print("| " + line(row) + " |") }
}
