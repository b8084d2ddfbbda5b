#if canImport(Glibc)
import Glibc
#endif
import Logging
import NSAPI
import NetSockCellular
import NetSockPOSIX
import NetSockStack

/// A modem on a serial line, driven by the reactor: the I/O and the clock of the pure
/// `ModemStack`. The port opens at `interface.connect` and closes at `disconnect`; the
/// stack and its sockets live as long as the interface.
final class CellularModem {
    let interfaceName: String
    let device: String
    let options: DaemonConfiguration.CellularOptions
    let stack: ModemStack
    private let reactor: Reactor
    private let logger: Logger
    private var port: SerialPort?
    private var output = ByteQueue()
    private let timer: DeadlineTimer
    private var deliveryScheduled = false
    /// What the modem last said of itself, for `cellular.info` and `interface.status`.
    var signalDBm: Int?
    var registration: CellularReplies.Registration?
    var imei: String?
    var operatorName: String?
    var lastFailure: String?
    /// The AT trace (secrets masked) goes to the log at info level when the config asks.
    var traceEnabled: Bool

    /// Serial output held while the line is busy; past it the modem is hung and the
    /// connection is dropped rather than growing without bound.
    static let outputLimit = 1 << 20

    init(configuration: DaemonConfiguration.Interface, dialect: any ModemSocketDialect, reactor: Reactor, logger: Logger) {
        self.interfaceName = configuration.name
        self.device = configuration.device ?? ""
        self.options = configuration.cellular
        self.reactor = reactor
        self.timer = DeadlineTimer(reactor: reactor)
        self.logger = logger
        self.traceEnabled = configuration.cellular.trace
        var write: (([UInt8]) -> Void)?
        self.stack = ModemStack(dialect: dialect, now: { CellularModem.now }, transmit: { write?($0) })
        write = { [unowned self] bytes in self.write(bytes) }
        self.stack.onDeferredEvents = { [unowned self] in self.scheduleDelivery() }
    }

    static var now: Instant { DeadlineTimer.now }

    var isOpen: Bool { self.port != nil && self.closeTimer == nil }
    /// The line closes once the modem answered the disconnect's commands, or at this timer.
    private var closeTimer: Reactor.TimerID?
    static let closeGraceNanoseconds: UInt64 = 3_000_000_000

    /// Opens the serial line and starts serving it (a line closing is kept open instead).
    func open() throws(SystemError) {
        if let closeTimer {
            self.reactor.cancel(closeTimer)
            self.closeTimer = nil
            return
        }
        guard self.port == nil else { return }
        let port = try SerialPort(path: self.device, baudRate: self.options.baudRate, flowControl: self.options.flowControl)
        try self.reactor.register(port.fileDescriptor, interest: .readable) { [unowned self] events in self.service(events) }
        self.port = port
        self.logger.info("interface \(self.interfaceName): modem on \(self.device) at \(self.options.baudRate) baud, \(self.stack.dialect.name) sockets")
    }

    /// Deactivates the context, turns the radio off, and closes the line once the modem
    /// answered (or after a grace period); the stack's sockets fail until the next open.
    func close() {
        guard self.port != nil, self.closeTimer == nil else { return }
        self.stack.disconnect()
        self.reschedule()
        if self.stack.isIdle { return self.closeNow() }
        self.closeTimer = self.reactor.schedule(afterNanoseconds: Self.closeGraceNanoseconds) { [weak self] in self?.closeNow() }
    }

    /// Closes the line at once: what the modem still owed is abandoned.
    private func closeNow() {
        if let closeTimer { self.reactor.cancel(closeTimer) }
        self.closeTimer = nil
        guard let port = self.port else { return }
        self.reactor.unregister(port.fileDescriptor)
        self.port = nil
        self.output.removeAll()
        self.stack.lineClosed()
        self.reschedule()
    }

    // MARK: Driving

    /// The line hung up (the modem went away); the port is already closed.
    var onLineLost: (() -> Void)?

    private func service(_ events: Reactor.Events) {
        guard let port = self.port else { return }
        if events.contains(.hangup) {
            let closing = self.closeTimer != nil
            self.closeNow()
            if !closing {
                self.logger.error("interface \(self.interfaceName): the modem's line \(self.device) hung up")
                self.onLineLost?()
            }
            return
        }
        // A bounded amount per turn: the descriptor stays readable and the reactor comes back.
        for _ in 0..<16 {
            let bytes = port.read(maximum: 16_384)
            if bytes.isEmpty { break }
            self.stack.received(bytes)
        }
        self.writePending()
        self.reschedule()
        if self.closeTimer != nil && self.stack.isIdle { self.closeNow() }
    }

    private func write(_ bytes: [UInt8]) {
        guard self.port != nil else { return }
        self.output.append(contentsOf: bytes)
        if self.output.count > Self.outputLimit {
            self.logger.error("interface \(self.interfaceName): the modem takes no more input; dropping what waits for it")
            self.output.removeAll()
        }
        self.writePending()
    }

    private func writePending() {
        guard let port = self.port else { return }
        while !self.output.isEmpty {
            let written = port.write(self.output.peek(65_536))
            if written <= 0 { break }
            self.output.drop(written)
        }
        let interest: Reactor.Events = self.output.isEmpty ? .readable : [.readable, .writable]
        if self.reactor.interest(of: port.fileDescriptor) != interest {
            self.reactor.setInterest(port.fileDescriptor, interest)
        }
    }

    /// Socket events from inside a socket call, told on the next turn.
    private func scheduleDelivery() {
        guard !self.deliveryScheduled else { return }
        self.deliveryScheduled = true
        self.reactor.deferToNextTick { [weak self] in
            guard let self else { return }
            self.deliveryScheduled = false
            self.stack.deliverEvents()
            self.reschedule()
        }
    }

    /// The reactor's timer at the stack's next deadline (a command's timeout, a retry, a poll).
    func reschedule() {
        self.timer.move(to: self.stack.nextDeadline) { [weak self] in
            guard let self else { return }
            self.stack.poll()
            self.reschedule()
        }
    }
}
