import ArgumentParser
import NetSockClient
import NetSockJSON

/// `netsockctl wifi ...`: Mbed's WiFiInterface calls, with tables as nmcli shows them.
struct WiFiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wifi", abstract: "Scan, connect, disconnect and read the signal of a Wi-Fi interface.",
        subcommands: [Scan.self, Connect.self, Disconnect.self, RSSI.self])

    struct Scan: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Access points in range: SSID, BSSID, channel, signal, security.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "A Wi-Fi interface (the first one when absent).", completion: .custom(completeInterfaceNames)) var interface: String?
        @Option(help: "At most this many (Mbed's scan count).") var count: Int?

        func run() throws {
            let name = try wifiInterface(self.interface, self.options)
            let list = try self.options.call(API.WiFiScan(interface: name, count: self.count))
            let output = self.options.output
            try output.show(list.json) {
                let rows = list.value.map { ap in
                    [ap.ssid.isEmpty ? "--" : ap.ssid, ap.bssid, String(ap.channel), "\(ap.rssi) dBm", ap.security.rawValue]
                }
                return output.table(["SSID", "BSSID", "CHAN", "SIGNAL", "SECURITY"], rows)
            }
        }
    }

    struct Connect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect to a network (Mbed's connect(ssid, pass, security, channel)) and wait for an address (admin).",
            discussion: "The passphrase is a secret: it is read from --pass-file or --pass-stdin (the first line), never from the command line.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The network's SSID.") var ssid: String
        @Option(help: "none, wep, wpa, wpa2, wpa_wpa2, wpa3 or wpa3_wpa2 (default: wpa2 with a passphrase, none without).") var security: String?
        @Option(help: "Keep to this channel.") var channel: Int?
        // --secret-file and --secret-stdin as `call` takes a secret, for the same scripts.
        @Option(name: [.customLong("pass-file"), .customLong("secret-file")], help: "Read the passphrase from this file (its first line).")
        var passFile: String?
        @Flag(name: [.customLong("pass-stdin"), .customLong("secret-stdin")], help: "Read the passphrase from stdin (the first line).")
        var passStdin = false
        @Option(help: "A Wi-Fi interface (the first one when absent).", completion: .custom(completeInterfaceNames)) var interface: String?

        func validate() throws {
            if self.passFile != nil && self.passStdin { throw ValidationError("give --pass-file or --pass-stdin, not both") }
            if let security, API.SecurityType(rawValue: security) == nil { throw ValidationError("--security: no such kind \(security)") }
        }

        func run() throws {
            let name = try wifiInterface(self.interface, self.options)
            var pass: String?
            if self.passFile != nil || self.passStdin {
                let bytes = try readSource(self.passStdin ? "-" : "@" + (self.passFile ?? ""))
                pass = String(decoding: bytes.prefix { $0 != 0x0A && $0 != 0x0D }, as: UTF8.self)
            }
            let security = self.security.flatMap(API.SecurityType.init(rawValue:)) ?? (pass == nil ? .none : .wpa2)
            let result = try self.options.call(API.InterfaceConnect(interface: name, ssid: self.ssid, pass: pass, security: security, channel: self.channel))
            try self.options.output.show(result.json) { [result.value.status.rawValue] }
        }
    }

    struct Disconnect: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disconnect from the network (admin).")
        @OptionGroup var options: GlobalOptions
        @Option(help: "A Wi-Fi interface (the first one when absent).", completion: .custom(completeInterfaceNames)) var interface: String?

        func run() throws {
            let name = try wifiInterface(self.interface, self.options)
            let result = try self.options.call(API.InterfaceDisconnect(interface: name))
            try self.options.output.show(result.json) { [result.value.status.rawValue] }
        }
    }

    struct RSSI: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The link's signal in dBm (0 when not connected).")
        @OptionGroup var options: GlobalOptions
        @Option(help: "A Wi-Fi interface (the first one when absent).", completion: .custom(completeInterfaceNames)) var interface: String?

        func run() throws {
            let name = try wifiInterface(self.interface, self.options)
            let result = try self.options.call(API.WiFiRSSI(interface: name))
            try self.options.output.show(result.json) { ["\(result.value.rssi) dBm"] }
        }
    }
}

/// The named interface, or the first Wi-Fi one.
func wifiInterface(_ name: String?, _ options: GlobalOptions) throws -> String {
    if let name { return name }
    let list = try options.call(API.InterfaceList())
    guard let first = list.value.first(where: { $0.type == .wifi }) else {
        Terminal.current.err("netsockctl: no Wi-Fi interface is configured")
        throw ExitCode(ExitStatus.notFound.rawValue)
    }
    return first.name
}

/// One line for a station, as nmcli names a Wi-Fi connection: state, network, access point.
func wifiSummary(_ details: API.WiFiDetails) -> String {
    var line = details.state
    if let ssid = details.ssid { line += details.state == "connected" ? " to \(ssid.isEmpty ? "--" : ssid)" : " (\(ssid))" }
    var extras: [String] = []
    if let bssid = details.bssid { extras.append(bssid) }
    if let security = details.security { extras.append(security.rawValue) }
    return extras.isEmpty ? line : line + " (" + extras.joined(separator: ", ") + ")"
}
