/// The whole simulated modem as bytes in and bytes out: the host's command lines (and the
/// raw payloads after a prompt) in, replies and URCs out, with the 27.007 core of
/// `ModemModel`, the sockets of `ModemSocketModel` on a `ModemNetwork`, NIDD echoed back,
/// and the faults of a test. Pure; `netsock-modem-sim` does the I/O and the clock.
public struct SimulatedModem {
    public struct Faults: Sendable {
        /// Replies to these commands (by prefix) come this many milliseconds late.
        public var lateMilliseconds: [String: Int] = [:]
        /// A URC put inside every response that has information lines, before its final result.
        public var injectedURC: String?
        /// Every `n`th data URC is lost (0: none).
        public var loseDataURCsEvery = 0
        public init() {}
    }

    public private(set) var core: ModemModel
    public private(set) var sockets: ModemSocketModel
    public var faults: Faults
    private var line: [UInt8] = []
    private var payload: (pending: ModemSocketModel.PendingPayload, bytes: [UInt8])?
    /// Output held back by a late-reply fault, and when it may go; what follows waits behind it.
    public private(set) var held: [(due: Int64, bytes: [UInt8])] = []
    /// Lines the host sent, for the trace.
    public private(set) var commands: [String] = []

    public init(dialect: ModemSocketModel.Dialect, core: ModemModel.Faults, faults: Faults = Faults()) {
        self.core = ModemModel(faults: core)
        self.sockets = ModemSocketModel(dialect: dialect)
        self.sockets.loseDataURCsEvery = faults.loseDataURCsEvery
        self.faults = faults
    }

    /// Bytes from the host at `now` (ms): what to write back now. Held output comes from `due`.
    public mutating func input(_ bytes: some Sequence<UInt8>, now: Int64, network: any ModemNetwork) -> [UInt8] {
        var out: [UInt8] = []
        for byte in bytes {
            if let (pending, held) = self.payload {
                var collected = held
                collected.append(byte)
                if collected.count < pending.length {
                    self.payload = (pending, collected)
                    continue
                }
                self.payload = nil
                let (lines, final) = self.sockets.payload(collected, for: pending, network: network)
                out += self.emit(self.framed(lines: lines, final: final), command: "", now: now)
                continue
            }
            if byte == 13 || byte == 10 {
                guard !self.line.isEmpty else { continue }
                let command = String(decoding: self.line, as: UTF8.self)
                self.line.removeAll(keepingCapacity: true)
                out += self.run(command, now: now, network: network)
            } else if self.line.count < 4096 {
                self.line.append(byte)
            }
        }
        return out
    }

    /// Held output whose time has come.
    public mutating func due(now: Int64) -> [UInt8] {
        var out: [UInt8] = []
        while let first = self.held.first, first.due <= now {
            out += first.bytes
            self.held.removeFirst()
        }
        return out
    }

    private mutating func run(_ text: String, now: Int64, network: any ModemNetwork) -> [UInt8] {
        let command = String(text.drop { $0 == " " })
        self.commands.append(command)
        let echo = self.core.echo ? Array((command + "\r").utf8) : []
        if let (cid, message) = ControlPlaneData.sent(command) {
            // The network's NIDD application echoes each message back.
            guard self.core.activeContexts.contains(cid) else { return echo + self.emit(self.framed(lines: [], final: self.core.errorLine(cme: 3)), command: command, now: now) }
            return echo + self.emit(self.framed(lines: [], final: "OK") + Self.urc(ControlPlaneData.report(contextID: cid, message)), command: command, now: now)
        }
        if command.uppercased().hasPrefix("AT+CRTDCP=") { return echo + self.emit(self.framed(lines: [], final: "OK"), command: command, now: now) }
        let contextActive = !self.core.activeContexts.isEmpty
        if !self.core.faults.silent.contains(where: { command.hasPrefix($0) }) {
            switch self.sockets.execute(command, network: network, contextActive: contextActive) {
            case .notMine: break
            case .reply(let lines, let final): return echo + self.emit(self.framed(lines: lines, final: final), command: command, now: now)
            case .raw(let bytes): return echo + self.emit(self.inject(into: bytes), command: command, now: now)
            case .replyThenURCs(let lines, let final, let urcs):
                return echo + self.emit(self.framed(lines: lines, final: final) + urcs.flatMap(Self.urc), command: command, now: now)
            case .prompt(let pending):
                let prompt = Array((self.sockets.dialect == .ublox ? "@" : "\r\n> ").utf8)
                guard pending.length > 0 else {
                    // Nothing to wait for: the send is answered at once.
                    let (lines, final) = self.sockets.payload([], for: pending, network: network)
                    return echo + prompt + self.emit(self.framed(lines: lines, final: final), command: command, now: now)
                }
                self.payload = (pending, [])
                return echo + prompt
            }
        }
        guard let (lines, final) = self.core.answer(to: command) else { return echo }
        return echo + self.emit(self.framed(lines: lines, final: final), command: command, now: now)
    }

    /// A response's bytes, with the injected URC before its final result when it has lines.
    private func framed(lines: [String], final: String) -> [UInt8] {
        var out = ""
        for line in lines { out += "\r\n" + line + "\r\n" }
        if !lines.isEmpty, let urc = self.faults.injectedURC { out += "\r\n" + urc + "\r\n" }
        out += "\r\n" + final + "\r\n"
        return Array(out.utf8)
    }

    private func inject(into raw: [UInt8]) -> [UInt8] {
        guard let urc = self.faults.injectedURC else { return raw }
        let final = Array("\r\nOK\r\n".utf8)
        guard raw.count >= final.count, Array(raw.suffix(final.count)) == final else { return raw }
        return Array(raw.dropLast(final.count)) + Self.urc(urc) + final
    }

    /// Output now, or held when a late fault names the command (or something is held already).
    private mutating func emit(_ bytes: [UInt8], command: String, now: Int64) -> [UInt8] {
        let late = self.faults.lateMilliseconds.first { !command.isEmpty && command.hasPrefix($0.key) }?.value
        if late == nil && self.held.isEmpty { return bytes }
        let due = Swift.max(now + Int64(late ?? 0), self.held.last?.due ?? now)
        self.held.append((due, bytes))
        return []
    }

    static func urc(_ line: String) -> [UInt8] { Array("\r\n\(line)\r\n".utf8) }

    // MARK: The network

    /// How much the socket behind `network` takes now (see `ModemSocketModel.room`).
    public func room(network: Int) -> Int { self.sockets.room(network: network) }

    public var networkSockets: [(network: Int, wantsData: Bool)] { self.sockets.networkSockets }

    public mutating func delivered(network: Int, _ bytes: [UInt8], from: (host: String, port: Int)?) -> [UInt8] {
        self.sockets.delivered(network: network, bytes, from: from).map(Self.urc) ?? []
    }

    public mutating func closed(network: Int) -> [UInt8] { self.sockets.closed(network: network).map(Self.urc) ?? [] }

    /// The registration moves on (see `ModemModel.tick`).
    public mutating func tick() -> [UInt8] { self.core.tick() }

    /// `+CGEV: NW DETACH` and the dialect's own word that the sockets' context is gone.
    public mutating func networkDetach(network: any ModemNetwork) -> [UInt8] {
        let cids = self.core.activeContexts
        var out = self.core.networkDetach()
        if let cid = cids.min() { out += self.sockets.contextLost(cid: cid, network: network).flatMap(Self.urc) }
        return out
    }

    /// `+CGEV: NW PDN DEACT <cid>` for the lowest active context, and the dialect's URC.
    public mutating func deactivate(network: any ModemNetwork) -> [UInt8] {
        guard let cid = self.core.activeContexts.min() else { return [] }
        return self.core.deactivate(cid) + self.sockets.contextLost(cid: cid, network: network).flatMap(Self.urc)
    }

    public var lostDataURCs: Int { self.sockets.lostDataURCs }
}
