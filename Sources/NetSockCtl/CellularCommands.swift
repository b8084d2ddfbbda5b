import ArgumentParser
import NetSockClient
import NetSockJSON

/// `netsockctl cellular ...`: a modem's state, and one raw AT command for when it misbehaves.
struct CellularCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cellular", abstract: "A cellular interface's modem: its state, and raw AT commands.", subcommands: [Info.self, AT.self])

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "IMEI, operator, registration, signal and state of the modem.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "A cellular interface (the first one when absent).", completion: .custom(completeInterfaceNames)) var interface: String?

        func run() throws {
            let name = try cellularInterface(self.interface, self.options)
            let info = try self.options.call(API.CellularInfo(interface: name))
            try self.options.output.show(info.json) {
                let value = info.value
                return [
                    ("state", value.state), ("operator", value.operator ?? "-"), ("register", value.registration ?? "-"),
                    ("signal", value.rssi.map { "\($0) dBm" } ?? "-"), ("address", value.address ?? "-"), ("imei", value.imei ?? "-"),
                    ("dialect", value.dialect),
                ].map { key, text in self.options.output.bold(key + String(repeating: " ", count: 8 - key.count)) + "  " + text }
                    + (value.error.map { [self.options.output.bold("error   ") + "  " + $0] } ?? [])
            }
        }
    }

    struct AT: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send one AT command to the modem and print its reply (admin).",
            discussion: "Prints the reply's lines, then its final result (OK, ERROR, +CME ERROR: n, or timeout). Exits 1 unless the final result is OK.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The command, such as AT+CSQ.") var command: String
        @Option(help: "A cellular interface (the first one when absent).", completion: .custom(completeInterfaceNames)) var interface: String?
        @Option(name: .customLong("wait-ms"), help: "How long the modem may take (default 10000).") var waitMilliseconds = 10_000

        func run() throws {
            let name = try cellularInterface(self.interface, self.options)
            let answer = try self.options.call(API.CellularAT(interface: name, command: self.command, timeoutMs: self.waitMilliseconds))
            try self.options.output.show(answer.json) { answer.value.lines + [answer.value.final] }
            if answer.value.final != "OK" { throw ExitCode(ExitStatus.errorReply.rawValue) }
        }
    }
}

/// The named interface, or the first cellular one.
func cellularInterface(_ name: String?, _ options: GlobalOptions) throws -> String {
    if let name { return name }
    let list = try options.call(API.InterfaceList())
    guard let first = list.value.first(where: { $0.type == .cellular }) else {
        Terminal.current.err("netsockctl: no cellular interface is configured")
        throw ExitCode(ExitStatus.notFound.rawValue)
    }
    return first.name
}

/// One line on a modem: state, operator and registration, signal, address.
func cellularSummary(_ details: API.CellularDetails) -> String {
    var parts = [details.state]
    if let name = details.operator { parts.append(name + (details.registration.map { " (\($0))" } ?? "")) } else if let registration = details.registration {
        parts.append(registration)
    }
    if let rssi = details.rssi { parts.append("\(rssi) dBm") }
    if let address = details.address { parts.append(address) }
    if let error = details.error { parts.append("last error: \(error)") }
    return parts.joined(separator: ", ")
}
