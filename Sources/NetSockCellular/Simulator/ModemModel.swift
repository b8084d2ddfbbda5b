import NSAPI

/// The 27.007 core of `netsock-modem-sim`, as a pure model: a command line in, the
/// modem's reply bytes out, with the SIM, registration, attach and PDP contexts a real
/// modem keeps, and the faults a test asks for. The simulator puts it on a pty; the
/// tests drive it directly, against the daemon's own `CellularStateMachine`.
public struct ModemModel: Sendable {
    /// What goes wrong, on purpose.
    public struct Faults: Sendable, Equatable {
        /// `+CME ERROR: <n>` instead of the reply, by command prefix (`AT+CGATT=1`: 30).
        public var cmeErrors: [String: Int] = [:]
        /// Commands (by prefix) that get no reply at all.
        public var silent: Set<String> = []
        /// The registration the network gives, one entry per registration query or
        /// tick, the last one kept: searching → denied → home, say.
        public var registrationScript: [Int] = [1]
        /// The PIN the SIM wants (nil: no PIN); three wrong tries lock it (PUK).
        public var pin: String?
        /// The modem echoes commands (ATE1, as it starts).
        public var echo = true

        public init() {}
    }

    public var faults: Faults
    public private(set) var echo: Bool
    private var cmee = 0
    private var functionality = 0
    private var pinEntered = false
    private var pinTries = 3
    private var eregMode = 0
    private var gregMode = 0
    private var registrationStep = 0
    private var attached = false
    private var contexts: [Int: (type: String, apn: String)] = [1: ("IP", "ims")]
    private var active: Set<Int> = []
    private var addressBase = 9
    /// URCs produced by `tick` or network events, waiting to be read.
    public private(set) var pendingURCs: [String] = []

    public init(faults: Faults = Faults()) {
        self.faults = faults
        self.echo = faults.echo
    }

    /// The current registration `<stat>` by the script.
    public var registrationStatus: Int {
        let script = self.faults.registrationScript.isEmpty ? [1] : self.faults.registrationScript
        return script[Swift.min(self.registrationStep, script.count - 1)]
    }

    /// The reply to one command line (without its CR), as bytes; empty when silent.
    public mutating func reply(to line: String) -> [UInt8] {
        let command = String(line.trimmingBlanks)
        var out = self.echo ? command + "\r" : ""
        guard let (lines, final) = self.answer(to: command) else { return Array(out.utf8) }
        for line in lines { out += "\r\n" + line + "\r\n" }
        out += "\r\n" + final + "\r\n"
        return Array(out.utf8)
    }

    /// The information lines and final result for one command (no echo); nil when the
    /// faults make the modem say nothing.
    public mutating func answer(to command: String) -> (lines: [String], final: String)? {
        if self.faults.silent.contains(where: { command.hasPrefix($0) }) { return nil }
        if let code = self.faults.cmeErrors.first(where: { command.hasPrefix($0.key) })?.value {
            return ([], self.errorFinal(cme: code))
        }
        return self.execute(command)
    }

    /// Contexts the network has activated (sockets and NIDD need one).
    public var activeContexts: Set<Int> { self.active }

    /// An error under the current `+CMEE` mode, for the simulator's other commands.
    public func errorLine(cme code: Int) -> String { self.errorFinal(cme: code) }

    /// The network acts: the next registration step, with its URC when reporting is on.
    public mutating func tick() -> [UInt8] {
        self.registrationStep += 1
        var out = ""
        if self.eregMode > 0 { out += "\r\n" + self.registrationURC(prefix: "+CEREG:", mode: self.eregMode) + "\r\n" }
        return Array(out.utf8)
    }

    /// The network detaches the modem (`+CGEV: NW DETACH`).
    public mutating func networkDetach() -> [UInt8] {
        self.attached = false
        self.active.removeAll()
        return Array("\r\n+CGEV: NW DETACH\r\n".utf8)
    }

    /// The network deactivates a context (`+CGEV: NW PDN DEACT <cid>`).
    public mutating func deactivate(_ cid: Int) -> [UInt8] {
        self.active.remove(cid)
        return Array("\r\n+CGEV: NW PDN DEACT \(cid)\r\n".utf8)
    }

    // MARK: Commands

    private mutating func execute(_ command: String) -> (lines: [String], final: String) {
        let upper = command.uppercased()
        switch upper {
        case "AT": return ([], "OK")
        case "ATE0":
            self.echo = false
            return ([], "OK")
        case "ATE1":
            self.echo = true
            return ([], "OK")
        case "AT+CSQ": return (["+CSQ: 20,99"], "OK")
        // A test IMEI (the GSMA's example range) and the network's name.
        case "AT+CGSN": return (["356938035643809"], "OK")
        case "AT+CGMI": return (["netsock"], "OK")
        case "AT+CGMM": return (["netsock-modem-sim"], "OK")
        case "AT+COPS?": return (self.registered ? ["+COPS: 0,0,\"netsock sim\",7"] : ["+COPS: 0"], "OK")
        case "AT+CPIN?":
            if self.pinTries == 0 { return (["+CPIN: SIM PUK"], "OK") }
            return ([self.faults.pin != nil && !self.pinEntered ? "+CPIN: SIM PIN" : "+CPIN: READY"], "OK")
        case "AT+CEREG?": return ([self.registrationReply(prefix: "+CEREG:", mode: self.eregMode)], "OK")
        case "AT+CGREG?": return ([self.registrationReply(prefix: "+CGREG:", mode: self.gregMode)], "OK")
        case "AT+CGATT?": return (["+CGATT: \(self.attached ? 1 : 0)"], "OK")
        case "AT+CGACT?": return (self.contexts.keys.sorted().map { "+CGACT: \($0),\(self.active.contains($0) ? 1 : 0)" }, "OK")
        case "AT+CGDCONT?":
            return (self.contexts.keys.sorted().map { "+CGDCONT: \($0),\"\(self.contexts[$0]!.type)\",\"\(self.contexts[$0]!.apn)\",\"0.0.0.0\",0,0" }, "OK")
        default: break
        }
        guard let equals = command.firstIndex(of: "=") else { return ([], self.errorFinal(cme: 4)) }
        let name = command[..<equals].uppercased()
        let fields = ATFields.split(String(command[command.index(after: equals)...]))
        switch name {
        case "AT+CMEE":
            self.cmee = Int(fields.first ?? "") ?? 0
            return ([], "OK")
        case "AT+CFUN":
            self.functionality = Int(fields.first ?? "") ?? 0
            return ([], "OK")
        case "AT+CPIN":
            guard let pin = self.faults.pin, !self.pinEntered, self.pinTries > 0 else { return ([], self.errorFinal(cme: 3)) }
            if fields.first == pin {
                self.pinEntered = true
                return ([], "OK")
            }
            self.pinTries -= 1
            return ([], self.errorFinal(cme: 16))
        case "AT+CEREG":
            self.eregMode = Int(fields.first ?? "") ?? 0
            return ([], "OK")
        case "AT+CGREG":
            self.gregMode = Int(fields.first ?? "") ?? 0
            return ([], "OK")
        case "AT+CGATT":
            guard self.registered else { return ([], self.errorFinal(cme: 30)) }
            self.attached = fields.first == "1"
            return ([], "OK")
        case "AT+CGDCONT":
            guard let cid = Int(fields.first ?? ""), (1...15).contains(cid) else { return ([], self.errorFinal(cme: 50)) }
            if fields.count == 1 {
                self.contexts[cid] = nil
            } else {
                self.contexts[cid] = (fields.count > 1 ? fields[1] : "IP", fields.count > 2 ? fields[2] : "")
            }
            return ([], "OK")
        case "AT+CGAUTH":
            return ([], "OK")
        case "AT+CGACT":
            guard fields.count == 2, let cid = Int(fields[1]), self.contexts[cid] != nil else { return ([], self.errorFinal(cme: 50)) }
            guard self.attached else { return ([], self.errorFinal(cme: 148)) }
            if fields[0] == "1" { self.active.insert(cid) } else { self.active.remove(cid) }
            return ([], "OK")
        case "AT+CGCONTRDP":
            guard let cid = Int(fields.first ?? ""), self.active.contains(cid), let context = self.contexts[cid] else { return ([], self.errorFinal(cme: 50)) }
            return (["+CGCONTRDP: \(cid),5,\"\(context.apn)\",\"\(self.address(cid)).255.255.255.0\",\"198.51.100.1\",\"198.51.100.53\",\"198.51.100.54\""], "OK")
        case "AT+CGPADDR":
            guard let cid = Int(fields.first ?? ""), self.contexts[cid] != nil else { return ([], self.errorFinal(cme: 50)) }
            return (["+CGPADDR: \(cid),\"\(self.active.contains(cid) ? self.address(cid) : "0.0.0.0")\""], "OK")
        default:
            return ([], self.errorFinal(cme: 4))
        }
    }

    private var registered: Bool { self.registrationStatus == 1 || self.registrationStatus == 5 }

    /// Each query of the registration moves the script one step on, as time would.
    private mutating func registrationReply(prefix: String, mode: Int) -> String {
        defer { self.registrationStep += 1 }
        let body = self.registrationURC(prefix: prefix, mode: mode).dropFirst(prefix.count + 1)
        return "\(prefix) \(mode),\(body)"
    }

    private func registrationURC(prefix: String, mode: Int) -> String {
        let stat = self.registrationStatus
        guard mode >= 2 else { return "\(prefix) \(stat)" }
        return "\(prefix) \(stat),\"1A2B\",\"01A2B3C4\",7"
    }

    private func address(_ cid: Int) -> String { "198.51.100.\(self.addressBase + cid)" }

    /// An error as the modem writes it under the current `+CMEE` mode.
    private func errorFinal(cme code: Int) -> String {
        switch self.cmee {
        case 1: return "+CME ERROR: \(code)"
        case 2: return "+CME ERROR: \(Self.cmeText[code] ?? "unknown")"
        default: return "ERROR"
        }
    }


    static let cmeText: [Int: String] = [
        3: "operation not allowed", 4: "operation not supported", 10: "SIM not inserted", 14: "SIM busy", 16: "incorrect password",
        30: "no network service", 50: "incorrect parameters", 148: "unspecified GPRS error", 149: "PDP authentication failure",
    ]
}
