import ArgumentParser
import NetSockClient
import NetSockJSON

/// `netsockctl status`: the daemon and every interface at a glance.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "The daemon and all interfaces at a glance.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let client = try self.options.client()
        let info: JSONValue
        let interfaces: [JSONValue]
        do {
            info = try client.call("daemon.info", timeoutMilliseconds: self.options.timeoutMilliseconds)
            let list = try client.call("interface.list", timeoutMilliseconds: self.options.timeoutMilliseconds).arrayValue ?? []
            let details = try client.callBatch(list.map { ("interface.status", ["interface": $0["name"] ?? .null]) })
            interfaces = details.compactMap { try? $0.get() }
        } catch {
            throw fail(error, options: self.options)
        }
        let output = self.options.output
        try output.show(["daemon": info, "interfaces": .array(interfaces)]) {
            let uptime = Double(info["uptime_ms"]?.intValue ?? 0) / 1000
            let header = "netsockd \(info["version"]?.cell ?? "?") (API \(info["api_version"]?.cell ?? "?")), pid \(info["pid"]?.cell ?? "?"), "
                + "up \(Int(uptime)) s, \(info["clients"]?.cell ?? "0") client(s), \(info["sockets"]?.cell ?? "0") socket(s)"
            let rows = interfaces.map { item in
                [
                    item["name"]?.cell ?? "-", item["type"]?.cell ?? "-", item["stack"]?.cell ?? "-", item["status"]?.cell ?? "-",
                    item["ipv4"]?["address"]?.cell ?? "-", item["default"] == true ? "*" : "",
                ]
            }
            return [header] + output.table(["INTERFACE", "TYPE", "STACK", "STATUS", "ADDRESS", "DEFAULT"], rows) { column, cell in
                column == 3 ? output.status(cell) : cell
            }
        }
    }
}
