#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import NetSockCellular
import NetSockJSON
import NetSockPOSIX

/// `netsock-modem-sim`: a cellular modem on a pseudo-terminal, for netsockd and for
/// anyone's own AT scripts: the 27.007 core of `ModemModel` with the faults a file asks for.
/// Set by SIGUSR1 (the network detaches) and SIGUSR2 (it deactivates the context).
nonisolated(unsafe) var networkDetachRequested: sig_atomic_t = 0
nonisolated(unsafe) var contextDeactivationRequested: sig_atomic_t = 0

/// `netsock-modem-sim`: a cellular modem on a pseudo-terminal, for netsockd and for
/// anyone's own AT scripts: the 27.007 core of `ModemModel`, the u-blox or Quectel socket
/// commands on this host's kernel sockets, NIDD echoed back, and the faults a file asks for.
struct ModemSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netsock-modem-sim",
        abstract: "A simulated cellular modem on a pseudo-terminal (27.007 core, u-blox or Quectel sockets, NIDD echo, scriptable faults).",
        discussion: """
            Creates a pty and a symlink --link to its device side, which a program (netsockd's `device`, \
            minicom, your script) opens as the modem's serial port. The modem's sockets are this host's \
            kernel sockets; the DNS server it announces (198.51.100.53) is forwarded to --dns. \
            NIDD messages (AT+CSODCP) come back as +CRTDCP. SIGUSR1 makes the network detach the modem \
            (+CGEV: NW DETACH), SIGUSR2 deactivate its context (+CGEV: NW PDN DEACT). The faults file \
            is JSON: {"cme_errors": {"AT+CGATT=1": 30}, "silent": ["AT+COPS"], "registration": [2, 3, 1], \
            "echo": true, "tick_ms": 2000, "late_ms": {"AT+CSQ": 1500}, "inject_urc": "+CEREG: 5", \
            "lose_data_urcs_every": 2, "chunking": true}. `registration` is the <stat> the network gives, \
            one entry per query or tick, the last kept; `chunking` writes replies in random pieces of \
            1 to 16 bytes.
            """)

    @Option(help: "ublox or quectel: the socket commands the modem speaks.") var dialect = "ublox"
    @Option(help: "The symlink to the pty's device side (replaced if it exists).") var link: String
    @Option(help: "The PIN the SIM asks for (none by default).") var pin: String?
    @Option(help: "A JSON file of faults (see above).") var faults: String?
    @Option(help: "Where the operator's DNS (198.51.100.53:53) really is, as HOST:PORT (default: 127.0.0.53:53).") var dns = "127.0.0.53:53"
    @Option(help: "Pace the line at this many bits per second, each way (8N1: 10 bits a byte); 0 for none. 'tty' follows the speed the other side set.")
    var lineRate = "0"
    @Flag(help: "Print the AT trace (secrets masked) to stderr.") var trace = false

    func validate() throws {
        guard ["ublox", "quectel"].contains(self.dialect) else { throw ValidationError("--dialect is ublox or quectel") }
        guard self.lineRate == "tty" || Int(self.lineRate).map({ $0 >= 0 }) == true else { throw ValidationError("--line-rate is a number or tty") }
        guard Self.endpoint(self.dns) != nil else { throw ValidationError("--dns is HOST:PORT") }
    }

    static func endpoint(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        return (String(text[..<colon]), port)
    }

    func run() throws {
        var core = ModemModel.Faults()
        core.pin = self.pin
        var extra = SimulatedModem.Faults()
        var tick: Int64 = 2000
        var chunking = false
        if let path = self.faults {
            let file = try JSONCodec.parse(try FileDescriptorIO.readFile(path, limit: 1 << 20))
            if case .object(let errors)? = file["cme_errors"] {
                for (command, code) in errors { if let code = code.intValue { core.cmeErrors[command] = Int(code) } }
            }
            if case .array(let silent)? = file["silent"] { core.silent = Set(silent.compactMap(\.stringValue)) }
            if case .array(let script)? = file["registration"] { core.registrationScript = script.compactMap { $0.intValue.map(Int.init) } }
            if case .bool(let echo)? = file["echo"] { core.echo = echo }
            if let value = file["tick_ms"]?.intValue, value > 0 { tick = value }
            if case .object(let late)? = file["late_ms"] {
                for (command, delay) in late { if let delay = delay.intValue { extra.lateMilliseconds[command] = Int(delay) } }
            }
            extra.injectedURC = file["inject_urc"]?.stringValue
            if let every = file["lose_data_urcs_every"]?.intValue, every > 0 { extra.loseDataURCsEvery = Int(every) }
            if case .bool(let value)? = file["chunking"] { chunking = value }
        }
        let terminal = try PseudoTerminal(link: self.link)
        signal(SIGUSR1) { _ in networkDetachRequested = 1 }
        signal(SIGUSR2) { _ in contextDeactivationRequested = 1 }
        signal(SIGPIPE, SIG_IGN)
        // Written straight to the descriptor: a script waiting for this line sees it at once.
        let ready = "netsock-modem-sim: \(self.dialect) modem on \(terminal.devicePath) (\(self.link))\n"
        _ = ready.utf8CString.withUnsafeBufferPointer { Glibc.write(1, $0.baseAddress, $0.count - 1) }
        let network = KernelModemNetwork(dnsForward: Self.endpoint(self.dns))
        var modem = SimulatedModem(dialect: self.dialect == "ublox" ? .ublox : .quectel, core: core, faults: extra)
        var line = Line(terminal: terminal, chunking: chunking, trace: self.trace)
        var nextTick = MonotonicClock.milliseconds() + Int(tick)
        while true {
            let now = MonotonicClock.milliseconds()
            line.pace(rate: self.rate(terminal), now: now)
            var descriptors = [pollfd(fd: terminal.controller, events: Int16(line.inputBudget > 0 ? POLLIN : 0), revents: 0)]
            let watched = modem.networkSockets
            for (handle, wantsData) in watched {
                guard let entry = network.sockets[handle] else { continue }
                let events = (wantsData ? POLLIN : 0) | (entry.pending.isEmpty ? 0 : POLLOUT)
                descriptors.append(pollfd(fd: entry.fd, events: Int16(events), revents: 0))
            }
            var wait = Swift.max(0, nextTick - now)
            if let due = modem.held.first?.due { wait = Swift.min(wait, Swift.max(0, Int(due) - now)) }
            if line.isPaced { wait = Swift.min(wait, 5) }
            _ = poll(&descriptors, nfds_t(descriptors.count), Int32(Swift.min(wait, 100)))
            let after = MonotonicClock.milliseconds()
            if networkDetachRequested != 0 {
                networkDetachRequested = 0
                line.send(modem.networkDetach(network: network))
            }
            if contextDeactivationRequested != 0 {
                contextDeactivationRequested = 0
                line.send(modem.deactivate(network: network))
            }
            if descriptors[0].revents & Int16(POLLIN | POLLHUP) != 0 {
                let bytes = terminal.read(maximum: Swift.min(line.inputBudget, 65_536))
                line.received(bytes.count)
                if self.trace, !bytes.isEmpty { FileHandleStandardError.print("modem got " + ATTrace.received(Self.masked(bytes))) }
                line.send(modem.input(bytes, now: Int64(after), network: network))
            }
            for (handle, _) in watched {
                guard let entry = network.sockets[handle] else { continue }
                guard let polled = descriptors.first(where: { $0.fd == entry.fd }) else { continue }
                if polled.revents & Int16(POLLOUT) != 0 { network.flush(handle) }
                guard polled.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 else { continue }
                let room = modem.room(network: handle)
                guard room > 0, let (bytes, from) = network.receive(handle, maximum: room) else { continue }
                if bytes.isEmpty && entry.tcp {
                    line.send(modem.closed(network: handle))
                } else {
                    line.send(modem.delivered(network: handle, bytes, from: from))
                }
            }
            line.send(modem.due(now: Int64(after)))
            if after >= nextTick {
                nextTick = after + Int(tick)
                line.send(modem.tick())
            }
            line.drain(now: after)
        }
    }

    /// Bits per second to pace at, or 0.
    private func rate(_ terminal: PseudoTerminal) -> Int {
        if self.lineRate != "tty" { return Int(self.lineRate) ?? 0 }
        var settings = termios()
        guard tcgetattr(terminal.controller, &settings) == 0 else { return 0 }
        return SerialPort.bitsPerSecond(cfgetospeed(&settings)) ?? 0
    }

    /// The trace never shows a PIN: `AT+CPIN="1234"` is cut at its `=`.
    private static func masked(_ bytes: [UInt8]) -> [UInt8] {
        for secret in ["AT+CPIN=", "AT+CGAUTH="].map({ Array($0.utf8) }) where bytes.count >= secret.count {
            for start in 0...(bytes.count - secret.count) where Array(bytes[start..<start + secret.count]) == secret {
                return Array(bytes[..<(start + secret.count)]) + Array("<masked>".utf8)
            }
        }
        return bytes
    }
}

/// The modem's side of the serial line: what it writes (in random pieces when asked, and
/// no faster than the line rate when paced) and how much it may read now.
struct Line {
    let terminal: PseudoTerminal
    let chunking: Bool
    let trace: Bool
    private var output: [UInt8] = []
    private var random = SystemRandomNumberGenerator()
    /// Bytes each way the line carries per millisecond when paced, and the budgets now.
    private var bytesPerMillisecond = 0.0
    private(set) var inputBudget = Int.max
    private var outputBudget = Double.infinity
    private var inputCredit = 0.0
    private var lastPace = 0

    init(terminal: PseudoTerminal, chunking: Bool, trace: Bool) {
        self.terminal = terminal
        self.chunking = chunking
        self.trace = trace
    }

    var isPaced: Bool { self.bytesPerMillisecond > 0 }

    /// Refills both directions' budgets for the time gone by (8N1: ten bits a byte).
    mutating func pace(rate: Int, now: Int) {
        self.bytesPerMillisecond = Double(rate) / 10_000
        guard self.isPaced else {
            self.inputBudget = .max
            self.outputBudget = .infinity
            return
        }
        let elapsed = Double(now - (self.lastPace == 0 ? now : self.lastPace))
        self.lastPace = now
        // At most 20 ms of line time banked: a pause is not paid back in a burst.
        let cap = self.bytesPerMillisecond * 20
        self.inputCredit = Swift.min(cap, self.inputCredit + elapsed * self.bytesPerMillisecond)
        self.inputBudget = Int(self.inputCredit)
        self.outputBudget = Swift.min(cap, (self.outputBudget.isFinite ? self.outputBudget : 0) + elapsed * self.bytesPerMillisecond)
    }

    mutating func received(_ count: Int) {
        guard self.isPaced else { return }
        self.inputCredit -= Double(count)
        self.inputBudget = Swift.max(0, Int(self.inputCredit))
    }

    mutating func send(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        if self.trace { FileHandleStandardError.print("modem sent " + ATTrace.received(bytes)) }
        self.output += bytes
        self.drain(now: 0)
    }

    /// Writes what the budget allows.
    mutating func drain(now: Int) {
        while !self.output.isEmpty {
            var count = self.output.count
            if self.isPaced { count = Swift.min(count, Int(self.outputBudget)) }
            if self.chunking { count = Swift.min(count, Int.random(in: 1...16, using: &self.random)) }
            guard count > 0 else { return }
            self.terminal.write(Array(self.output.prefix(count)))
            self.output.removeFirst(count)
            if self.isPaced { self.outputBudget -= Double(count) }
        }
    }
}

enum FileHandleStandardError {
    static func print(_ text: String) {
        let line = text + "\n"
        _ = line.utf8CString.withUnsafeBufferPointer { Glibc.write(2, $0.baseAddress, $0.count - 1) }
    }
}

ModemSimCommand.main()
