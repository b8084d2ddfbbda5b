import NetSockCellular
import NetSockStack
import Testing

/// The AT channel on replies captured from real modems (as facts: the Mbed issue logs
/// and published captures the reference notes cite), split at every chunk size, and on
/// hostile input.
@Suite struct ATChannelTests {
    static let urcs = ["+CEREG:", "+CGREG:", "+CREG:", "+CGEV:", "+UUSORD:", "+UUSORF:", "+UUSOCL:", "+QIURC:", "+CPIN:"]

    struct Exchange: Sendable, CustomStringConvertible {
        var name: String
        var command: ATCommand
        var reply: [UInt8]
        var expected: [ATEvent]
        var description: String { self.name }
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static let exchanges: [Exchange] = [
        Exchange(
            name: "CGCONTRDP (a captured NB-IoT reply)", command: ATCommand("AT+CGCONTRDP=1", responsePrefix: "+CGCONTRDP:"),
            reply: bytes("\r\n+CGCONTRDP: 1,5,\"spe.inetd.vodafone.nbiot.mnc028.mcc901.gprs\",\"10.175.211.94.255.255.255.255\",\"\",\"10.105.16.254\",\"10.105.144.254\",\"\",\"\"\r\n\r\nOK\r\n"),
            expected: [.response(ATResponse(
                command: "AT+CGCONTRDP=1",
                lines: ["+CGCONTRDP: 1,5,\"spe.inetd.vodafone.nbiot.mnc028.mcc901.gprs\",\"10.175.211.94.255.255.255.255\",\"\",\"10.105.16.254\",\"10.105.144.254\",\"\",\"\""],
                binary: nil, final: .ok))]),
        Exchange(
            name: "CSQ with echo on, as Mbed's trace shows it", command: ATCommand("AT+CSQ", responsePrefix: "+CSQ:"),
            reply: bytes("AT+CSQ\r\r\n+CSQ: 99,99\r\n\r\nOK\r\n"),
            expected: [.response(ATResponse(command: "AT+CSQ", lines: ["+CSQ: 99,99"], binary: nil, final: .ok))]),
        Exchange(
            name: "a solicited CEREG beside a URC of the same prefix and a CGEV inside the response",
            command: ATCommand("AT+CEREG?", responsePrefix: "+CEREG:"),
            reply: bytes("\r\n+CEREG: 2,5,\"1A2B\",\"01A2B3C4\",7\r\n\r\n+CGEV: NW DETACH\r\n\r\nOK\r\n\r\n+CEREG: 1,\"00C3\",\"0102A5BC\",7\r\n"),
            expected: [
                .urc("+CGEV: NW DETACH"),
                .response(ATResponse(command: "AT+CEREG?", lines: ["+CEREG: 2,5,\"1A2B\",\"01A2B3C4\",7"], binary: nil, final: .ok)),
                .urc("+CEREG: 1,\"00C3\",\"0102A5BC\",7"),
            ]),
        Exchange(
            name: "a wrong PIN", command: ATCommand("AT+CPIN=\"1234\""),
            reply: bytes("\r\n+CME ERROR: 16\r\n"),
            expected: [.response(ATResponse(command: "AT+CPIN=\"1234\"", lines: [], binary: nil, final: .cmeError(16)))]),
        Exchange(
            name: "CMS and text CME errors", command: ATCommand("AT+CMGS=1"),
            reply: bytes("\r\n+CMS ERROR: 500\r\n"),
            expected: [.response(ATResponse(command: "AT+CMGS=1", lines: [], binary: nil, final: .cmsError(500)))]),
        Exchange(
            name: "u-blox TCP write: the @ prompt, then the result",
            command: ATCommand("AT+USOWR=0,5", responsePrefix: "+USOWR:", prompt: UInt8(ascii: "@"), payload: Array("hello".utf8)),
            reply: bytes("\r\n@\r\n+USOWR: 0,5\r\n\r\nOK\r\n"),
            expected: [.prompt, .response(ATResponse(command: "AT+USOWR=0,5", lines: ["+USOWR: 0,5"], binary: nil, final: .ok))]),
        Exchange(
            name: "u-blox TCP read: quoted bytes holding a quote and CR LF, with a data URC inside the response",
            command: ATCommand("AT+USORD=0,12", responsePrefix: "+USORD:", binary: .quoted(prefix: "+USORD:", lengthField: 1)),
            reply: bytes("\r\n+USORD: 0,12,\"he\"llo\r\nwor!\"\r\n\r\n+UUSORD: 0,3\r\n\r\nOK\r\n"),
            expected: [
                .urc("+UUSORD: 0,3"),
                .response(ATResponse(command: "AT+USORD=0,12", lines: ["+USORD: 0,12,"], binary: Array("he\"llo\r\nwor!".utf8), final: .ok)),
            ]),
        Exchange(
            name: "u-blox UDP read: the address before the quoted bytes",
            command: ATCommand("AT+USORF=1,1024", responsePrefix: "+USORF:", binary: .quoted(prefix: "+USORF:", lengthField: 3)),
            reply: bytes("\r\n+USORF: 1,\"192.0.2.7\",7,4,\"\r\n,\"\"\r\n\r\nOK\r\n"),
            expected: [.response(ATResponse(command: "AT+USORF=1,1024", lines: ["+USORF: 1,\"192.0.2.7\",7,4,"], binary: [13, 10, 44, 34], final: .ok))]),
        Exchange(
            name: "Quectel read: the bytes on the lines after +QIRD, with a recv URC inside",
            command: ATCommand("AT+QIRD=0,1500", responsePrefix: "+QIRD:", binary: .followingLine(prefix: "+QIRD:", lengthField: 0)),
            reply: bytes("\r\n+QIRD: 5\r\nab\r\nc\r\n+QIURC: \"recv\",0\r\n\r\nOK\r\n"),
            expected: [
                .urc("+QIURC: \"recv\",0"),
                .response(ATResponse(command: "AT+QIRD=0,1500", lines: ["+QIRD: 5"], binary: Array("ab\r\nc".utf8), final: .ok)),
            ]),
        Exchange(
            name: "Quectel send: the > prompt, then SEND OK",
            command: ATCommand("AT+QISEND=0,5", prompt: UInt8(ascii: ">"), payload: Array("hello".utf8), finals: ["SEND OK", "SEND FAIL"]),
            reply: bytes("\r\n> \r\nSEND OK\r\n"),
            expected: [.prompt, .response(ATResponse(command: "AT+QISEND=0,5", lines: [], binary: nil, final: .other("SEND OK")))]),
        Exchange(
            name: "a bare ERROR", command: ATCommand("AT+CGATT=1", timeout: .seconds(180)),
            reply: bytes("\r\nERROR\r\n"),
            expected: [.response(ATResponse(command: "AT+CGATT=1", lines: [], binary: nil, final: .error))]),
    ]

    @Test("captured replies give the same events at every chunk size", arguments: Self.exchanges)
    func everyChunkSize(_ exchange: Exchange) {
        for size in 1...exchange.reply.count {
            var channel = ATChannel(urcPrefixes: Self.urcs)
            let (bytes, ended) = channel.send(exchange.command, at: .seconds(1))
            #expect(bytes == Array(exchange.command.text.utf8) + [13])
            #expect(ended == nil)
            var events: [ATEvent] = []
            var offset = 0
            while offset < exchange.reply.count {
                let end = Swift.min(exchange.reply.count, offset + size)
                events += channel.receive(exchange.reply[offset..<end], at: .seconds(1))
                offset = end
            }
            #expect(events == exchange.expected, "chunks of \(size)")
            #expect(!channel.isBusy)
        }
    }

    @Test("a command with no final result ends in a timeout at its deadline, not before")
    func timeout() {
        var channel = ATChannel(urcPrefixes: Self.urcs)
        _ = channel.send(ATCommand("AT+COPS=?", timeout: .seconds(180)), at: .seconds(10))
        _ = channel.receive(Self.bytes("\r\n+COPS: (2,\"Operator\",\"Op\",\"26201\",7)"), at: .seconds(11))
        #expect(channel.poll(at: .seconds(189)) == nil)
        #expect(channel.deadline == .seconds(190))
        let ended = channel.poll(at: .seconds(190))
        #expect(ended == .response(ATResponse(command: "AT+COPS=?", lines: [], binary: nil, final: .timeout)))
        // The late tail of that reply is unsolicited now, and does not disturb the next command.
        let late = channel.receive(Self.bytes("\r\n\r\nOK\r\n"), at: .seconds(191))
        #expect(late == [.unsolicited("+COPS: (2,\"Operator\",\"Op\",\"26201\",7)"), .unsolicited("OK")])
        _ = channel.send(ATCommand("AT"), at: .seconds(192))
        #expect(channel.receive(Self.bytes("\r\nOK\r\n"), at: .seconds(192)) == [.response(ATResponse(command: "AT", lines: [], binary: nil, final: .ok))])
    }

    @Test("boot chatter and URCs with no command in flight")
    func unsolicited() {
        var channel = ATChannel(urcPrefixes: Self.urcs)
        let events = channel.receive(Self.bytes("\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\n+QIURC: \"closed\",1\r\n"), at: .zero)
        #expect(events == [.unsolicited("RDY"), .urc("+CPIN: READY"), .urc("+QIURC: \"closed\",1")])
    }

    @Test("an endless line is refused once, held within the limit, and the channel recovers")
    func endlessLine() {
        var channel = ATChannel(urcPrefixes: Self.urcs, maximumLine: 1024)
        _ = channel.send(ATCommand("AT+CSQ", responsePrefix: "+CSQ:"), at: .zero)
        var events: [ATEvent] = []
        for _ in 0..<100 {
            events += channel.receive([UInt8](repeating: UInt8(ascii: "A"), count: 10_000), at: .zero)
            #expect(channel.bufferedByteCount <= 1024)
        }
        #expect(events == [.junk("a line over 1024 bytes")])
        events = channel.receive(Self.bytes("\r\n+CSQ: 20,99\r\n\r\nOK\r\n"), at: .zero)
        #expect(events == [.response(ATResponse(command: "AT+CSQ", lines: ["+CSQ: 20,99"], binary: nil, final: .ok))])
    }

    @Test("binary lengths over the limit, negative or not numbers are refused, not trusted")
    func wrongLengths() {
        var channel = ATChannel(urcPrefixes: Self.urcs, maximumBinary: 1500)
        _ = channel.send(ATCommand("AT+USORD=0,9", binary: .quoted(prefix: "+USORD:", lengthField: 1)), at: .zero)
        var events = channel.receive(Self.bytes("\r\n+USORD: 0,99999,\"xyz\"\r\nOK\r\n"), at: .zero)
        #expect(events.first == .junk("a binary length of 99999 over 1500"))
        #expect(events.last == .response(ATResponse(command: "AT+USORD=0,9", lines: ["+USORD: 0,99999,\"xyz\""], binary: nil, final: .ok)))
        _ = channel.send(ATCommand("AT+QIRD=0", binary: .followingLine(prefix: "+QIRD:", lengthField: 0)), at: .zero)
        events = channel.receive(Self.bytes("\r\n+QIRD: -5\r\n+QIRD: many\r\nOK\r\n"), at: .zero)
        #expect(events == [.response(ATResponse(command: "AT+QIRD=0", lines: ["+QIRD: -5", "+QIRD: many"], binary: nil, final: .ok))])
    }

    @Test("seeded binary junk never traps, never holds more than its bounds")
    func binaryJunk() {
        var state: UInt64 = 0x5EED
        func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        for round in 0..<50 {
            var channel = ATChannel(urcPrefixes: Self.urcs, maximumLine: 256, maximumBinary: 512, maximumResponse: 2048)
            let forms: [ATBinaryForm?] = [nil, .quoted(prefix: "+USORD:", lengthField: 1), .followingLine(prefix: "+QIRD:", lengthField: 0)]
            _ = channel.send(ATCommand("AT+X", prompt: round % 2 == 0 ? UInt8(ascii: "@") : nil, binary: forms[round % 3]), at: .zero)
            let alphabet = Self.bytes("+USORD: 0,5,\"+QIRD: 3\r\nOK\r\nERROR+CME ERROR: 1@> ,\"")
            for _ in 0..<2000 {
                let chunk = (0..<Int(next() % 64)).map { _ in next() % 3 == 0 ? UInt8(truncatingIfNeeded: next()) : alphabet[Int(next() % UInt64(alphabet.count))] }
                _ = channel.receive(chunk, at: .zero)
                #expect(channel.bufferedByteCount <= 256 + 512 + 2048)
                if !channel.isBusy { _ = channel.send(ATCommand("AT+Y", binary: forms[Int(next() % 3)]), at: .zero) }
            }
        }
    }

    @Test("a response that never ends is held within its bound; a line of quotes is one line")
    func endlessResponse() {
        var channel = ATChannel(urcPrefixes: Self.urcs, maximumLine: 4096, maximumBinary: 1024, maximumResponse: 8192)
        _ = channel.send(ATCommand("AT+CGATT=1", timeout: .seconds(180), binary: .quoted(prefix: "+USORD:", lengthField: 1)), at: .zero)
        var events: [ATEvent] = []
        for _ in 0..<10_000 { events += channel.receive(Self.bytes("x\r\n"), at: .zero) }
        #expect(events == [.junk("a response over 8192 bytes")])
        #expect(channel.bufferedByteCount <= 4096 + 8192 + 1024)
        events = channel.receive([UInt8](repeating: UInt8(ascii: "\""), count: 4000) + Self.bytes("\r\nOK\r\n"), at: .zero)
        guard case .response(let response)? = events.last else {
            Issue.record("no response: \(events.count) events")
            return
        }
        #expect(response.final == .ok && response.lines.count == 8192)
    }

    @Test("a command replaced mid-payload leaves nothing of it to swallow the next reply")
    func replacedMidPayload() {
        var channel = ATChannel(urcPrefixes: Self.urcs)
        _ = channel.send(ATCommand("AT+USORD=0,100", binary: .quoted(prefix: "+USORD:", lengthField: 1)), at: .zero)
        _ = channel.receive(Self.bytes("\r\n+USORD: 0,100,\"abc"), at: .zero)
        let (_, ended) = channel.send(ATCommand("AT"), at: .seconds(1))
        #expect(ended != nil)
        #expect(channel.receive(Self.bytes("\r\nOK\r\n"), at: .seconds(1)) == [.response(ATResponse(command: "AT", lines: [], binary: nil, final: .ok))])
    }

    @Test("fields: quoted commas, empty fields, spaces, an unterminated quote")
    func fields() {
        #expect(ATFields.after("+CSQ:", in: "+CSQ: 20, 99") == ["20", "99"])
        #expect(ATFields.split("1,5,\"a,b\",\"\",,7") == ["1", "5", "a,b", "", "", "7"])
        #expect(ATFields.split("\"open") == ["open"])
        #expect(ATFields.after("+CEREG:", in: "+CGREG: 1") == nil)
        let contrdp = ATFields.after("+CGCONTRDP:", in: "+CGCONTRDP: 1,5,\"internet\",\"10.9.146.175.255.255.255.0\",\"10.9.146.1\",\"8.8.8.8\",\"8.8.4.4\"")
        #expect(contrdp?[2] == "internet" && contrdp?[3] == "10.9.146.175.255.255.255.0" && contrdp?[5] == "8.8.8.8")
    }

    @Test("the trace masks PINs and passwords, and shows control bytes")
    func trace() {
        #expect(ATTrace.sent(ATCommand("AT+CPIN=\"1234\"")) == "AT TX: AT+CPIN=<secret>")
        #expect(ATTrace.sent(ATCommand("AT+CGAUTH=1,1,\"user\",\"hunter2\"")) == "AT TX: AT+CGAUTH=<secret>")
        #expect(ATTrace.sent(ATCommand("AT+UPSD=0,3,\"hunter2\"")) == "AT TX: AT+UPSD=<secret>")
        #expect(ATTrace.sent(ATCommand("AT+XSECRET=42", isSecret: true)) == "AT TX: AT+XSECRET=<secret>")
        #expect(ATTrace.sent(ATCommand("AT+CSQ")) == "AT TX: AT+CSQ")
        #expect(ATTrace.received(Self.bytes("\r\n+CSQ: 99,")) == "AT RX (11): <cr><lf>+CSQ: 99,")
        #expect(ATTrace.received([0x00, 0xFF]) == "AT RX (2): <0><ff>")
    }
}
