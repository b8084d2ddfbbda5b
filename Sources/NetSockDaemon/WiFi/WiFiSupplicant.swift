import Logging
import NSAPI
import NetSockPOSIX
import NetSockStack
import NetSockWiFi

/// One wpa_supplicant interface driven from the reactor: a command socket (one command
/// in flight, each reply to the station in order) and an attached monitor socket for
/// events, as `wpa_cli` keeps them, around the pure `WiFiStation`.
final class WiFiSupplicant {
    let interfaceName: String
    let controlPath: String
    private let reactor: Reactor
    private let logger: Logger
    private(set) var station: WiFiStation
    private var commands: WPAControlSocket?
    private var monitor: WPAControlSocket?
    /// Commands waiting for the one in flight to be answered.
    private var queue: [(command: String, loggable: String)] = []
    /// When the reply to the command in flight is due; nil when none is in flight.
    private var replyDeadline: Int64?
    /// At the station's next deadline or the command's reply deadline, whichever is first.
    private let timer: DeadlineTimer
    /// What the station concluded (connected, failed, scanned, rssi, link lost).
    var onOutput: ((WiFiStation.Output) -> Void)?
    /// Credentials for the next connect (`wifi.set_credentials`, or connect's own).
    var credentials: WiFiStation.Credentials?
    var channel = 0
    /// The last scan, for `wifi.scan` callers joining one in flight.
    var scanWaiters: [(Result<[ScanResult], NSAPIError>) -> Void] = []
    var rssiWaiters: [(Int) -> Void] = []

    static let replyTimeoutMilliseconds = 5000

    init(interfaceName: String, controlPath: String, reactor: Reactor, logger: Logger) {
        self.interfaceName = interfaceName
        self.controlPath = controlPath
        self.reactor = reactor
        self.logger = logger
        self.station = WiFiStation()
        self.timer = DeadlineTimer(reactor: reactor)
    }

    var isOpen: Bool { self.commands != nil }

    /// Opens both sockets and attaches the monitor; DEVICE_ERROR when wpa_supplicant is not there.
    func open() throws(NSAPIError) {
        guard self.commands == nil else { return }
        do {
            let commands = try WPAControlSocket(path: self.controlPath)
            let monitor = try WPAControlSocket(path: self.controlPath)
            guard let reply = try monitor.request("ATTACH", timeoutMilliseconds: 2000), WPAReply(reply) == .ok else { throw NSAPIError.deviceError }
            try self.reactor.register(commands.fileDescriptor, interest: .readable) { [unowned self] _ in self.readReplies() }
            try self.reactor.register(monitor.fileDescriptor, interest: .readable) { [unowned self] _ in self.readEvents() }
            self.commands = commands
            self.monitor = monitor
        } catch {
            self.logger.error("interface \(self.interfaceName): cannot reach wpa_supplicant at \(self.controlPath): \(error)")
            throw .deviceError
        }
    }

    static var now: Int64 { Int64(MonotonicClock.milliseconds()) }

    /// Runs a station call's outputs: commands to the queue, conclusions to the owner.
    func apply(_ outputs: [WiFiStation.Output]) {
        for output in outputs {
            switch output {
            case .send(let command, let loggable):
                self.queue.append((command, loggable))
            default:
                self.onOutput?(output)
            }
        }
        self.sendNext()
        self.reschedule()
    }

    func withStation<T, Failure: Error>(_ body: (inout WiFiStation) throws(Failure) -> T) throws(Failure) -> T {
        try body(&self.station)
    }

    private func sendNext() {
        guard self.replyDeadline == nil, !self.queue.isEmpty, let commands else { return }
        let next = self.queue.removeFirst()
        self.logger.debug("interface \(self.interfaceName): wpa_supplicant < \(next.loggable)")
        do {
            try commands.send(next.command)
            self.replyDeadline = Self.now + Int64(Self.replyTimeoutMilliseconds)
        } catch {
            self.logger.error("interface \(self.interfaceName): wpa_supplicant went away: \(error)")
            self.apply(self.station.reply(.fail, now: Self.now))
        }
    }

    private func readReplies() {
        guard let commands else { return }
        while let datagram = commands.receive(timeoutMilliseconds: 0) {
            guard self.replyDeadline != nil else { continue }
            self.replyDeadline = nil
            let reply = WPAReply(datagram)
            self.apply(self.station.reply(reply, now: Self.now))
        }
    }

    private func readEvents() {
        guard let monitor else { return }
        while let datagram = monitor.receive(timeoutMilliseconds: 0) {
            guard let event = WPAEvent(datagram) else { continue }
            self.logger.debug("interface \(self.interfaceName): wpa_supplicant event \(event.kind)")
            self.apply(self.station.event(event, now: Self.now))
        }
    }

    private func reschedule() {
        let next = [self.station.nextDeadline, self.replyDeadline].compactMap { $0 }.min()
        self.timer.move(to: next.map { Instant(microseconds: $0 * 1000) }) { [weak self] in
            guard let self else { return }
            if let due = self.replyDeadline, Self.now >= due {
                // No reply in time: the command counts as failed, and the next may go.
                self.replyDeadline = nil
                self.apply(self.station.reply(.fail, now: Self.now))
            }
            self.apply(self.station.poll(now: Self.now))
        }
    }

    /// wpa_supplicant went away: its sockets and everything the station knew go too.
    func reset() {
        self.close()
        self.station = WiFiStation()
        self.answerScans(.failure(.deviceError))
        self.answerRSSI(0)
    }

    /// Answers every `wifi.scan` waiting (a scan in flight answers all who joined it).
    func answerScans(_ result: Result<[ScanResult], NSAPIError>) {
        let waiters = self.scanWaiters
        self.scanWaiters.removeAll()
        for waiter in waiters { waiter(result) }
    }

    /// Answers every `wifi.rssi` waiting.
    func answerRSSI(_ rssi: Int) {
        let waiters = self.rssiWaiters
        self.rssiWaiters.removeAll()
        for waiter in waiters { waiter(rssi) }
    }

    func close() {
        if let commands { self.reactor.unregister(commands.fileDescriptor) }
        if let monitor { self.reactor.unregister(monitor.fileDescriptor) }
        self.commands = nil
        self.monitor = nil
        self.queue.removeAll()
        self.replyDeadline = nil
        self.timer.move(to: nil) {}
    }
}
