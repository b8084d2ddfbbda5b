import ArgumentParser
import NetSockClient
import NetSockJSON

/// `netsockctl info`: the daemon at a glance.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show the daemon's version, socket and interfaces.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let info = try self.options.call(API.DaemonInfo())
        try self.options.output.show(info.json) { Self.lines(info.value) }
    }

    /// The human view of `daemon.info`.
    static func lines(_ info: API.DaemonSummary) -> [String] {
        let interfaces = info.interfaces.joined(separator: ", ")
        let stacks = info.stacks.joined(separator: ", ")
        return [
            "netsockd \(info.version) (API \(info.apiVersion)), pid \(info.pid), up \(Self.format(Double(info.uptimeMs) / 1000)) s",
            "socket      \(info.socket)",
            "config      \(info.config)",
            "interfaces  \(interfaces.isEmpty ? "-" : interfaces) (default \(info.defaultInterface ?? "-"))",
            "stacks      \(stacks.isEmpty ? "-" : stacks)",
            "clients     \(info.clients), sockets \(info.sockets), event seq \(info.eventSeq)",
        ]
    }

    private static func format(_ seconds: Double) -> String {
        let tenths = Int((seconds * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
