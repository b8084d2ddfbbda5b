/// What the modem says about one of its sockets, from a URC.
public enum ModemSocketEvent: Sendable, Equatable {
    /// Data waits: how much when the modem says (u-blox), nil when it only says "some" (Quectel).
    case dataReady(socket: Int, bytes: Int?)
    case closed(socket: Int)
    /// A Quectel `+QIOPEN: <id>,<err>`: the connect ended (err 0 is success).
    case opened(socket: Int, error: Int)
    /// The PDP context under the sockets went away.
    case contextLost
}

/// The socket commands of a modem's own IP stack, as the vendors' AT manuals and Mbed's
/// drivers use them: each builds the command and reads its reply; no state. The `modem`
/// stack keeps the sockets and drives the `ATChannel`.
public protocol ModemSocketDialect: Sendable {
    var name: String { get }
    var urcPrefixes: [String] { get }
    /// Sockets the modem has (u-blox 7, Quectel BG96 12).
    var maximumSockets: Int { get }
    /// The most payload one send or read moves.
    var maximumPayload: Int { get }
    /// The open's outcome comes later as a URC (Quectel's `+QIOPEN: <id>,<err>`), not in its reply.
    var opensWithURC: Bool { get }
    /// A TCP socket needs `connect` after `open` (u-blox); otherwise the open connects.
    var connectsAfterOpen: Bool { get }

    /// The first step of a TCP connect or a UDP socket.
    func open(tcp: Bool, id: Int, remote: (address: String, port: Int)?, contextID: Int) -> ATCommand
    /// The modem's socket number from `open`'s reply, or `id` where the modem takes ours.
    func openedSocket(_ response: ATResponse, id: Int) -> Int?
    /// The connect of a TCP socket after `open`, where the dialect needs one.
    func connect(socket: Int, address: String, port: Int) -> ATCommand?
    func send(socket: Int, _ payload: [UInt8], to remote: (address: String, port: Int)?) -> ATCommand
    /// Bytes the modem took, from `send`'s reply.
    func sent(_ response: ATResponse, payload: Int) -> Int?
    func receive(socket: Int, maximum: Int, udp: Bool) -> ATCommand
    /// The bytes, and the sender for UDP, from `receive`'s reply.
    func received(_ response: ATResponse) -> (bytes: [UInt8], from: (address: String, port: Int)?)?
    func close(socket: Int) -> ATCommand
    func resolve(_ host: String, contextID: Int) -> ATCommand
    /// The address from `resolve`'s reply (u-blox) or its URCs (Quectel).
    func resolved(_ lines: [String]) -> String?
    func event(_ urc: String) -> ModemSocketEvent?
}

/// u-blox SARA (`+USOCR`, `+USOCO`, `+USOWR`, `+USOST`, `+USORD`, `+USORF`, `+USOCL`, `+UDNSRN`).
public struct UbloxSockets: ModemSocketDialect {
    public init() {}
    public var name: String { "ublox" }
    public var urcPrefixes: [String] { ["+UUSORD:", "+UUSORF:", "+UUSOCL:", "+UUPSDD:"] }
    public var maximumSockets: Int { 7 }
    public var maximumPayload: Int { 1024 }
    public var opensWithURC: Bool { false }
    public var connectsAfterOpen: Bool { true }

    public func open(tcp: Bool, id: Int, remote: (address: String, port: Int)?, contextID: Int) -> ATCommand {
        ATCommand("AT+USOCR=\(tcp ? 6 : 17)", responsePrefix: "+USOCR:")
    }

    public func openedSocket(_ response: ATResponse, id: Int) -> Int? {
        guard response.final == .ok else { return nil }
        return response.lines.lazy.compactMap { ATFields.after("+USOCR:", in: $0)?.first.flatMap { Int($0) } }.first
    }

    public func connect(socket: Int, address: String, port: Int) -> ATCommand? {
        ATCommand("AT+USOCO=\(socket),\"\(address)\",\(port)", timeout: .seconds(120))
    }

    public func send(socket: Int, _ payload: [UInt8], to remote: (address: String, port: Int)?) -> ATCommand {
        if let remote {
            return ATCommand(
                "AT+USOST=\(socket),\"\(remote.address)\",\(remote.port),\(payload.count)", timeout: .seconds(10), responsePrefix: "+USOST:",
                prompt: UInt8(ascii: "@"), payload: payload)
        }
        return ATCommand("AT+USOWR=\(socket),\(payload.count)", timeout: .seconds(10), responsePrefix: "+USOWR:", prompt: UInt8(ascii: "@"), payload: payload)
    }

    public func sent(_ response: ATResponse, payload: Int) -> Int? {
        guard response.final == .ok else { return nil }
        for line in response.lines {
            if let fields = ATFields.after("+USOWR:", in: line) ?? ATFields.after("+USOST:", in: line), fields.count == 2, let count = Int(fields[1]) {
                return Swift.min(count, payload)
            }
        }
        return nil
    }

    public func receive(socket: Int, maximum: Int, udp: Bool) -> ATCommand {
        let count = Swift.min(maximum, self.maximumPayload)
        if udp {
            return ATCommand("AT+USORF=\(socket),\(count)", responsePrefix: "+USORF:", binary: .quoted(prefix: "+USORF:", lengthField: 3))
        }
        return ATCommand("AT+USORD=\(socket),\(count)", responsePrefix: "+USORD:", binary: .quoted(prefix: "+USORD:", lengthField: 1))
    }

    public func received(_ response: ATResponse) -> (bytes: [UInt8], from: (address: String, port: Int)?)? {
        // The header is found by its prefix: a URC's tail may come first.
        guard response.final == .ok, let header = response.lines.first(where: { $0.hasPrefix("+USORF:") || $0.hasPrefix("+USORD:") }) else {
            return nil
        }
        if let fields = ATFields.after("+USORF:", in: header) {
            // `+USORF: <s>,0`: nothing waiting.
            guard fields.count >= 3, let port = Int(fields[2]) else { return ([], nil) }
            return (response.binary ?? [], (fields[1], port))
        }
        // `+USORD: <s>,0` (nothing waiting) carries no payload and no quote.
        guard ATFields.after("+USORD:", in: header) != nil else { return nil }
        return (response.binary ?? [], nil)
    }

    public func close(socket: Int) -> ATCommand { ATCommand("AT+USOCL=\(socket)", timeout: .seconds(120)) }

    public func resolve(_ host: String, contextID: Int) -> ATCommand {
        ATCommand("AT+UDNSRN=0,\"\(host)\"", timeout: .seconds(120), responsePrefix: "+UDNSRN:")
    }

    public func resolved(_ lines: [String]) -> String? {
        lines.lazy.compactMap { ATFields.after("+UDNSRN:", in: $0)?.first }.first { !$0.isEmpty }
    }

    public func event(_ urc: String) -> ModemSocketEvent? {
        if let fields = ATFields.after("+UUSORD:", in: urc) ?? ATFields.after("+UUSORF:", in: urc), fields.count == 2,
            let socket = Int(fields[0]), let count = Int(fields[1])
        {
            return .dataReady(socket: socket, bytes: count)
        }
        if let socket = ATFields.after("+UUSOCL:", in: urc)?.first.flatMap({ Int($0) }) { return .closed(socket: socket) }
        if urc.hasPrefix("+UUPSDD:") { return .contextLost }
        return nil
    }
}

/// Quectel BG96 (`+QIOPEN`, `+QISEND`, `+QIRD`, `+QICLOSE`, `+QIURC`, `+QIDNSGIP`).
public struct QuectelSockets: ModemSocketDialect {
    public init() {}
    public var name: String { "quectel" }
    public var urcPrefixes: [String] { ["+QIURC:", "+QIOPEN:"] }
    public var maximumSockets: Int { 12 }
    public var maximumPayload: Int { 1460 }
    public var opensWithURC: Bool { true }
    public var connectsAfterOpen: Bool { false }

    /// The connect is part of the open; its outcome comes as `+QIOPEN: <id>,<err>`.
    public func open(tcp: Bool, id: Int, remote: (address: String, port: Int)?, contextID: Int) -> ATCommand {
        if tcp, let remote {
            return ATCommand("AT+QIOPEN=\(contextID),\(id),\"TCP\",\"\(remote.address)\",\(remote.port),0,0", timeout: .seconds(150))
        }
        if let remote { return ATCommand("AT+QIOPEN=\(contextID),\(id),\"UDP\",\"\(remote.address)\",\(remote.port),0,0") }
        return ATCommand("AT+QIOPEN=\(contextID),\(id),\"UDP SERVICE\",\"127.0.0.1\",0,0,0")
    }

    public func openedSocket(_ response: ATResponse, id: Int) -> Int? { response.final == .ok ? id : nil }

    public func connect(socket: Int, address: String, port: Int) -> ATCommand? { nil }

    public func send(socket: Int, _ payload: [UInt8], to remote: (address: String, port: Int)?) -> ATCommand {
        let target = remote.map { ",\"\($0.address)\",\($0.port)" } ?? ""
        return ATCommand(
            "AT+QISEND=\(socket),\(payload.count)\(target)", timeout: .seconds(10), prompt: UInt8(ascii: ">"), payload: payload,
            finals: ["SEND OK", "SEND FAIL"])
    }

    /// SEND FAIL is the modem's buffer full: nothing taken, try again later.
    public func sent(_ response: ATResponse, payload: Int) -> Int? {
        switch response.final {
        case .other("SEND OK"): payload
        case .other("SEND FAIL"): 0
        default: nil
        }
    }

    public func receive(socket: Int, maximum: Int, udp: Bool) -> ATCommand {
        let text = udp ? "AT+QIRD=\(socket)" : "AT+QIRD=\(socket),\(Swift.min(maximum, self.maximumPayload))"
        return ATCommand(text, responsePrefix: "+QIRD:", binary: .followingLine(prefix: "+QIRD:", lengthField: 0))
    }

    public func received(_ response: ATResponse) -> (bytes: [UInt8], from: (address: String, port: Int)?)? {
        guard response.final == .ok, let header = response.lines.first(where: { $0.hasPrefix("+QIRD:") }), let fields = ATFields.after("+QIRD:", in: header),
            let count = fields.first.flatMap({ Int($0) })
        else { return nil }
        let bytes = count == 0 ? [] : (response.binary ?? [])
        if fields.count >= 3, let port = Int(fields[2]) { return (bytes, (fields[1], port)) }
        return (bytes, nil)
    }

    public func close(socket: Int) -> ATCommand { ATCommand("AT+QICLOSE=\(socket)", timeout: .seconds(10)) }

    /// The answer comes in URCs after OK: `+QIURC: "dnsgip",0,<n>,<ttl>`, then `+QIURC: "dnsgip","<ip>"`.
    public func resolve(_ host: String, contextID: Int) -> ATCommand {
        ATCommand("AT+QIDNSGIP=\(contextID),\"\(host)\"", timeout: .seconds(60))
    }

    public func resolved(_ lines: [String]) -> String? {
        for line in lines {
            guard let fields = ATFields.after("+QIURC:", in: line), fields.count == 2, fields[0] == "dnsgip" else { continue }
            return fields[1]
        }
        return nil
    }

    public func event(_ urc: String) -> ModemSocketEvent? {
        if let fields = ATFields.after("+QIOPEN:", in: urc), fields.count == 2, let id = Int(fields[0]), let error = Int(fields[1]) {
            return .opened(socket: id, error: error)
        }
        guard let fields = ATFields.after("+QIURC:", in: urc), let kind = fields.first else { return nil }
        switch kind {
        case "recv": return fields.count >= 2 ? Int(fields[1]).map { .dataReady(socket: $0, bytes: nil) } : nil
        case "closed": return fields.count >= 2 ? Int(fields[1]).map { .closed(socket: $0) } : nil
        case "pdpdeact": return .contextLost
        default: return nil
        }
    }
}
