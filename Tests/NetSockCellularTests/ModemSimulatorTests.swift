#if canImport(Glibc)
import Glibc
#endif
import NetSockCellular
import NetSockPOSIX
import NetSockStack
import NetSockTestSupport
import Testing

/// `netsock-modem-sim` as a user runs it: a pty behind a symlink, opened as a serial
/// port, and the daemon's connect sequence over it in real time.
@Suite struct ModemSimulatorTests {
    @Test("the connect sequence reaches connected over the simulator's pty, with a PIN and a registration script")
    func connectsOverThePty() throws {
        let directory = try TemporaryDirectory("netsock-modem-sim")
        let link = directory.path + "/modem"
        let faults = directory.path + "/faults.json"
        try writeFile(faults, Array(#"{"registration": [2, 1], "echo": true, "tick_ms": 200}"#.utf8))
        let simulator = try Subprocess(
            BuiltProducts.directory + "/netsock-modem-sim", ["--dialect", "quectel", "--link", link, "--pin", "4321", "--faults", faults, "--trace"],
            directory: directory.path)
        defer { simulator.terminate() }
        #expect(try waitUntil { simulator.stdout.contains("netsock-modem-sim: quectel modem on /dev/pts/") })
        let fd = open(link, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        #expect(fd >= 0, "open \(link): \(errno)")
        guard fd >= 0 else { return }
        defer { close(fd) }
        var settings = termios()
        tcgetattr(fd, &settings)
        cfmakeraw(&settings)
        tcsetattr(fd, TCSANOW, &settings)

        var machine = CellularStateMachine(settings: CellularStateMachine.Settings(pin: "4321", apn: "internet"))
        var channel = ATChannel(urcPrefixes: ["+CEREG:", "+CGREG:", "+CGEV:"])
        func now() -> Instant { Instant(microseconds: Int64(MonotonicClock.nanoseconds() / 1000)) }
        var outputs: [CellularStateMachine.Output] = []
        func take(_ new: [CellularStateMachine.Output]) {
            for output in new {
                outputs.append(output)
                if case .send(let command) = output {
                    let (bytes, _) = channel.send(command, at: now())
                    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                }
            }
        }
        take(machine.start(at: now()))
        let deadline = MonotonicClock.milliseconds() + 20_000
        var buffer = [UInt8](repeating: 0, count: 4096)
        while machine.state != .connected, machine.state != .failed, MonotonicClock.milliseconds() < deadline {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&entry, 1, 50)
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            var new: [CellularStateMachine.Output] = []
            if count > 0 {
                for event in channel.receive(buffer[0..<count], at: now()) { new += machine.handle(event, at: now()) }
            }
            if let event = channel.poll(at: now()) { new += machine.handle(event, at: now()) }
            new += machine.poll(at: now())
            take(new)
        }
        #expect(machine.state == .connected, "\(outputs.suffix(5))")
        #expect(outputs.contains { if case .connected(_, let address) = $0 { address == "198.51.100.11" } else { false } })
        simulator.terminate()
        // The trace masks the PIN.
        #expect(simulator.stderr.contains("AT+CPIN=<masked>"), "\(simulator.stderr.prefix(2000))")
        #expect(!simulator.stderr.contains("4321"))
    }
}
