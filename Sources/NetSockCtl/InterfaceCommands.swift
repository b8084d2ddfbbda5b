#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import NetSockClient
import NetSockJSON
import NetSockPOSIX
import NetSockRPC

/// `netsockctl iface ...`: Mbed's NetworkInterface calls.
struct InterfaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iface", abstract: "List, show, bring up and down, and configure interfaces.",
        subcommands: [List.self, Show.self, Up.self, Down.self, Set.self, DHCP.self, Default.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every interface with its type, stack and status.")
        @OptionGroup var options: GlobalOptions

        func run() throws {
            let list = try self.options.call(API.InterfaceList())
            let output = self.options.output
            try output.show(list.json) {
                let rows = list.value.map { item in
                    [item.name, item.type.rawValue, item.stack.rawValue, item.status.rawValue, item.default ? "*" : ""]
                }
                return output.table(["NAME", "TYPE", "STACK", "STATUS", "DEFAULT"], rows) { $0 == 3 ? output.status($1) : $1 }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One interface in detail.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Interface name.", completion: .custom(completeInterfaceNames)) var name: String

        func run() throws {
            let status = try self.options.call(API.InterfaceStatus(interface: self.name))
            try self.options.output.show(status.json) { interfaceLines(status.value, self.options.output) }
        }
    }

    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bring an interface up and wait for an address.",
            discussion: "Shows progress on a terminal. --wait-for global_up keeps waiting after a first link-local address. Exits 3 when --timeout passes first.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Interface name.", completion: .custom(completeInterfaceNames)) var name: String
        @Option(help: "local_up or global_up.") var waitFor: String = "local_up"

        func validate() throws {
            guard ["local_up", "global_up"].contains(self.waitFor) else { throw ValidationError("--wait-for takes local_up or global_up") }
        }

        func run() throws {
            let client = try self.options.client()
            let spinner = Spinner("up \(self.name)", stage: "connecting")
            var status = ""
            client.notificationHandler = { notification in
                if let progress = API.ProgressNotification(notification) { spinner.update(progress.stage) }
                if let event = API.EventNotification(notification), event.data["interface"] == .string(self.name),
                    let next = event.data["status"]?.stringValue
                {
                    status = next
                    spinner.update(next)
                }
            }
            spinner.start()
            defer { spinner.stop() }
            let deadline = self.options.timeoutMilliseconds
            do throws(ClientError) {
                _ = try client.call(API.EventsSubscribe(topics: [.interface]), timeoutMilliseconds: deadline)
                do {
                    status = try client.call(API.InterfaceConnect(interface: self.name, blocking: true), timeoutMilliseconds: deadline).status.rawValue
                } catch .rpc(let error) where error.code == -3015 {
                    // Already up (Mbed's IS_CONNECTED): that is what was asked for.
                    status = try client.call(API.InterfaceStatus(interface: self.name)).status.rawValue
                }
                if self.waitFor == "global_up" && status != "global_up" {
                    let end = MonotonicClock.milliseconds() + (deadline < 0 ? Int.max / 2 : deadline)
                    while status != "global_up" {
                        guard MonotonicClock.milliseconds() < end, let notification = try client.nextNotification(timeoutMilliseconds: end - MonotonicClock.milliseconds())
                        else { throw ClientError.timeout }
                        client.notificationHandler?(notification)
                    }
                }
            } catch {
                spinner.stop()
                throw fail(error, options: self.options)
            }
            spinner.stop()
            try self.options.output.show(["interface": .string(self.name), "status": .string(status)]) {
                ["\(self.name): \(self.options.output.status(status))"]
            }
        }
    }

    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take an interface down.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Interface name.", completion: .custom(completeInterfaceNames)) var name: String

        func run() throws {
            let result = try self.options.call(API.InterfaceDisconnect(interface: self.name))
            try self.options.output.show(result.json) { ["\(self.name): \(self.options.output.status(result.value.status.rawValue))"] }
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A static address, netmask and gateway.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Interface name.", completion: .custom(completeInterfaceNames)) var name: String
        @Option(help: "IPv4 or IPv6 address.") var address: String
        @Option(help: "Netmask (255.255.255.0) or prefix length (24).") var netmask: String
        @Option(help: "Gateway address (none when absent).") var gateway: String = ""

        func run() throws {
            let result = try self.options.call(
                API.InterfaceSetNetwork(interface: self.name, address: self.address, netmask: self.netmask, gateway: self.gateway))
            try self.options.output.show(result.json) { [] }
        }
    }

    struct DHCP: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "dhcp", abstract: "Turn DHCP on or off.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Interface name.", completion: .custom(completeInterfaceNames)) var name: String
        @Argument(help: "on or off.") var state: String

        func validate() throws {
            guard ["on", "off"].contains(self.state) else { throw ValidationError("dhcp takes on or off") }
        }

        func run() throws {
            let result = try self.options.call(API.InterfaceSetDHCP(interface: self.name, enabled: self.state == "on"))
            try self.options.output.show(result.json) { [] }
        }
    }

    struct Default: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make an interface the default for sockets and DNS.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Interface name.", completion: .custom(completeInterfaceNames)) var name: String

        func run() throws {
            let result = try self.options.call(API.InterfaceSetDefault(interface: self.name))
            try self.options.output.show(result.json) { [] }
        }
    }
}
