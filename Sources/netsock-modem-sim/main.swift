#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import NetSockCellular
import NetSockJSON
import NetSockPOSIX

/// `netsock-modem-sim`: a cellular modem on a pseudo-terminal, for netsockd and for
/// anyone's own AT scripts: the 27.007 core of `ModemModel` with the faults a file asks for.
struct ModemSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netsock-modem-sim",
        abstract: "A simulated cellular modem on a pseudo-terminal (27.007 core, scriptable faults).",
        discussion: """
            Creates a pty and a symlink --link to its device side, which a program (netsockd's `device`, \
            minicom, your script) opens as the modem's serial port. The faults file is JSON: \
            {"cme_errors": {"AT+CGATT=1": 30}, "silent": ["AT+COPS"], "registration": [2, 3, 1], \
            "echo": true, "tick_ms": 2000}. `registration` is the <stat> the network gives, one entry per \
            query or tick, the last kept; every tick_ms the network moves on and reports it as a URC when \
            reporting is on.
            """)

    @Option(help: "ublox or quectel. Both share the 27.007 core; their socket commands come with the modem stack.") var dialect = "ublox"
    @Option(help: "The symlink to the pty's device side (replaced if it exists).") var link: String
    @Option(help: "The PIN the SIM asks for (none by default).") var pin: String?
    @Option(help: "A JSON file of faults (see above).") var faults: String?
    @Flag(help: "Print the AT trace (secrets masked) to stderr.") var trace = false

    func validate() throws {
        guard ["ublox", "quectel"].contains(self.dialect) else { throw ValidationError("--dialect is ublox or quectel") }
    }

    func run() throws {
        var modelFaults = ModemModel.Faults()
        modelFaults.pin = self.pin
        var tick: Int64 = 2000
        if let path = self.faults {
            let file = try JSONCodec.parse(try FileDescriptorIO.readFile(path, limit: 1 << 20))
            if case .object(let errors)? = file["cme_errors"] {
                for (command, code) in errors { if let code = code.intValue { modelFaults.cmeErrors[command] = Int(code) } }
            }
            if case .array(let silent)? = file["silent"] { modelFaults.silent = Set(silent.compactMap(\.stringValue)) }
            if case .array(let script)? = file["registration"] { modelFaults.registrationScript = script.compactMap { $0.intValue.map(Int.init) } }
            if case .bool(let echo)? = file["echo"] { modelFaults.echo = echo }
            if let value = file["tick_ms"]?.intValue, value > 0 { tick = value }
        }
        let terminal = try PseudoTerminal(link: self.link)
        // Written straight to the descriptor: a script waiting for this line sees it at once.
        let ready = "netsock-modem-sim: \(self.dialect) modem on \(terminal.devicePath) (\(self.link))\n"
        _ = ready.utf8CString.withUnsafeBufferPointer { Glibc.write(1, $0.baseAddress, $0.count - 1) }
        var model = ModemModel(faults: modelFaults)
        var line: [UInt8] = []
        var nextTick = MonotonicClock.milliseconds() + Int(tick)
        while true {
            if terminal.waitReadable(milliseconds: 100) {
                let bytes = terminal.read()
                for byte in bytes {
                    if byte == 13 || byte == 10 {
                        guard !line.isEmpty else { continue }
                        let command = String(decoding: line, as: UTF8.self)
                        line.removeAll(keepingCapacity: true)
                        let reply = model.reply(to: command)
                        if self.trace {
                            // The command as the trace masks it (never a PIN), then the reply.
                            FileHandleStandardError.print("modem got " + ATTrace.sent(ATCommand(command)).dropFirst("AT TX: ".count))
                            FileHandleStandardError.print("modem sent " + ATTrace.received(reply))
                        }
                        terminal.write(reply)
                    } else if line.count < 4096 {
                        line.append(byte)
                    }
                }
            }
            let now = MonotonicClock.milliseconds()
            if now >= nextTick {
                nextTick = now + Int(tick)
                let urc = model.tick()
                if !urc.isEmpty { terminal.write(urc) }
            }
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
