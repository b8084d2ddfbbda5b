import ArgumentParser
import NetSockClient
import NetSockJSON

/// `netsockctl status`: the daemon and every interface at a glance.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "The daemon and all interfaces at a glance.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let client = try self.options.client()
        let info: APIReply<API.DaemonSummary>
        let interfaces: [APIReply<API.InterfaceDetails>]
        do {
            info = try client.reply(API.DaemonInfo(), timeoutMilliseconds: self.options.timeoutMilliseconds)
            let list = try client.call(API.InterfaceList(), timeoutMilliseconds: self.options.timeoutMilliseconds)
            let details = try client.callBatch(list.map { API.InterfaceStatus(interface: $0.name) })
            interfaces = details.compactMap { try? $0.get() }
        } catch {
            throw fail(error, options: self.options)
        }
        let output = self.options.output
        try output.show(["daemon": info.json, "interfaces": .array(interfaces.map(\.json))]) {
            let daemon = info.value
            let header = "netsockd \(daemon.version) (API \(daemon.apiVersion)), pid \(daemon.pid), "
                + "up \(daemon.uptimeMs / 1000) s, \(daemon.clients) client(s), \(daemon.sockets) socket(s)"
            let rows = interfaces.map(\.value).map { item in
                [item.name, item.type.rawValue, item.stack.rawValue, item.status.rawValue, item.ipv4?.address ?? "-", item.default ? "*" : ""]
            }
            let modems = interfaces.map(\.value).compactMap { item in item.cellular.map { "\(item.name): \(cellularSummary($0))" } }
            let stations = interfaces.map(\.value).compactMap { item in item.wifi.map { "\(item.name): \(wifiSummary($0))" } }
            return [header] + output.table(["INTERFACE", "TYPE", "STACK", "STATUS", "ADDRESS", "DEFAULT"], rows) { column, cell in
                column == 3 ? output.status(cell) : cell
            } + modems + stations
        }
    }
}
