import ArgumentParser
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
            var list: JSONValue
            do {
                list = try client.call("socket.list", self.mine ? [:] : ["all": true], timeoutMilliseconds: self.options.timeoutMilliseconds)
            } catch .rpc(let error) where error.code == -32001 {
                list = try self.options.call("socket.list")
            } catch {
                throw fail(error, options: self.options)
            }
            let output = self.options.output
            try output.show(list) {
                func endpoint(_ value: JSONValue?) -> String {
                    guard let value, !value.isNull else { return "-" }
                    let address = value["address"]?.cell ?? "-"
                    return (address.contains(":") ? "[\(address)]" : address) + ":\(value["port"]?.cell ?? "0")"
                }
                let rows = (list.arrayValue ?? []).map { item in
                    [
                        item["client"]?.cell ?? "-", item["pid"]?.cell ?? "-", item["socket"]?.cell ?? "-", item["protocol"]?.cell ?? "-",
                        item["interface"]?.cell ?? "-", item["state"]?.cell ?? "-", endpoint(item["local"]), endpoint(item["peer"]),
                    ]
                }
                return output.table(["CLIENT", "PID", "SOCKET", "PROTO", "INTERFACE", "STATE", "LOCAL", "PEER"], rows)
            }
        }
    }
}
