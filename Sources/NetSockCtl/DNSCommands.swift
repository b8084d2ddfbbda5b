import ArgumentParser
import NetSockJSON

/// `netsockctl dns ...`: the daemon's resolver.
struct DNSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns", abstract: "Resolve names and manage DNS servers.", subcommands: [Resolve.self, Servers.self, Add.self, Reset.self])

    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resolve a host name (first address, or all with --all).")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Host name or IP literal.") var name: String
        @Flag(name: .customShort("4"), help: "IPv4 only.") var ipv4 = false
        @Flag(name: .customShort("6"), help: "IPv6 only.") var ipv6 = false
        @Flag(help: "Every address, one per line.") var all = false
        @Option(help: "Interface whose servers to ask.", completion: .custom(completeInterfaceNames)) var interface: String?

        func validate() throws {
            if self.ipv4 && self.ipv6 { throw ValidationError("give -4 or -6, not both") }
        }

        func run() throws {
            var params: JSONObject = ["name": .string(self.name), "version": .string(self.ipv4 ? "ipv4" : self.ipv6 ? "ipv6" : "any")]
            if let interface { params["interface"] = .string(interface) }
            let answer = try self.options.call("dns.gethostbyname", params)
            try self.options.output.show(answer) {
                self.all ? (answer["addresses"]?.arrayValue ?? []).map(\.cell) : [answer["address"]?.cell ?? ""]
            }
        }
    }

    struct Servers: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The servers asked, in order.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "Interface.", completion: .custom(completeInterfaceNames)) var interface: String?

        func run() throws {
            var params: JSONObject = [:]
            if let interface { params["interface"] = .string(interface) }
            let servers = try self.options.call("dns.servers", params)
            try self.options.output.show(servers) { (servers.arrayValue ?? []).map(\.cell) }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put a server in front of the list.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Address with optional port: 192.0.2.53, [2001:db8::53]:5353.") var address: String
        @Option(help: "Only for this interface.", completion: .custom(completeInterfaceNames)) var interface: String?

        func run() throws {
            var params: JSONObject = ["address": .string(self.address)]
            if let interface { params["interface"] = .string(interface) }
            try self.options.output.show(try self.options.call("dns.add_server", params)) { [] }
        }
    }

    struct Reset: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Empty the cache and drop queries in flight.")
        @OptionGroup var options: GlobalOptions

        func run() throws {
            try self.options.output.show(try self.options.call("dns.reset")) { [] }
        }
    }
}
