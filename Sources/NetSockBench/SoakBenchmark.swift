#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import NetSockClient
import NetSockJSON
import NetSockPOSIX
import Synchronization

/// `netsock-bench soak`: many hostile clients at once while one well-behaved client
/// measures its round trips, beside the same client's round trips on the quiet daemon
/// in the same run. Fails (exit 1) when the daemon dies, the well-behaved client gets
/// an error, or descriptors are still held after every hostile client has gone.
struct SoakBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Hostile clients against netsockd while a well-behaved client measures its latency.")

    @Option(help: "Seconds of attack.")
    var seconds: Double = 60

    @Option(help: "Seconds the well-behaved client measures the quiet daemon first (the reference).")
    var quietSeconds: Double = 5

    @Option(help: "Hostile clients running at once (each a thread playing round after round).")
    var attackers: Int = 24

    @Option(name: .customLong("round"), help: "Play only these rounds (repeatable; default: every kind, \(HostileClient.allCases.map(\.rawValue).joined(separator: ", "))).")
    var only: [String] = []

    @Option(help: "Seed for the choice of rounds (printed, so a run can be replayed).")
    var seed: UInt64?

    @Option(help: "The netsockd binary (default: beside this one).")
    var netsockd: String?

    @Flag(help: "Print the results as JSON as well.")
    var json = false

    func validate() throws {
        for name in self.only where HostileClient(rawValue: name) == nil { throw ValidationError("no round named \(name)") }
    }

    func run() throws {
        let kinds = self.only.isEmpty ? HostileClient.allCases : self.only.compactMap(HostileClient.init(rawValue:))
        let seed = self.seed ?? UInt64(MonotonicClock.nanoseconds())
        let directory = try makeTemporaryDirectory()
        defer { removeTree(directory) }
        let udpEcho = try DatagramPeer.echo()
        let dns = try DatagramPeer.dns()
        let tcpEcho = try LoopbackPeers(.echo)
        let tcpSource = try LoopbackPeers(.source)
        defer {
            udpEcho.stop()
            dns.stop()
            tcpEcho.stop()
            tcpSource.stop()
        }
        let configPath = directory + "/netsockd.json"
        let config: JSONValue = [
            "control": ["admin_group": .null],
            "dns": ["servers": [.string("127.0.0.1:\(dns.port)")], "use_resolv_conf": false, "timeout_ms": 300, "attempts": 1],
            "interfaces": ["lo": ["type": "loopback", "stack": "kernel", "device": "lo"]],
        ]
        try FileDescriptorIO.writeFile(configPath, JSONCodec.encode(config))
        let target = SoakTarget(
            socketPath: directory + "/netsockd.sock", udpEcho: udpEcho.port, tcpEcho: tcpEcho.port, tcpSource: tcpSource.port)
        let daemon = try DaemonProcess(binary: self.netsockd ?? siblingExecutable("netsockd"), socket: target.socketPath, config: configPath)
        var daemonStopped = false
        defer { if !daemonStopped { daemon.stop() } }

        print("netsock-bench soak: \(self.attackers) hostile clients for \(self.seconds) s, seed \(seed)")
        let bystander = try Bystander(target)
        let quiet = try bystander.measure(until: HostileClient.deadline(UInt64(self.quietSeconds * 1000)))
        guard let before = ProcessStatus(pid: daemon.pid) else { throw BenchError("netsockd died before the attack") }

        let stop = Atomic<Bool>(false)
        let rounds = Mutex([HostileClient: Int]())
        let failedValid = Atomic<Int>(0)
        let firstValidFailure = Mutex<String?>(nil)
        let threads = (0..<self.attackers).map { index in
            spawn {
                // Hostile clients run at the lowest priority, so that the figure shows how
                // the daemon shares itself among clients, not how the attackers' own CPU
                // work (building megabytes of requests) crowds out the daemon on a small machine.
                DedicatedThread.setCurrentThreadNice(19)
                var random = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9)
                var played: [HostileClient: Int] = [:]
                while !stop.load(ordering: .relaxed) {
                    let round = kinds.randomElement(using: &random)!
                    if let failure = round.play(target, &random) {
                        failedValid.add(1, ordering: .relaxed)
                        firstValidFailure.withLock { first in first = first ?? failure }
                    }
                    played[round, default: 0] += 1
                }
                rounds.withLock { total in total.merge(played, uniquingKeysWith: +) }
            }
        }
        let attacked = try bystander.measure(until: HostileClient.deadline(UInt64(self.seconds * 1000)))
        stop.store(true, ordering: .relaxed)
        for thread in threads { pthread_join(thread, nil) }

        // Every hostile connection is closed now; what the daemon still holds for them
        // goes once it has seen the hang-ups and its DNS queries have timed out.
        var after = ProcessStatus(pid: daemon.pid)
        let settle = HostileClient.deadline(30_000)
        while let now = after, now.descriptors > before.descriptors, MonotonicClock.nanoseconds() < settle {
            usleep(50_000)
            after = ProcessStatus(pid: daemon.pid)
        }
        let stillAnswers = (try? bystander.measure(until: HostileClient.deadline(500)).failures) == 0
        daemonStopped = true
        let cleanExit = daemon.stop()

        let report = SoakReport(
            seed: seed, seconds: self.seconds, attackers: self.attackers, quiet: quiet, attacked: attacked,
            rounds: rounds.withLock { $0 }, failedValidRounds: failedValid.load(ordering: .relaxed),
            firstValidFailure: firstValidFailure.withLock { $0 },
            before: before, after: after, stillAnswers: stillAnswers, cleanExit: cleanExit)
        report.print(json: self.json)
        guard report.passed else { throw ExitCode.failure }
    }
}

/// The well-behaved client: `daemon.info`, then a UDP echo through a daemon socket, in
/// turn, one at a time, each timed.
final class Bystander {
    struct Latencies {
        var samples: [UInt64] = []
        var failures = 0
        var firstFailure: String?

        func percentile(_ fraction: Double) -> Double {
            guard !self.samples.isEmpty else { return 0 }
            let sorted = self.samples.sorted()
            return Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]) / 1e6
        }
        var worst: Double { Double(self.samples.max() ?? 0) / 1e6 }
    }

    private let client: RPCClient
    private let socket: Int
    private let echoPort: Int

    init(_ target: SoakTarget) throws {
        self.client = try RPCClient(path: target.socketPath)
        self.socket = try self.client.call(API.SocketOpen(protocol: .udp, interface: "lo")).socket
        _ = try self.client.call(API.SocketSetTimeout(socket: self.socket, timeoutMs: 30_000))
        self.echoPort = target.udpEcho
    }

    func measure(until deadline: UInt64) throws -> Latencies {
        var latencies = Latencies()
        var turn = 0
        while MonotonicClock.nanoseconds() < deadline {
            turn += 1
            let start = MonotonicClock.nanoseconds()
            do {
                if turn % 2 == 0 {
                    guard try self.client.call(API.DaemonInfo()).apiVersion == 1 else { throw BenchError("daemon.info: wrong answer") }
                } else {
                    let text = "round \(turn)"
                    _ = try self.client.call(API.SocketSendTo(socket: self.socket, address: "127.0.0.1", port: self.echoPort, text: text))
                    let echo = try self.client.call(API.SocketRecvFrom(socket: self.socket, size: 100, encoding: .text))
                    guard echo.data == text else { throw BenchError("UDP echo: wrong answer \(echo)") }
                }
            } catch {
                latencies.failures += 1
                if latencies.firstFailure == nil { latencies.firstFailure = "\(error)" }
                if case ClientError.disconnected = error { break }
                continue
            }
            latencies.samples.append(MonotonicClock.nanoseconds() - start)
        }
        return latencies
    }
}

/// What a soak found, printed as a table (and JSON).
struct SoakReport {
    var seed: UInt64
    var seconds: Double
    var attackers: Int
    var quiet: Bystander.Latencies
    var attacked: Bystander.Latencies
    var rounds: [HostileClient: Int]
    var failedValidRounds: Int
    var firstValidFailure: String?
    var before: ProcessStatus
    var after: ProcessStatus?
    var stillAnswers: Bool
    var cleanExit: Bool

    var descriptorsLeaked: Bool { (self.after?.descriptors ?? Int.max) > self.before.descriptors }
    var passed: Bool {
        self.quiet.failures == 0 && self.attacked.failures == 0 && self.failedValidRounds == 0 && !self.descriptorsLeaked && self.stillAnswers && self.cleanExit
    }

    func print(json: Bool) {
        let roundsPlayed = self.rounds.values.reduce(0, +)
        Swift.print("hostile rounds played: \(format(Double(roundsPlayed))) (" + HostileClient.allCases.map { "\($0.rawValue) \(self.rounds[$0] ?? 0)" }.joined(separator: ", ") + ")")
        Swift.print("valid-traffic rounds that got a wrong answer or an error: \(self.failedValidRounds) of \(self.rounds[.validTraffic] ?? 0)")
        if let failure = self.firstValidFailure { Swift.print("first failed valid-traffic round: \(failure)") }
        printTable(
            ["well-behaved client, round trip", "under attack", "quiet daemon (reference)"],
            [
                ["round trips", format(Double(self.attacked.samples.count)), format(Double(self.quiet.samples.count))],
                ["median, ms", format2(self.attacked.percentile(0.5)), format2(self.quiet.percentile(0.5))],
                ["99th percentile, ms", format2(self.attacked.percentile(0.99)), format2(self.quiet.percentile(0.99))],
                ["worst, ms", format2(self.attacked.worst), format2(self.quiet.worst)],
                ["errors", String(self.attacked.failures), String(self.quiet.failures)],
            ])
        let after = self.after
        printTable(
            ["daemon", "before the attack", "after it"],
            [
                ["resident memory, MiB", format1(Double(self.before.residentBytes) / 1_048_576), after.map { format1(Double($0.residentBytes) / 1_048_576) } ?? "died"],
                ["peak resident memory, MiB", format1(Double(self.before.peakResidentBytes) / 1_048_576), after.map { format1(Double($0.peakResidentBytes) / 1_048_576) } ?? "died"],
                ["open descriptors", String(self.before.descriptors), after.map { String($0.descriptors) } ?? "died"],
            ])
        if let failure = self.attacked.firstFailure ?? self.quiet.firstFailure { Swift.print("first error of the well-behaved client: \(failure)") }
        if !self.stillAnswers { Swift.print("the daemon no longer answers after the attack") }
        if !self.cleanExit { Swift.print("the daemon did not exit cleanly on SIGTERM") }
        Swift.print(self.passed ? "soak passed" : "soak FAILED")
        guard json else { return }
        var rounds = JSONObject()
        for round in HostileClient.allCases { rounds[round.rawValue] = JSONValue(self.rounds[round] ?? 0) }
        let document: JSONValue = [
            "seed": .string(String(self.seed)), "seconds": .double(self.seconds), "attackers": JSONValue(self.attackers),
            "rounds": .object(rounds), "failed_valid_rounds": JSONValue(self.failedValidRounds),
            "attacked": Self.json(self.attacked), "quiet": Self.json(self.quiet),
            "before": Self.json(self.before), "after": self.after.map(Self.json) ?? .null, "passed": .bool(self.passed),
        ]
        Swift.print(JSONCodec.encodeString(document, style: .pretty))
    }

    static func json(_ latencies: Bystander.Latencies) -> JSONValue {
        [
            "round_trips": JSONValue(latencies.samples.count), "median_ms": .double(latencies.percentile(0.5)),
            "p99_ms": .double(latencies.percentile(0.99)), "worst_ms": .double(latencies.worst), "errors": JSONValue(latencies.failures),
        ]
    }

    static func json(_ status: ProcessStatus) -> JSONValue {
        ["resident_bytes": JSONValue(status.residentBytes), "peak_resident_bytes": JSONValue(status.peakResidentBytes), "descriptors": JSONValue(status.descriptors)]
    }
}

func format2(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    let fraction = abs(hundredths % 100)
    return "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + String(fraction)
}
