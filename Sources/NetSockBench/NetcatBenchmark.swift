#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import NetSockPOSIX

/// `netsock-bench netcat`: `netsockctl tcp connect` moving a file through a TCP echo
/// peer and back, beside `socat` doing the same on the same run; both outputs are
/// checked byte for byte against the input.
struct NetcatBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netcat", abstract: "MB/s of netsockctl tcp connect through an echo peer, beside socat on the same run.")

    @Option(help: "Megabytes to move.")
    var megabytes: Int = 100

    func run() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeTree(directory) }
        let socketPath = directory + "/netsockd.sock"
        let daemon = try DaemonProcess(binary: siblingExecutable("netsockd"), socket: socketPath)
        defer { daemon.stop() }
        let echo = try LoopbackPeers(.echo)
        defer { echo.stop() }

        let input = directory + "/input"
        try writeRandomFile(input, bytes: self.megabytes << 20)
        let ctl = siblingExecutable("netsockctl")
        let ours = try timed(
            "\(ctl) -s \(socketPath) --timeout 600 tcp connect 127.0.0.1 \(echo.port) < \(input) > \(directory)/ours", input: input,
            output: directory + "/ours")
        let json = try timed(
            "\(ctl) -s \(socketPath) --timeout 600 tcp connect --no-fd 127.0.0.1 \(echo.port) < \(input) > \(directory)/json", input: input,
            output: directory + "/json")
        let socat = try timed(
            "socat -b 262144 -t 600 - TCP:127.0.0.1:\(echo.port) < \(input) > \(directory)/socat", input: input,
            output: directory + "/socat")
        print("netsock-bench netcat: \(self.megabytes) MiB through a kernel TCP echo peer on 127.0.0.1 and back, checked byte for byte")
        let size = Double(self.megabytes << 20) / 1e6
        printTable(
            ["tool", "seconds", "MB/s each way", "of socat"],
            [
                ["netsockctl tcp connect (attached descriptor)", format1(ours), format1(size / ours), format1(socat / ours * 100) + " %"],
                ["netsockctl tcp connect --no-fd (JSON)", format1(json), format1(size / json), format1(socat / json * 100) + " %"],
                ["socat (direct kernel TCP)", format1(socat), format1(size / socat), "100.0 %"],
            ])
    }

    /// Runs `command` with /bin/sh, returns seconds, and checks the output equals the input.
    private func timed(_ command: String, input: String, output: String) throws -> Double {
        let seconds = try timedShell(command)
        guard try sameContents(input, output) else { throw BenchError("\(command): output differs from input") }
        return seconds
    }
}

/// Runs `command` with /bin/sh to its end; the seconds it took. A failure throws.
func timedShell(_ command: String) throws -> Double {
    let start = MonotonicClock.nanoseconds()
    var pid: pid_t = 0
    let words: [String] = ["/bin/sh", "-c", command]
    let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    guard posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ) == 0 else { throw BenchError("cannot run \(command)") }
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    let seconds = Double(MonotonicClock.nanoseconds() - start) / 1e9
    guard status == 0 else { throw BenchError("\(command) failed with status \(status)") }
    return seconds
}

func writeRandomFile(_ path: String, bytes: Int) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw BenchError("cannot create \(path)") }
    defer { close(fd) }
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    var written = 0
    while written < bytes {
        for index in stride(from: 0, to: chunk.count, by: 8) {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            withUnsafeBytes(of: state) { raw in
                for offset in 0..<8 { chunk[index + offset] = raw[offset] }
            }
        }
        let count = min(chunk.count, bytes - written)
        guard FileDescriptorIO.writeAll(fd, chunk[0..<count]) else { throw BenchError("cannot write \(path)") }
        written += count
    }
}

func sameContents(_ a: String, _ b: String) throws -> Bool {
    let first = open(a, O_RDONLY)
    let second = open(b, O_RDONLY)
    defer {
        close(first)
        close(second)
    }
    guard first >= 0, second >= 0 else { return false }
    var left = [UInt8](repeating: 0, count: 1 << 20)
    var right = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let count = left.withUnsafeMutableBytes { read(first, $0.baseAddress, $0.count) }
        guard count >= 0 else { return false }
        guard readExactly(second, count, into: &right) else { return false }
        if count == 0 {
            var extra: UInt8 = 0
            return read(second, &extra, 1) == 0
        }
        if left[0..<count] != right[0..<count] { return false }
    }
}
