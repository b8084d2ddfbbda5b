import NSAPI
import NetSockCellular
import NetSockDaemon
import NetSockStack
import NetSockJSON
import NetSockPOSIX
import NetSockRPC
import NetSockTLS
import NetSockWiFi
import NetSockWire

/// The stream framer: bytes split anywhere; memory held stays within its limit (small
/// size, depth and element limits, so that inputs reach every refusal path).
enum StreamFramerTarget {
    static let target = FuzzTarget(name: "framer") { input in
        let limit = 4096
        var framer = StreamFramer(maxMessageBytes: limit, maxDepth: 32, maxElements: 64)
        for chunk in Chunks(input) {
            framer.append(chunk)
            while let frame = framer.next() {
                if case .message(let bytes) = frame { require(bytes.count <= limit + 1, "a frame over the limit") }
            }
            require(framer.bufferedByteCount <= limit + 4096 + chunk.count, "framer holds \(framer.bufferedByteCount) bytes")
        }
        while framer.finish() != nil {}
    }
}

/// The HTTP decoder: bytes split anywhere; requests within limits, memory bounded.
enum HTTPDecoderTarget {
    static let target = FuzzTarget(name: "http") { input in
        var decoder = HTTPRequestDecoder(maxHeaderBytes: 2048, maxBodyBytes: 8192, maxHeaderCount: 16)
        for chunk in Chunks(input) {
            decoder.append(chunk)
            while let event = decoder.next() {
                if case .request(let request) = event {
                    require(request.body.count <= 8192, "a body over the limit")
                    require(request.headers.count <= 16, "too many headers")
                }
            }
            require(decoder.bufferedByteCount <= 2 * 8192 + 2048 + chunk.count, "decoder holds \(decoder.bufferedByteCount) bytes")
        }
        _ = decoder.finish()
    }
}

/// The JSON codec: whatever parses encodes, and parses back to the same value; then the
/// JSON-RPC envelope rules run on it. Long plain strings, which skip jansson's lexer and
/// writer, must give exactly what jansson alone gives: the same value or error, the same text.
enum JSONCodecTarget {
    static let target = FuzzTarget(name: "json") { input in
        let bytes = Array(input)
        let parsed: Result<JSONValue, JSONParseError>
        do throws(JSONParseError) { parsed = .success(try JSONCodec.parse(bytes)) } catch { parsed = .failure(error) }
        let reference: Result<JSONValue, JSONParseError>
        do throws(JSONParseError) { reference = .success(try JSONCodec.parseWithJanssonOnly(bytes)) } catch { reference = .failure(error) }
        require(parsed == reference, "the long-string scan changed what parses")
        guard case .success(let value) = parsed else { return }
        let text = JSONCodec.encode(value)
        require(text == JSONCodec.encodeWithJanssonOnly(value), "the long-string writer wrote other bytes than jansson")
        guard let again = try? JSONCodec.parse(text) else { fatalError("encoded JSON does not parse") }
        // Reals may round; everything else must be identical.
        if !text.contains(UInt8(ascii: ".")) && !text.contains(UInt8(ascii: "e")) {
            require(again == value, "round trip changed the value")
        }
        _ = RPCEnvelope(parsing: value, maxBatch: 100)
    }
}

/// The DNS codec: a message that parses encodes, and parses back the same.
enum DNSCodecTarget {
    static let target = FuzzTarget(name: "dns") { input in
        guard let message = try? DNS.parse(Array(input)) else { return }
        for question in message.questions {
            _ = message.addresses(for: question.name, type: question.type)
            _ = message.minimumTTL(for: question.name, type: question.type)
        }
        guard let bytes = try? DNS.encode(message) else { return }
        guard let again = try? DNS.parse(bytes) else { fatalError("an encoded message does not parse") }
        require(again == message, "DNS round trip changed the message")
    }
}

/// The rtnetlink codec: any bytes give messages or none, never a trap.
enum NetlinkCodecTarget {
    static let target = FuzzTarget(name: "netlink") { input in
        let messages = Netlink.parse(Array(input))
        require(messages.count <= input.count / Netlink.headerLength + 1, "more messages than headers")
    }
}

/// The configuration parser: a config that parses writes out as one that parses back the same.
enum ConfigurationTarget {
    static let target = FuzzTarget(name: "config") { input in
        guard let configuration = try? DaemonConfiguration(parsingText: Array(input)) else { return }
        let text = JSONCodec.encode(configuration.json)
        guard let again = try? DaemonConfiguration(parsingText: text) else {
            fatalError("the written configuration is refused: \(String(decoding: text, as: UTF8.self))")
        }
        require(again.json == configuration.json, "configuration round trip changed it")
    }
}

/// The frame header of attached datagram descriptors: any bytes give a destination or a
/// refusal; a destination written back as a header reads back the same.
enum DatagramFrameTarget {
    static let target = FuzzTarget(name: "datagram") { input in
        let frame = Array(input)
        let parsed: SocketAddress?
        do { parsed = try DatagramFrame.destination(frame) } catch { return }
        guard let destination = parsed else {
            require(frame.prefix(DatagramFrame.headerLength).allSatisfy { $0 == 0 }, "a peer frame with bytes set")
            return
        }
        let again = try? DatagramFrame.destination(DatagramFrame.header(destination))
        require(again == .some(destination), "a header does not read back as the address it was written from")
    }
}

/// The link and Internet formats: the bytes as one Ethernet frame through the whole
/// dissection, and each format alone from byte 0; whatever parses to a `Repr` emits
/// bytes that parse back to the same `Repr`.
enum WireFormatsTarget {
    static let target = FuzzTarget(name: "wire") { input in
        let bytes = Array(input)
        require(!FrameDescription.describe(bytes).isEmpty, "no description")
        bytes.withUnsafeBytes { buffer in
            if let frame = try? EthernetFrame(checking: buffer) {
                require(EthernetRepr(frame).bytes == Array(buffer.prefix(EthernetFrame.headerLength)), "Ethernet header changed")
            }
            if let repr = try? ARPRepr(ARPPacket(checking: buffer)) {
                require(reparsed(repr.bytes) { try ARPRepr(ARPPacket(checking: $0)) } == repr, "ARP round trip")
            }
            if let packet = try? IPv4Packet(checking: buffer), let repr = try? IPv4Repr(packet) {
                let again = reparsed(repr.bytes + Array(packet.payload)) { try IPv4Repr(IPv4Packet(checking: $0)) }
                require(again == repr, "IPv4 round trip")
            }
            if let repr = try? ICMPv4Repr(ICMPv4Packet(checking: buffer)) {
                require(reparsed(repr.bytes) { try ICMPv4Repr(ICMPv4Packet(checking: $0)) } == repr, "ICMP round trip")
            }
            let (source, destination) = (IPv4Address(192, 0, 2, 1), IPv4Address(192, 0, 2, 2))
            if let datagram = try? UDPDatagram(checking: buffer), let repr = try? UDPRepr(datagram, source: source, destination: destination) {
                let again = reparsed(repr.bytes(payload: Array(datagram.payload), source: source, destination: destination)) {
                    try UDPRepr(UDPDatagram(checking: $0), source: source, destination: destination)
                }
                require(again == repr, "UDP round trip")
            }
            if let segment = try? TCPSegment(checking: buffer) {
                _ = try? TCPOption.parse(segment.options)
                if let repr = try? TCPRepr(segment, source: source, destination: destination) {
                    let again = reparsed(repr.bytes(payload: Array(segment.payload), source: source, destination: destination)) {
                        try TCPRepr(TCPSegment(checking: $0), source: source, destination: destination)
                    }
                    // Blocks past what fits beside the other options are left out when written.
                    var expected = repr
                    expected.sackBlocks = Array(repr.emittedSACKBlocks)
                    require(again == expected, "TCP round trip")
                }
            }
            if let repr = try? IGMPRepr(IGMPPacket(checking: buffer)) {
                let again = reparsed(repr.bytes) { try IGMPRepr(IGMPPacket(checking: $0)) }
                require(again == repr, "IGMP round trip")
            }
            if let repr = try? DHCPv4Repr(DHCPv4Packet(checking: buffer)) {
                require(reparsed(repr.bytes) { try DHCPv4Repr(DHCPv4Packet(checking: $0)) } == repr, "DHCP round trip")
            }
        }
        // Completing a checksum changes two bytes at most, and only of a frame it accepts.
        var completed = bytes
        let changed = completed.withUnsafeMutableBytes { ChecksumCompletion.complete($0) }
        let differing = zip(bytes, completed).filter { $0 != $1 }.count
        require(differing <= 2 && (changed || differing == 0), "checksum completion changed too much")
    }

    static func reparsed<T>(_ bytes: [UInt8], _ parse: (UnsafeRawBufferPointer) throws -> T) -> T? {
        bytes.withUnsafeBytes { try? parse($0) }
    }
}

/// A TLS client session fed a server's bytes, split anywhere: the handshake ends in
/// success, a typed failure or a wait for more, never a trap or a hang, and the
/// session holds no more than its bounds. (Mbed TLS itself is not instrumented, so
/// coverage guides only our side; the bytes still reach its parser.)
enum TLSSessionTarget {
    static let target = FuzzTarget(name: "tls") { input in
        guard let session = try? TLSSession() else { return }
        _ = try? session.handshake()
        session.withOutput { $0.count }
        for chunk in Chunks(input) {
            var offset = 0
            while offset < chunk.count {
                let taken = session.feed(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: chunk[offset...])))
                offset += taken
                do throws(TLSFailure) {
                    if try session.handshake() {
                        var buffer = [UInt8](repeating: 0, count: 4096)
                        _ = try buffer.withUnsafeMutableBytes { bytes in Result { () throws(TLSFailure) in try session.read(into: bytes) } }.get()
                    }
                } catch {
                    return
                }
                session.withOutput { $0.count }
                require(session.inputRoom >= 0, "negative room")
                if taken == 0 { break }
            }
        }
        session.feedEnd()
        _ = try? session.handshake()
    }
}

/// The AT channel fed a modem's bytes, split anywhere, with commands of every binary
/// form in flight: never a trap, never more held than its bounds.
enum ATChannelTarget {
    static let target = FuzzTarget(name: "at") { input in
        var channel = ATChannel(urcPrefixes: ["+CEREG:", "+UUSORD:", "+QIURC:", "+CGEV:"], maximumLine: 512, maximumBinary: 1024, maximumResponse: 4096)
        let commands = [
            ATCommand("AT+CSQ", responsePrefix: "+CSQ:"),
            ATCommand("AT+USORD=0,64", responsePrefix: "+USORD:", binary: .quoted(prefix: "+USORD:", lengthField: 1)),
            ATCommand("AT+QIRD=0,64", responsePrefix: "+QIRD:", binary: .followingLine(prefix: "+QIRD:", lengthField: 0)),
            ATCommand("AT+USOWR=0,4", prompt: UInt8(ascii: "@"), payload: [1, 2, 3, 4]),
            ATCommand("AT+QISEND=0,4", prompt: UInt8(ascii: ">"), payload: [1, 2, 3, 4], finals: ["SEND OK", "SEND FAIL"]),
        ]
        var next = 0
        var now = Instant.zero
        for chunk in Chunks(input) {
            if !channel.isBusy {
                _ = channel.send(commands[next % commands.count], at: now)
                next += 1
            }
            _ = channel.receive(chunk, at: now)
            require(channel.bufferedByteCount <= 512 + 1024 + 4096, "the channel holds \(channel.bufferedByteCount) bytes")
            now += .milliseconds(300)
            _ = channel.poll(at: now)
        }
    }
}

/// The `modem` stack as the daemon drives it, fed a modem's bytes: connected, with TCP,
/// UDP and Non-IP sockets open and reading, for both dialects. Whatever comes, the stack
/// neither crashes nor holds more than its bounds.
enum ModemStackTarget {
    static let target = FuzzTarget(name: "modem") { input in
        for dialect in [UbloxSockets() as any ModemSocketDialect, QuectelSockets()] {
            var now = Instant.seconds(1)
            var written = 0
            let stack = ModemStack(dialect: dialect, now: { now }, transmit: { written += $0.count })
            stack.onDeferredEvents = {}
            stack.connect(settings: CellularStateMachine.Settings(apn: "internet"))
            let handles = [try? stack.socketOpen(.tcp), try? stack.socketOpen(.udp), try? stack.socketOpen(.nonIP)].compactMap { $0 }
            for chunk in Chunks(input) {
                stack.received(chunk)
                for handle in handles {
                    _ = try? stack.socketConnect(handle, SocketAddress(parsing: "192.0.2.7", port: 7)!)
                    _ = try? stack.socketSend(handle, [1, 2, 3][...])
                    _ = try? stack.socketSendTo(handle, SocketAddress(parsing: "192.0.2.7", port: 7)!, [4, 5][...])
                    _ = try? stack.socketReceive(handle, maxBytes: 100_000)
                }
                now += .milliseconds(700)
                stack.poll()
            }
            require(written < 1 << 24, "the stack wrote \(written) bytes to the modem")
        }
    }
}

/// `netsock-modem-sim`'s modem fed a host's bytes (commands, payloads after prompts,
/// NIDD hex): no crash, whatever the host sends.
enum SimulatedModemTarget {
    final class NullNetwork: ModemNetwork {
        var next = 1
        func open(tcp: Bool, localPort: Int?) -> Int? {
            defer { self.next += 1 }
            return self.next
        }
        func connect(_ socket: Int, host: String, port: Int) -> Bool { port % 2 == 0 }
        func send(_ socket: Int, _ bytes: [UInt8], to remote: (host: String, port: Int)?) -> Int { bytes.count / 2 }
        func close(_ socket: Int) {}
    }

    static let target = FuzzTarget(name: "modem-sim") { input in
        for dialect in [ModemSocketModel.Dialect.ublox, .quectel] {
            let network = NullNetwork()
            var modem = SimulatedModem(dialect: dialect, core: ModemModel.Faults())
            // A context up first, so the socket commands run rather than fail at once.
            _ = modem.input(Array("AT+CGATT=1\rAT+CGACT=1,1\r".utf8), now: 0, network: network)
            var now: Int64 = 0
            for chunk in Chunks(input) {
                _ = modem.input(chunk, now: now, network: network)
                _ = modem.delivered(network: 1, Array(chunk.prefix(64)), from: ("192.0.2.7", 7))
                now += 10
                _ = modem.due(now: now)
            }
        }
    }
}

/// wpa_supplicant's control-interface grammar: any datagram as a reply (its number,
/// key=value lines, table and scan results) and as an event; every SSID it yields
/// escapes and decodes back to itself.
enum WPAControlTarget {
    static let target = FuzzTarget(name: "wpa") { input in
        let reply = WPAReply(input)
        _ = reply.number
        _ = reply.keyValues
        for result in ScanResult.parse(reply) {
            require(result.ssid.count <= SSID.maximumLength, "an SSID of \(result.ssid.count) bytes")
            require(SSID.decodeEscaped(SSID.escaped(result.ssid)) == result.ssid, "an SSID that does not round-trip")
        }
        if let event = WPAEvent(input), case .temporarilyDisabled(_, let ssid?, _, _) = event.kind {
            require(SSID.decodeEscaped(SSID.escaped(ssid)) == ssid, "an event's SSID that does not round-trip")
        }
    }
}
