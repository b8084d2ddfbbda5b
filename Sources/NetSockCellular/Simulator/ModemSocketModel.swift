/// The socket side of the simulated modem: u-blox `+USO*` or Quectel `+QI*` commands on
/// sockets of a `ModemNetwork`, with the modem's limits, its data and close URCs, and the
/// faults a test asks for (data URCs lost). Pure: the simulator feeds it the network's
/// data and reads the URCs back.
public struct ModemSocketModel: Sendable {
    public enum Dialect: String, Sendable { case ublox, quectel }

    struct Socket: Sendable {
        var tcp: Bool
        var network: Int
        var connected = false
        var localPort: Int?
        /// What the network delivered and the host has not read: bytes (TCP) or datagrams.
        var stream: [UInt8] = []
        var datagrams: [(host: String, port: Int, bytes: [UInt8])] = []
        var peerClosed = false
    }

    public let dialect: Dialect
    public var maximumSockets: Int { self.dialect == .ublox ? 7 : 12 }
    public var maximumPayload: Int { self.dialect == .ublox ? 1024 : 1460 }
    /// Bytes (or 16 datagrams) held per socket before the simulator stops reading the network.
    public let bufferLimit = 65_536
    var sockets: [Int: Socket] = [:]
    /// Every `n`th data URC is dropped (0: none), to test the host's polling.
    public var loseDataURCsEvery = 0
    private var dataURCs = 0
    /// Data URCs dropped so far.
    public private(set) var lostDataURCs = 0

    public init(dialect: Dialect) { self.dialect = dialect }

    /// A payload the host sends after the prompt: the command waits for these bytes.
    public struct PendingPayload: Sendable {
        public var length: Int
        var socket: Int
        var remote: (host: String, port: Int)?
    }

    public enum Outcome {
        /// Not a socket command.
        case notMine
        case reply(lines: [String], final: String)
        /// Send the prompt and read `length` raw bytes, then call `payload`.
        case prompt(PendingPayload)
        /// A whole response (information lines with raw payload, and the final result) as bytes.
        case raw([UInt8])
        /// A reply and then URCs (Quectel's `+QIOPEN`).
        case replyThenURCs(lines: [String], final: String, urcs: [String])
    }

    /// Runs a socket command (`AT+USOCR=6`, `AT+QIRD=0,1500`); `cid` is an active context.
    public mutating func execute(_ command: String, network: any ModemNetwork, contextActive: Bool) -> Outcome {
        guard let equals = command.firstIndex(of: "=") else { return .notMine }
        let name = Substring(command[..<equals].uppercased())
        let fields = ATFields.split(String(command[command.index(after: equals)...]))
        switch (self.dialect, name) {
        case (.ublox, "AT+USOCR"):
            guard contextActive else { return .reply(lines: [], final: "+CME ERROR: 3") }
            guard let id = self.freeID(), let network = network.open(tcp: fields.first == "6", localPort: fields.count > 1 ? Int(fields[1]) : nil)
            else { return .reply(lines: [], final: "+CME ERROR: 3") }
            self.sockets[id] = Socket(tcp: fields.first == "6", network: network)
            return .reply(lines: ["+USOCR: \(id)"], final: "OK")
        case (.ublox, "AT+USOCO"):
            guard fields.count >= 3, let id = Int(fields[0]), let socket = self.sockets[id], let port = Int(fields[2]) else {
                return .reply(lines: [], final: "+CME ERROR: 50")
            }
            guard network.connect(socket.network, host: fields[1], port: port) else { return .reply(lines: [], final: "+CME ERROR: 3") }
            self.sockets[id]?.connected = true
            return .reply(lines: [], final: "OK")
        case (.ublox, "AT+USOWR"), (.ublox, "AT+USOST"), (.quectel, "AT+QISEND"):
            let udpTarget = name == "AT+USOST" || (name == "AT+QISEND" && fields.count >= 4)
            let lengthField = name == "AT+USOST" ? 3 : 1
            guard fields.count > lengthField, !(name == "AT+USOST" && fields.count < 4), let id = Int(fields[0]), self.sockets[id] != nil,
                let length = Int(fields[lengthField]), length >= 0, length <= self.maximumPayload
            else { return .reply(lines: [], final: self.dialect == .ublox ? "+CME ERROR: 50" : "ERROR") }
            var remote: (host: String, port: Int)?
            if udpTarget {
                let (hostField, portField) = name == "AT+USOST" ? (1, 2) : (2, 3)
                guard let port = Int(fields[portField]) else { return .reply(lines: [], final: "ERROR") }
                remote = (fields[hostField], port)
            }
            return .prompt(PendingPayload(length: length, socket: id, remote: remote))
        case (.ublox, "AT+USORD"), (.ublox, "AT+USORF"), (.quectel, "AT+QIRD"):
            guard let id = Int(fields.first ?? ""), self.sockets[id] != nil else {
                return .reply(lines: [], final: self.dialect == .ublox ? "+CME ERROR: 50" : "ERROR")
            }
            let wanted = fields.count > 1 ? Int(fields[1]) ?? self.maximumPayload : self.maximumPayload
            guard wanted >= 0 else { return .reply(lines: [], final: self.dialect == .ublox ? "+CME ERROR: 50" : "ERROR") }
            return self.read(id, maximum: Swift.min(wanted, self.maximumPayload), name: name)
        case (.ublox, "AT+USOCL"), (.quectel, "AT+QICLOSE"):
            guard let id = Int(fields.first ?? ""), let socket = self.sockets.removeValue(forKey: id) else {
                return .reply(lines: [], final: self.dialect == .ublox ? "+CME ERROR: 50" : "ERROR")
            }
            network.close(socket.network)
            return .reply(lines: [], final: "OK")
        case (.quectel, "AT+QIOPEN"):
            guard fields.count >= 5, let id = Int(fields[1]), (0..<self.maximumSockets).contains(id), self.sockets[id] == nil else {
                return .reply(lines: [], final: "ERROR")
            }
            guard contextActive else { return .replyThenURCs(lines: [], final: "OK", urcs: ["+QIOPEN: \(id),561"]) }
            let kind = fields[2].uppercased()
            let tcp = kind == "TCP"
            let localPort = fields.count > 5 ? Int(fields[5]) : nil
            guard let handle = network.open(tcp: tcp, localPort: localPort == 0 ? nil : localPort) else {
                return .replyThenURCs(lines: [], final: "OK", urcs: ["+QIOPEN: \(id),566"])
            }
            if tcp {
                guard let port = Int(fields[4]), network.connect(handle, host: fields[3], port: port) else {
                    network.close(handle)
                    return .replyThenURCs(lines: [], final: "OK", urcs: ["+QIOPEN: \(id),566"])
                }
            }
            self.sockets[id] = Socket(tcp: tcp, network: handle, connected: tcp)
            return .replyThenURCs(lines: [], final: "OK", urcs: ["+QIOPEN: \(id),0"])
        default:
            return .notMine
        }
    }

    /// The payload after the prompt: the reply to the send.
    public mutating func payload(_ bytes: [UInt8], for pending: PendingPayload, network: any ModemNetwork) -> (lines: [String], final: String) {
        guard let socket = self.sockets[pending.socket] else { return ([], self.dialect == .ublox ? "+CME ERROR: 3" : "SEND FAIL") }
        let taken = network.send(socket.network, bytes, to: pending.remote)
        switch self.dialect {
        case .ublox:
            guard taken >= 0 else { return ([], "+CME ERROR: 3") }
            return (["\(pending.remote == nil ? "+USOWR" : "+USOST"): \(pending.socket),\(taken)"], "OK")
        case .quectel:
            // The modem's buffer is full: the host tries again later.
            return ([], taken == bytes.count ? "SEND OK" : "SEND FAIL")
        }
    }

    private mutating func read(_ id: Int, maximum: Int, name: Substring) -> Outcome {
        guard var socket = self.sockets[id] else { return .reply(lines: [], final: "ERROR") }
        defer { self.sockets[id] = socket }
        func framed(_ header: String, _ bytes: [UInt8], quoted: Bool) -> Outcome {
            // The payload is raw bytes (CR and LF among them): quoted on the header's line
            // (u-blox) or on the lines after it (Quectel).
            var out = Array("\r\n\(header)".utf8)
            if quoted {
                out += [UInt8(ascii: "\"")] + bytes + [UInt8(ascii: "\"")]
            } else {
                out += Array("\r\n".utf8) + bytes
            }
            out += Array("\r\n\r\nOK\r\n".utf8)
            return .raw(out)
        }
        if socket.tcp {
            let count = Swift.min(maximum, socket.stream.count)
            let bytes = Array(socket.stream.prefix(count))
            socket.stream.removeFirst(count)
            switch self.dialect {
            case .ublox: return count == 0 ? .reply(lines: ["+USORD: \(id),0"], final: "OK") : framed("+USORD: \(id),\(count),", bytes, quoted: true)
            case .quectel: return count == 0 ? .reply(lines: ["+QIRD: 0"], final: "OK") : framed("+QIRD: \(count)", bytes, quoted: false)
            }
        }
        guard !socket.datagrams.isEmpty else {
            return .reply(lines: [self.dialect == .ublox ? "+USORF: \(id),0" : "+QIRD: 0"], final: "OK")
        }
        let datagram = socket.datagrams.removeFirst()
        let bytes = Array(datagram.bytes.prefix(maximum))
        switch self.dialect {
        case .ublox: return framed("+USORF: \(id),\"\(datagram.host)\",\(datagram.port),\(bytes.count),", bytes, quoted: true)
        case .quectel: return framed("+QIRD: \(bytes.count),\"\(datagram.host)\",\(datagram.port)", bytes, quoted: false)
        }
    }

    // MARK: The network's side

    /// How many more bytes (TCP) or datagrams (UDP, as 1) the socket behind `network` takes.
    public func room(network: Int) -> Int {
        guard let socket = self.sockets.values.first(where: { $0.network == network }) else { return 0 }
        return socket.tcp ? self.bufferLimit - socket.stream.count : (socket.datagrams.count < 16 ? 1 : 0)
    }

    /// Data from the network; the URC to send, if any (the first data after the host read all).
    public mutating func delivered(network: Int, _ bytes: [UInt8], from: (host: String, port: Int)?) -> String? {
        guard let (id, socket) = self.sockets.first(where: { $0.value.network == network }) else { return nil }
        let wasEmpty = socket.tcp ? socket.stream.isEmpty : socket.datagrams.isEmpty
        if socket.tcp {
            self.sockets[id]?.stream.append(contentsOf: bytes)
        } else {
            self.sockets[id]?.datagrams.append((from?.host ?? "0.0.0.0", from?.port ?? 0, bytes))
        }
        // u-blox reports every arrival with the total waiting; Quectel once until the host reads it all.
        guard wasEmpty || self.dialect == .ublox else { return nil }
        self.dataURCs += 1
        if self.loseDataURCsEvery > 0, self.dataURCs % self.loseDataURCsEvery == 0 {
            self.lostDataURCs += 1
            return nil
        }
        let total = socket.tcp ? socket.stream.count + bytes.count : bytes.count
        switch self.dialect {
        case .ublox: return socket.tcp ? "+UUSORD: \(id),\(total)" : "+UUSORF: \(id),\(total)"
        case .quectel: return "+QIURC: \"recv\",\(id)"
        }
    }

    /// The peer closed its side (TCP); the close URC.
    public mutating func closed(network: Int) -> String? {
        guard let (id, socket) = self.sockets.first(where: { $0.value.network == network }), !socket.peerClosed else { return nil }
        self.sockets[id]?.peerClosed = true
        return self.dialect == .ublox ? "+UUSOCL: \(id)" : "+QIURC: \"closed\",\(id)"
    }

    /// The context went away: every socket closes, and the dialect says so.
    public mutating func contextLost(cid: Int, network: any ModemNetwork) -> [String] {
        for socket in self.sockets.values { network.close(socket.network) }
        self.sockets.removeAll()
        return [self.dialect == .ublox ? "+UUPSDD: 0" : "+QIURC: \"pdpdeact\",\(cid)"]
    }

    /// The network sockets the simulator must watch, and whether each wants reading.
    public var networkSockets: [(network: Int, wantsData: Bool)] {
        // A TCP socket not yet connected has nothing to read (and polls as hung up).
        self.sockets.values.filter { !$0.tcp || $0.connected }.map {
            ($0.network, !$0.peerClosed && ($0.tcp ? $0.stream.count < self.bufferLimit : $0.datagrams.count < 16))
        }
    }

    private func freeID() -> Int? { (0..<self.maximumSockets).first { self.sockets[$0] == nil } }
}

