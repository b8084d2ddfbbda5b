import NetSockCellular
import NetSockStack
import Testing

/// The vendors' socket commands, built and read through a real `ATChannel` on the
/// replies their manuals and Mbed's drivers show.
@Suite struct ModemSocketDialectTests {
    /// Sends `command` through a channel and feeds it `reply`; the response.
    func exchange(_ command: ATCommand, _ reply: String, urcs: [String]) -> (ATResponse?, [String], Bool) {
        var channel = ATChannel(urcPrefixes: urcs)
        _ = channel.send(command, at: .zero)
        var response: ATResponse?
        var seen: [String] = []
        var prompted = false
        for event in channel.receive(Array(reply.utf8), at: .zero) {
            switch event {
            case .response(let value): response = value
            case .urc(let line): seen.append(line)
            case .prompt: prompted = true
            default: break
            }
        }
        return (response, seen, prompted)
    }

    @Test("u-blox: create, connect, write after @, read quoted bytes, UDP with its sender, close, DNS, URCs")
    func ublox() throws {
        let dialect = UbloxSockets()
        let open = dialect.open(tcp: true, id: 0, remote: nil, contextID: 1)
        #expect(open.text == "AT+USOCR=6")
        let created = try #require(self.exchange(open, "\r\n+USOCR: 3\r\n\r\nOK\r\n", urcs: dialect.urcPrefixes).0)
        #expect(dialect.openedSocket(created, id: 0) == 3)
        #expect(dialect.connect(socket: 3, address: "192.0.2.7", port: 7)?.text == "AT+USOCO=3,\"192.0.2.7\",7")
        let write = dialect.send(socket: 3, Array("hello".utf8), to: nil)
        #expect(write.text == "AT+USOWR=3,5" && write.prompt == UInt8(ascii: "@") && write.payload == Array("hello".utf8))
        let (written, _, prompted) = self.exchange(write, "\r\n@\r\n+USOWR: 3,5\r\n\r\nOK\r\n", urcs: dialect.urcPrefixes)
        let writeResponse = try #require(written)
        #expect(prompted && dialect.sent(writeResponse, payload: 5) == 5)
        let read = dialect.receive(socket: 3, maximum: 5000, udp: false)
        #expect(read.text == "AT+USORD=3,1024")
        let (got, urcs, _) = self.exchange(read, "\r\n+USORD: 3,6,\"a\"b\r\nc\"\r\n\r\n+UUSORD: 3,10\r\n\r\nOK\r\n", urcs: dialect.urcPrefixes)
        let readResponse = try #require(got)
        #expect(dialect.received(readResponse)?.bytes == Array("a\"b\r\nc".utf8))
        #expect(urcs.map(dialect.event) == [.dataReady(socket: 3, bytes: 10)])
        let udp = dialect.receive(socket: 4, maximum: 100, udp: true)
        let (datagram, _, _) = self.exchange(udp, "\r\n+USORF: 4,\"198.51.100.9\",53,3,\"xyz\"\r\n\r\nOK\r\n", urcs: dialect.urcPrefixes)
        let datagramResponse = try #require(datagram)
        let parsed = dialect.received(datagramResponse)
        #expect(parsed?.bytes == Array("xyz".utf8) && parsed?.from?.address == "198.51.100.9" && parsed?.from?.port == 53)
        let sendTo = dialect.send(socket: 4, [1, 2], to: ("198.51.100.9", 53))
        #expect(sendTo.text == "AT+USOST=4,\"198.51.100.9\",53,2")
        let (dns, _, _) = self.exchange(dialect.resolve("echo.netsock.test", contextID: 1), "\r\n+UDNSRN: \"192.0.2.7\"\r\n\r\nOK\r\n", urcs: dialect.urcPrefixes)
        let dnsResponse = try #require(dns)
        #expect(dialect.resolved(dnsResponse.lines) == "192.0.2.7")
        #expect(dialect.event("+UUSOCL: 3") == .closed(socket: 3))
        #expect(dialect.event("+UUPSDD: 0") == .contextLost)
        #expect(dialect.event("+UUSORD: x,1") == nil)
    }

    @Test("Quectel: open with its +QIOPEN outcome, send after >, read the following bytes, UDP, close, DNS by URCs")
    func quectel() throws {
        let dialect = QuectelSockets()
        let open = dialect.open(tcp: true, id: 2, remote: ("192.0.2.7", 7), contextID: 1)
        #expect(open.text == "AT+QIOPEN=1,2,\"TCP\",\"192.0.2.7\",7,0,0")
        let (opened, urcs, _) = self.exchange(open, "\r\nOK\r\n\r\n+QIOPEN: 2,0\r\n", urcs: dialect.urcPrefixes)
        let openResponse = try #require(opened)
        #expect(dialect.openedSocket(openResponse, id: 2) == 2)
        #expect(urcs.map(dialect.event) == [.opened(socket: 2, error: 0)])
        #expect(dialect.connect(socket: 2, address: "192.0.2.7", port: 7) == nil)
        let send = dialect.send(socket: 2, Array("hello".utf8), to: nil)
        #expect(send.text == "AT+QISEND=2,5" && send.prompt == UInt8(ascii: ">"))
        let (sent, _, prompted) = self.exchange(send, "\r\n> \r\nSEND OK\r\n", urcs: dialect.urcPrefixes)
        let sendResponse = try #require(sent)
        #expect(prompted && dialect.sent(sendResponse, payload: 5) == 5)
        let (failed, _, _) = self.exchange(send, "\r\n> \r\nSEND FAIL\r\n", urcs: dialect.urcPrefixes)
        let failResponse = try #require(failed)
        // SEND FAIL is a full buffer: nothing taken, the stack tries again later.
        #expect(dialect.sent(failResponse, payload: 5) == 0)
        let read = dialect.receive(socket: 2, maximum: 4000, udp: false)
        #expect(read.text == "AT+QIRD=2,1460")
        let (got, more, _) = self.exchange(read, "\r\n+QIRD: 4\r\nab\r\n\r\n+QIURC: \"recv\",2\r\n\r\nOK\r\n", urcs: dialect.urcPrefixes)
        let qirdResponse = try #require(got)
        #expect(dialect.received(qirdResponse)?.bytes == Array("ab\r\n".utf8))
        #expect(more.map(dialect.event) == [.dataReady(socket: 2, bytes: nil)])
        let (empty, _, _) = self.exchange(read, "\r\n+QIRD: 0\r\n\r\nOK\r\n", urcs: dialect.urcPrefixes)
        let emptyResponse = try #require(empty)
        #expect(dialect.received(emptyResponse)?.bytes == [])
        let (datagram, _, _) = self.exchange(dialect.receive(socket: 5, maximum: 100, udp: true), "\r\n+QIRD: 3,\"198.51.100.9\",53\r\nxyz\r\nOK\r\n", urcs: dialect.urcPrefixes)
        let udpResponse = try #require(datagram)
        let parsed = dialect.received(udpResponse)
        #expect(parsed?.bytes == Array("xyz".utf8) && parsed?.from?.address == "198.51.100.9" && parsed?.from?.port == 53)
        #expect(dialect.open(tcp: false, id: 5, remote: nil, contextID: 1).text == "AT+QIOPEN=1,5,\"UDP SERVICE\",\"127.0.0.1\",0,0,0")
        #expect(dialect.resolved(["+QIURC: \"dnsgip\",0,1,600", "+QIURC: \"dnsgip\",\"192.0.2.7\""]) == "192.0.2.7")
        #expect(dialect.event("+QIURC: \"closed\",2") == .closed(socket: 2))
        #expect(dialect.event("+QIURC: \"pdpdeact\",1") == .contextLost)
        #expect(dialect.event("+QIURC: \"recv\"") == nil)
    }
}
