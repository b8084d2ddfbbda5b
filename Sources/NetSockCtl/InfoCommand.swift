import ArgumentParser
import NetSockClient
import NetSockJSON

/// `netsockctl info`: the daemon at a glance.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show the daemon's version, socket and interfaces.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let info: JSONValue
        do {
            info = try self.options.connect().call("daemon.info", timeoutMilliseconds: self.options.timeoutMilliseconds)
        } catch {
            throw fail(error, options: self.options)
        }
        try self.options.output.show(info) { Self.lines(info) }
    }

    /// The human view of `daemon.info`.
    static func lines(_ info: JSONValue) -> [String] {
        func text(_ key: String) -> String {
            switch info[key] {
            case .string(let value)?: value
            case .integer(let value)?: String(value)
            case nil, .null?: "-"
            case let other?: JSONCodec.encodeString(other)
            }
        }
        let uptime = Double(info["uptime_ms"]?.intValue ?? 0) / 1000
        let interfaces = info["interfaces"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", ") ?? ""
        let stacks = info["stacks"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", ") ?? ""
        return [
            "netsockd \(text("version")) (API \(text("api_version"))), pid \(text("pid")), up \(Self.format(uptime)) s",
            "socket      \(text("socket"))",
            "config      \(text("config"))",
            "interfaces  \(interfaces.isEmpty ? "-" : interfaces) (default \(text("default_interface")))",
            "stacks      \(stacks.isEmpty ? "-" : stacks)",
            "clients     \(text("clients")), sockets \(text("sockets")), event seq \(text("event_seq"))",
        ]
    }

    private static func format(_ seconds: Double) -> String {
        let tenths = Int((seconds * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
