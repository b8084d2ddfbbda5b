import ArgumentParser
import NetSockClient
import NetSockJSON
import NetSockRPC

/// `netsockctl monitor [TOPIC...] [--since SEQ]`: prints events as they happen.
struct MonitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor", abstract: "Print events as they happen.",
        discussion: """
            With --json or --jsonl each line is the params of a wire notification (events.notify or events.lost), ready for \
            jq. Exits 6 when the daemon goes away, so `while read` loops notice.
            """)

    @OptionGroup var options: GlobalOptions

    @Argument(help: "Topics: interface, cellular, wifi, mesh, daemon (default: all).")
    var topics: [String] = []

    @Option(name: .long, help: "First replay the held events after this seq.")
    var since: Int64?

    @Option(name: .long, help: "Exit after this many events.")
    var count: Int?

    static let allTopics = ["interface", "cellular", "wifi", "mesh", "daemon"]

    func validate() throws {
        for topic in self.topics where !Self.allTopics.contains(topic) {
            throw ValidationError("unknown topic \(topic); topics are \(Self.allTopics.joined(separator: ", "))")
        }
    }

    func run() throws {
        let terminal = Terminal.current
        let client: RPCClient
        var params: JSONObject = ["topics": JSONValue(self.topics.isEmpty ? Self.allTopics : self.topics)]
        if let since { params["since"] = .integer(since) }
        do {
            client = try self.options.connect()
            _ = try client.call("events.subscribe", params, timeoutMilliseconds: self.options.timeoutMilliseconds)
        } catch {
            throw fail(error, options: self.options)
        }
        var printed = 0
        while self.count.map({ printed < $0 }) ?? true {
            let notification: RPCNotification?
            do {
                notification = try client.nextNotification(timeoutMilliseconds: -1)
            } catch {
                terminal.err("netsockctl: monitor ended: \(error)")
                throw ExitCode(ExitStatus.daemonNotRunning.rawValue)
            }
            guard let notification else { continue }
            switch notification.method {
            case "events.notify", "events.lost":
                if self.options.json || self.options.jsonl {
                    terminal.out(JSONCodec.encodeString(.object(notification.params)))
                } else {
                    terminal.out(Self.line(notification))
                }
                printed += 1
            case "daemon.stopping":
                terminal.err("netsockctl: the daemon is stopping")
                throw ExitCode(ExitStatus.daemonNotRunning.rawValue)
            default:
                continue
            }
        }
    }

    /// One event for people: `seq time topic event data`.
    static func line(_ notification: RPCNotification) -> String {
        let params = notification.params
        if notification.method == "events.lost" {
            return "!! lost events \(params["from_seq"]?.intValue ?? 0)...\(params["to_seq"]?.intValue ?? 0)"
        }
        let data = params["data"].map { JSONCodec.encodeString($0) } ?? "{}"
        return "\(params["seq"]?.intValue ?? 0) \(params["time"]?.stringValue ?? "-") "
            + "\(params["topic"]?.stringValue ?? "?") \(params["event"]?.stringValue ?? "?") \(data)"
    }
}
