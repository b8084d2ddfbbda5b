#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CNetSockLinux
import NSAPI
import NetSockJSON
import NetSockPOSIX
import NetSockStack
import NetSockWire
import Synchronization

/// `netsock-bench ip-tcp`: our TCP over a TAP device with the Linux kernel as its peer,
/// beside the kernel talking to itself over a veth pair, the raw TAP frame ceiling and
/// lwIP (Debian's liblwip over its own TAP, `contrib/lwip-reference`), all measured in
/// one run with the same kernel client. With `--verify-bytes` it is the correctness
/// harness instead: exact transfers each way, our stack as server and as client, over
/// TAP or a veth pair, optionally through injected faults, compared by SHA-256.
struct IPTCPBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ip-tcp",
        abstract: "TCP throughput and round trips through our ip stack over TAP, beside kernel-over-veth, the raw TAP ceiling and lwIP (root).")

    @Option(help: "Seconds per measurement.") var seconds = 3.0
    @Option(help: "Measurements per figure; the median is shown.") var rounds = 3
    @Option(help: "The lwIP harness binary (contrib/lwip-reference); its row is skipped when missing.") var lwip = ".build/lwip_tap_sink"
    @Option(help: "Verify instead of measuring: bytes per transfer, each way, compared by SHA-256.") var verifyBytes = 0
    @Option(help: "Our stack's link: tap, or veth (AF_PACKET on a veth pair).") var link = "tap"
    @Option(help: "Injected loss per frame on our side (each way).") var drop = 0.0
    @Option(help: "Injected reordering chance.") var reorder = 0.0
    @Option(help: "Injected duplication chance.") var duplicate = 0.0
    @Option(help: "Injected delay of received frames, ms.") var delayMs = 0
    @Option(help: "Offloads for our stack's link: tso (checksum and segmentation, the default), checksum, or none.") var offload = "tso"
    @Flag(help: "Also print the figures as JSON.") var json = false

    private var offloads: LinkOffloads {
        get throws {
            switch self.offload {
            case "tso": return [.checksum, .tcpSegmentation]
            case "checksum": return .checksum
            case "none": return []
            default: throw BenchError("--offload is tso, checksum or none")
            }
        }
    }

    func run() throws {
        guard geteuid() == 0 else { throw BenchError("netsock-bench ip-tcp needs root: it builds network namespaces and TAP devices") }
        let network = try BenchNetwork()
        defer { network.remove() }
        var faults = LinkFaults()
        faults.dropChance = self.drop
        faults.reorderChance = self.reorder
        faults.duplicateChance = self.duplicate
        faults.delay = .milliseconds(Int64(self.delayMs))
        if self.verifyBytes > 0 {
            return try self.verify(network, faults: faults == LinkFaults() ? nil : faults)
        }
        try self.measure(network)
    }

    // MARK: Verification

    private func verify(_ network: BenchNetwork, faults: LinkFaults?) throws {
        let driver = try StackTCPDriver(network: network, kind: self.link == "veth" ? .veth : .tap, faults: faults, offloads: try self.offloads)
        print("netsock-bench ip-tcp --verify-bytes \(self.verifyBytes) over \(self.link), offloads: \(driver.offloadDescription), faults: drop \(self.drop), reorder \(self.reorder), duplicate \(self.duplicate), delay \(self.delayMs) ms")
        var failed = false
        for (name, result) in [
            ("kernel client -> our server", driver.kernelSendsToUs(bytes: self.verifyBytes, verify: true)),
            ("our server -> kernel client", driver.weSendToKernelClient(bytes: self.verifyBytes, verify: true)),
            ("our client -> kernel server", driver.weConnectAndSend(bytes: self.verifyBytes)),
            ("kernel server -> our client", driver.weConnectAndReceive(bytes: self.verifyBytes)),
        ] {
            let ok = result.sent.digest == result.received.digest && result.sent.bytes == self.verifyBytes
                && result.received.bytes == self.verifyBytes && result.sent.error == nil && result.received.error == nil
            failed = failed || !ok
            let rate = Double(result.received.bytes) * 8 / 1e9 / Swift.max(result.received.seconds, 1e-9)
            print("\(ok ? "OK  " : "FAIL") \(name): sent \(result.sent.bytes) sha256 \(result.sent.digest), received \(result.received.bytes) sha256 \(result.received.digest), \(format2(rate)) Gbit/s, retransmitted \(result.retransmitted) segments\(result.sent.error.map { ", sender: \($0)" } ?? "")\(result.received.error.map { ", receiver: \($0)" } ?? "")")
        }
        if failed { throw BenchError("a transfer did not arrive intact") }
    }

    // MARK: Measurement

    private func measure(_ network: BenchNetwork) throws {
        let overVeth = self.link == "veth"
        let driver = try StackTCPDriver(network: network, kind: overVeth ? .veth : .tap, faults: nil, offloads: try self.offloads)
        let lwip = LWIPReference(binary: self.lwip, network: network)
        print("netsock-bench ip-tcp: \(self.seconds) s per measurement, median of \(self.rounds); the kernel client is the same for every column; MTU 1500; our \(overVeth ? "AF_PACKET" : "TAP") offloads: \(driver.offloadDescription)")
        if lwip == nil { print("lwIP: \(self.lwip) not found (make lwip-reference builds it); its column is empty") }
        func median(_ body: () -> Double) -> Double { AttachBenchmark.median((0..<self.rounds).map { _ in body() }) }
        var rows: [[String]] = []
        var results: [JSONValue] = []
        func row(_ name: String, _ key: String, ours: Double, kernel: Double, raw: Double?, lwip: Double?, unit: (Double) -> String) {
            rows.append([name, unit(ours), unit(kernel), raw.map(unit) ?? "-", lwip.map(unit) ?? "-", lwip.map { format2(ours / $0) } ?? "-"])
            var entry: JSONObject = ["measure": .string(key), "ip_stack": .double(ours), "kernel_veth": .double(kernel)]
            if let raw { entry["raw_tap"] = .double(raw) }
            if let lwip { entry["lwip"] = .double(lwip) }
            results.append(.object(entry))
        }
        let gbit = { (value: Double) in format2(value) }
        let toUs = median { driver.kernelSendsToUs(seconds: self.seconds).received.gigabits }
        let toKernel = median { driver.kernelVeth(job: .send(bytes: nil, seconds: self.seconds)).gigabits }
        // The raw TAP ceilings bound a TAP link only.
        let rawIn = overVeth ? nil : median { driver.rawTAPReceiveCeiling(seconds: Swift.min(self.seconds, 2)) }
        let toLWIP = lwip.map { lwip in median { lwip.kernelClient(.send(bytes: nil, seconds: self.seconds), port: 5001).gigabits } }
        row("kernel -> stack, Gbit/s", "to_stack_gbit", ours: toUs, kernel: toKernel, raw: rawIn, lwip: toLWIP, unit: gbit)
        let fromUs = median { driver.weSendToKernelClient(seconds: self.seconds).received.gigabits }
        let fromKernel = median { driver.kernelVeth(job: .receive(seconds: self.seconds)).gigabits }
        let rawOut = overVeth ? nil : median { driver.rawTAPSendCeiling(seconds: Swift.min(self.seconds, 2)) }
        let fromLWIP = lwip.map { lwip in median { lwip.kernelClient(.receive(seconds: self.seconds), port: 5003).gigabits } }
        row("stack -> kernel, Gbit/s", "from_stack_gbit", ours: fromUs, kernel: fromKernel, raw: rawOut, lwip: fromLWIP, unit: gbit)
        let rr = median { driver.roundTrips(seconds: self.seconds) }
        let rrKernel = median { Double(driver.kernelVeth(job: .pingPong(seconds: self.seconds)).roundTrips) / self.seconds }
        let rrLWIP = lwip.map { lwip in median { Double(lwip.kernelClient(.pingPong(seconds: self.seconds), port: 5002).roundTrips) / self.seconds } }
        row("1-byte request/response, round trips/s", "round_trips_per_s", ours: rr, kernel: rrKernel, raw: nil, lwip: rrLWIP, unit: { String(Int($0.rounded())) })
        printTable(["measure", overVeth ? "ip stack over veth (AF_PACKET)" : "ip stack over TAP", "kernel over veth", "raw TAP ceiling", "lwIP over TAP", "ip / lwIP"], rows)
        if self.json { print(JSONCodec.encodeString(.array(results), style: .pretty)) }
    }
}

extension TransferEnd {
    var gigabits: Double { Double(self.bytes) * 8 / 1e9 / Swift.max(self.seconds, 1e-9) }
}
