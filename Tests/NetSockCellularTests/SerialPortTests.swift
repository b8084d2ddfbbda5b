import NetSockPOSIX
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The serial line set up as AT drivers need it, on a pseudo-terminal (which keeps the
/// settings as a real UART's driver would).
@Suite struct SerialPortTests {
    @Test("raw, the rate asked for, flow control on request, bytes both ways unaltered")
    func setupAndBytes() throws {
        let terminal = try PseudoTerminal()
        let port = try SerialPort(path: terminal.devicePath, baudRate: 921_600, flowControl: true)
        let settings = try #require(port.settings)
        #expect(settings.raw && settings.flowControl)
        #expect(settings.inputSpeed == speed_t(B921600) && settings.outputSpeed == speed_t(B921600))
        // CR, LF and binary pass untranslated each way.
        let outbound: [UInt8] = Array("AT+CSQ\r".utf8) + [0x00, 0x0A, 0xFF]
        #expect(port.write(outbound[...]) == outbound.count)
        #expect(terminal.waitReadable(milliseconds: 2000))
        #expect(terminal.read() == outbound)
        let inbound: [UInt8] = Array("\r\n+CSQ: 20,99\r\n\r\nOK\r\n".utf8)
        #expect(terminal.write(inbound))
        var got: [UInt8] = []
        // Wait for the line itself to have bytes, not for time.
        for _ in 0..<100 where got.count < inbound.count {
            var entry = pollfd(fd: port.fileDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 2000) > 0 else { break }
            got += port.read()
        }
        #expect(got == inbound)
        let plain = try SerialPort(path: terminal.devicePath, baudRate: 115_200)
        #expect(plain.settings?.flowControl == false && plain.settings?.outputSpeed == speed_t(B115200))
    }

    @Test("a rate termios does not know, and a path that is not there, are clear errors")
    func errors() {
        #expect(throws: SystemError.self) { try SerialPort(path: "/dev/null", baudRate: 123_456) }
        #expect(throws: SystemError.self) { try SerialPort(path: "/nonexistent/ttyUSB9") }
    }
}
