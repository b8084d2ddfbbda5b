import ArgumentParser
import NetSockClient
import NetSockJSON

/// `netsockctl sock list`.
struct SocketCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sock", abstract: "Sockets held in the daemon.", subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every client's sockets (admin), or this connection's.",
            discussion: "Admins see every client's sockets with the client's pid and uid; others see their own connection's, which for a one-shot command is none.")
        @OptionGroup var options: GlobalOptions
        @Flag(help: "Only this connection's sockets.") var mine = false

        func run() throws {
            let client = try self.options.client()
            var list: APIReply<[API.SocketRow]>
            do {
                list = try client.reply(API.SocketList(all: !self.mine), timeoutMilliseconds: self.options.timeoutMilliseconds)
            } catch .rpc(let error) where error.code == -32001 {
                list = try self.options.call(API.SocketList())
            } catch {
                throw fail(error, options: self.options)
            }
            let output = self.options.output
            try output.show(list.json) {
                func endpoint(_ value: API.Endpoint?) -> String {
                    guard let value else { return "-" }
                    let address = value.address ?? "-"
                    return (address.contains(":") ? "[\(address)]" : address) + ":\(value.port)"
                }
                let rows = list.value.map { item in
                    [
                        item.client.map(String.init) ?? "-", item.pid.map(String.init) ?? "-", String(item.socket), item.protocol.rawValue,
                        item.interface, item.state.rawValue, endpoint(item.local), endpoint(item.peer),
                    ]
                }
                return output.table(["CLIENT", "PID", "SOCKET", "PROTO", "INTERFACE", "STATE", "LOCAL", "PEER"], rows)
            }
        }
    }
}
