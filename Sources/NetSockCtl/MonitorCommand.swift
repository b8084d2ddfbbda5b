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

    static let allTopics = API.EventTopic.allCases.map(\.rawValue)

    func validate() throws {
        for topic in self.topics where API.EventTopic(rawValue: topic) == nil {
            throw ValidationError("unknown topic \(topic); topics are \(Self.allTopics.joined(separator: ", "))")
        }
    }

    func run() throws {
        let terminal = Terminal.current
        let client: RPCClient
        let topics = self.topics.isEmpty ? API.EventTopic.allCases : self.topics.compactMap(API.EventTopic.init(rawValue:))
        do {
            client = try self.options.connect()
            _ = try client.call(API.EventsSubscribe(topics: topics, since: self.since.map(Int.init)), timeoutMilliseconds: self.options.timeoutMilliseconds)
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
            case API.EventNotification.method, API.EventsLostNotification.method:
                if self.options.json || self.options.jsonl {
                    terminal.out(JSONCodec.encodeString(.object(notification.params)))
                } else {
                    terminal.out(Self.line(notification))
                }
                printed += 1
            case API.StoppingNotification.method:
                terminal.err("netsockctl: the daemon is stopping")
                throw ExitCode(ExitStatus.daemonNotRunning.rawValue)
            default:
                continue
            }
        }
    }

    /// One event for people: `seq time topic event data`.
    static func line(_ notification: RPCNotification) -> String {
        if let lost = API.EventsLostNotification(notification) {
            return "!! lost events \(lost.fromSeq)...\(lost.toSeq)"
        }
        guard let event = API.EventNotification(notification) else { return "?? \(JSONCodec.encodeString(.object(notification.params)))" }
        return "\(event.seq) \(event.time) \(event.topic.rawValue) \(event.event) \(JSONCodec.encodeString(.object(event.data)))"
    }
}
