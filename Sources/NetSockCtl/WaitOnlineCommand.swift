import ArgumentParser
import NetSockClient
import NetSockJSON
import NetSockPOSIX

/// `netsockctl wait-online`: waits until an interface is global_up (networkd-wait-online).
struct WaitOnlineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait-online", abstract: "Wait until an interface (the default one unless named) is global_up.",
        discussion: "Exits 0 once online, 3 when --timeout passes first. Shows progress on a terminal.")

    @OptionGroup var options: GlobalOptions
    @Option(help: "Interface; the default interface when absent.", completion: .custom(completeInterfaceNames)) var interface: String?

    func run() throws {
        let client = try self.options.client()
        let spinner = Spinner("wait-online", stage: "checking")
        spinner.start()
        defer { spinner.stop() }
        let end = MonotonicClock.milliseconds() + (self.options.timeoutMilliseconds < 0 ? Int.max / 2 : self.options.timeoutMilliseconds)
        do {
            let name = try self.interface ?? (client.call(API.DaemonInfo()).defaultInterface ?? "")
            // Subscribe first, then read the status: no change can fall between.
            _ = try client.call(API.EventsSubscribe(topics: [.interface]))
            var status = try client.call(API.InterfaceStatus(interface: name)).status.rawValue
            while status != "global_up" {
                spinner.update("\(name) \(status)")
                guard MonotonicClock.milliseconds() < end, let notification = try client.nextNotification(timeoutMilliseconds: end - MonotonicClock.milliseconds()) else {
                    throw ClientError.timeout
                }
                if let event = API.EventNotification(notification), event.data["interface"] == .string(name),
                    let next = event.data["status"]?.stringValue
                {
                    status = next
                }
            }
            spinner.stop()
            try self.options.output.show(["interface": .string(name), "status": "global_up"]) { ["\(name): online"] }
        } catch let exit as ExitCode {
            throw exit
        } catch let error as ClientError {
            spinner.stop()
            throw fail(error, options: self.options)
        }
    }
}
