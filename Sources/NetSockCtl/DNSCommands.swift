import ArgumentParser
import NetSockClient
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
            let version: API.IPVersion = self.ipv4 ? .ipv4 : self.ipv6 ? .ipv6 : .any
            let answer = try self.options.call(API.DNSGetHostByName(name: self.name, version: version, interface: self.interface))
            try self.options.output.show(answer.json) { self.all ? answer.value.addresses : [answer.value.address] }
        }
    }

    struct Servers: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The servers asked, in order.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "Interface.", completion: .custom(completeInterfaceNames)) var interface: String?

        func run() throws {
            let servers = try self.options.call(API.DNSServers(interface: self.interface))
            try self.options.output.show(servers.json) { servers.value }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put a server in front of the list.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Address with optional port: 192.0.2.53, [2001:db8::53]:5353.") var address: String
        @Option(help: "Only for this interface.", completion: .custom(completeInterfaceNames)) var interface: String?

        func run() throws {
            try self.options.output.show(try self.options.call(API.DNSAddServer(address: self.address, interface: self.interface)).json) { [] }
        }
    }

    struct Reset: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Empty the cache and drop queries in flight.")
        @OptionGroup var options: GlobalOptions

        func run() throws {
            try self.options.output.show(try self.options.call(API.DNSReset()).json) { [] }
        }
    }
}
