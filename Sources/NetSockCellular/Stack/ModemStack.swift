public import NSAPI
public import NetSockStack

/// What the modem stack tells its owner besides socket events.
public enum CellularNotice: Sendable, Equatable {
    /// A step of the 27.007 state machine (states, retries, signal, registration,
    /// connected, lost, failed).
    case machine(CellularStateMachine.Output)
    /// The modem's socket layer reported the context gone (`+UUPSDD`, `+QIURC: "pdpdeact"`).
    case contextLost(String)
    /// A line of the AT trace, secrets masked.
    case trace(String)
}

/// The `modem` stack: sockets inside a cellular modem's own IP stack, driven through
/// one `ATChannel` by a socket dialect, plus the one Non-IP (NIDD) socket and the
/// 27.007 state machine that brings the context up. Pure: bytes from the modem come in
/// through `received`, bytes for it leave through `transmit`, time is `now()`, and the
/// owner calls `poll` by `nextDeadline`.
///
/// Every `NetworkStack` call answers at once from the sockets' buffers; the AT commands
/// that move the bytes run one at a time behind them, in the order they were asked.
public final class ModemStack: NetworkStack {
    public let name = "modem"
    public var eventHandler: ((SocketHandle) -> Void)?
    public var onNotice: ((CellularNotice) -> Void)?
    /// A socket call started commands or left socket events to tell: the owner calls
    /// `deliverEvents` soon, outside that call (the socket layer is never re-entered from
    /// inside its own call), and looks at `nextDeadline` again.
    public var onDeferredEvents: (() -> Void)?
    public let dialect: any ModemSocketDialect
    /// TCP bytes held per socket each way (a few of the modem's payloads).
    public let streamBuffer: Int
    /// Datagrams held per socket each way.
    public let datagramQueue: Int
    /// How often open sockets are read without a data URC, so a lost one costs a delay, not the data.
    public var pollInterval = TimeSpan.seconds(1)
    /// After a write shutdown, how long the peer must be quiet before the socket closes (as `nc -q`).
    public var halfCloseLinger = TimeSpan.seconds(2)

    private let now: () -> Instant
    private let transmit: ([UInt8]) -> Void
    private var channel: ATChannel
    private var machine: CellularStateMachine?
    var sockets: [SocketHandle: ModemSocket] = [:]
    private var nextHandle = 1
    private var jobs: [Job] = []
    private var jobHead = 0
    private var running: Running?
    /// Modem socket numbers being closed: not reused until the modem said so.
    private var closing: Set<Int> = []
    private var nextSocketPoll: Instant?
    /// Sockets whose last send the modem could not take, retried at `sendRetry`.
    private var stalledSends: Set<SocketHandle> = []
    private var sendRetry: Instant?
    static let sendRetryDelay = TimeSpan.milliseconds(20)
    /// The context the sockets use, once connected.
    public private(set) var contextID: Int?
    public private(set) var isConnected = false
    public private(set) var contextParameters: CellularReplies.ContextParameters?
    public private(set) var address: String?
    private var notices: [CellularNotice] = []
    private var pendingEvents: [SocketHandle] = []

    enum Job {
        case machine(ATCommand)
        case admin(ATCommand, (ATResponse) -> Void)
        case plain(ATCommand)
        case open(SocketHandle)
        case connect(SocketHandle)
        case send(SocketHandle)
        case receive(SocketHandle)
        case close(Int)
    }

    private enum Running {
        case machine
        case admin((ATResponse) -> Void)
        case plain
        case open(SocketHandle, id: Int)
        case connect(SocketHandle)
        case send(SocketHandle, count: Int)
        case receive(SocketHandle)
        case close(Int)
    }

    public init(
        dialect: any ModemSocketDialect, now: @escaping () -> Instant, transmit: @escaping ([UInt8]) -> Void, streamBuffer: Int = 16_384,
        datagramQueue: Int = 16
    ) {
        self.dialect = dialect
        self.now = now
        self.transmit = transmit
        self.streamBuffer = streamBuffer
        self.datagramQueue = datagramQueue
        let prefixes = ["+CEREG:", "+CGREG:", "+CREG:", "+CGEV:", ControlPlaneData.urcPrefix] + dialect.urcPrefixes
        self.channel = ATChannel(urcPrefixes: prefixes, maximumBinary: Swift.max(4096, dialect.maximumPayload))
    }

    /// When `poll` is next due: a command's timeout, a retry or registration poll, a socket poll.
    public var nextDeadline: Instant? { [self.channel.deadline, self.machine?.nextDeadline, self.nextSocketPoll, self.sendRetry].compactMap { $0 }.min() }

    /// The state machine's state, nil before the first connect.
    public var state: CellularStateMachine.State? { self.machine?.state }

    // MARK: The interface

    /// Runs the 27.007 sequence from power-on to an active context.
    public func connect(settings: CellularStateMachine.Settings) {
        var machine = CellularStateMachine(settings: settings)
        let outputs = machine.start(at: self.now())
        self.machine = machine
        self.apply(outputs)
        self.flush()
    }

    /// Deactivates the context and forgets the modem's sockets; the client's sockets stay
    /// open and fail with NO_CONNECTION until the next connect.
    ///
    /// The context is deactivated and the radio turned off (`AT+CFUN=0`, as Mbed's
    /// `CellularDevice::shutdown`); an administrator's commands still queued stay queued.
    public func disconnect() {
        let cid = self.contextID
        self.machine = nil
        self.contextLost()
        let admins = self.jobs[self.jobHead...].filter { if case .admin = $0 { true } else { false } }
        self.jobs = Array(admins)
        self.jobHead = 0
        if let cid { self.enqueue(.plain(ATCommand("AT+CGACT=0,\(cid)", timeout: .seconds(40)))) }
        self.enqueue(.plain(ATCommand("AT+CFUN=0", timeout: .seconds(10))))
        self.flush()
    }

    /// Nothing in flight and nothing queued: the line may close without cutting a command.
    public var isIdle: Bool { self.running == nil && self.jobHead == self.jobs.count }

    /// The serial line closed: what was in flight or queued will never be answered. An
    /// administrator's commands end with `.timeout`, the channel starts afresh.
    public func lineClosed() {
        var abandoned: [(ATResponse) -> Void] = []
        if case .admin(let completion)? = self.running { abandoned.append(completion) }
        for job in self.jobs[self.jobHead...] { if case .admin(_, let completion) = job { abandoned.append(completion) } }
        self.running = nil
        self.jobs.removeAll()
        self.jobHead = 0
        self.channel = ATChannel(urcPrefixes: self.channel.urcPrefixes, maximumBinary: self.channel.maximumBinary)
        self.machine = nil
        self.contextLost()
        for completion in abandoned { completion(ATResponse(command: "", lines: [], binary: nil, final: .timeout)) }
        self.flush()
    }

    /// One raw command for an administrator, traced like every other, in turn with them.
    public func send(raw command: ATCommand, completion: @escaping (ATResponse) -> Void) {
        self.enqueue(.admin(command, completion))
        self.flush()
    }

    // MARK: Driving

    /// Bytes the modem sent, split anywhere.
    public func received(_ bytes: some Sequence<UInt8>) {
        let now = self.now()
        for event in self.channel.receive(bytes, at: now) { self.handle(event, at: now) }
        self.flush()
    }

    /// Runs what is due: command timeouts, the state machine's timers, the socket poll.
    public func poll() {
        let now = self.now()
        if let event = self.channel.poll(at: now) { self.handle(event, at: now) }
        if var machine = self.machine {
            let outputs = machine.poll(at: now)
            self.machine = machine
            self.apply(outputs)
        }
        if let due = self.sendRetry, now >= due {
            self.sendRetry = nil
            for handle in self.stalledSends { if let socket = self.sockets[handle] { self.scheduleSend(handle, socket) } }
            self.stalledSends.removeAll()
        }
        if let due = self.nextSocketPoll, now >= due {
            self.nextSocketPoll = nil
            for (handle, socket) in self.sockets where socket.modemID != nil && socket.state == .open && socket.proto != .nonIP {
                if socket.writeShut, socket.transmit.isEmpty, !socket.sendQueued, socket.receive.isEmpty, now - socket.lastData >= self.halfCloseLinger {
                    self.endStream(socket, handle)
                    continue
                }
                socket.modemHasData = true
                self.scheduleReceive(handle, socket)
            }
        }
        self.flush()
    }

    /// Starts the next command when the channel is free, then tells the owner what happened.
    private func flush(deliveringEvents: Bool = true) {
        let now = self.now()
        while !self.channel.isBusy, self.jobHead < self.jobs.count {
            let job = self.jobs[self.jobHead]
            self.jobHead += 1
            guard let (command, running) = self.start(job) else { continue }
            self.running = running
            self.notices.append(.trace(ATTrace.sent(command)))
            let (bytes, _) = self.channel.send(command, at: now)
            self.transmit(bytes)
        }
        if self.jobHead == self.jobs.count {
            self.jobs.removeAll(keepingCapacity: true)
            self.jobHead = 0
        }
        if self.nextSocketPoll == nil, self.isConnected, self.sockets.values.contains(where: { $0.modemID != nil && $0.proto != .nonIP }) {
            self.nextSocketPoll = now + self.pollInterval
        }
        let notices = self.notices
        self.notices.removeAll()
        for notice in notices { self.onNotice?(notice) }
        guard deliveringEvents else { return }
        let events = self.pendingEvents
        self.pendingEvents.removeAll()
        for handle in events { self.eventHandler?(handle) }
    }

    private func enqueue(_ job: Job) { self.jobs.append(job) }

    // For the socket calls: each queues its work and starts it if the channel is free.
    func enqueueJob(_ job: Job) {
        self.enqueue(job)
        self.flushLater()
    }

    func queueSend(_ handle: SocketHandle, _ socket: ModemSocket) {
        self.scheduleSend(handle, socket)
        self.flushLater()
    }

    func queueReceive(_ handle: SocketHandle, _ socket: ModemSocket) {
        self.scheduleReceive(handle, socket)
        self.flushLater()
    }

    func closeModemSocketLater(_ id: Int) {
        self.closeModemSocket(id)
        self.flushLater()
    }

    var currentTime: Instant { self.now() }

    func nextHandleValue() -> SocketHandle {
        defer { self.nextHandle += 1 }
        return self.nextHandle
    }

    /// Starts queued commands without telling the socket layer of events inside its own call.
    private func flushLater() {
        self.flush(deliveringEvents: false)
        self.onDeferredEvents?()
    }

    /// Tells the socket layer what changed during its own calls (see `onDeferredEvents`).
    public func deliverEvents() { self.flush() }

    private func changed(_ handle: SocketHandle) {
        if self.pendingEvents.last != handle { self.pendingEvents.append(handle) }
    }

    // MARK: Commands

    /// The command a job sends now (built now, so a send takes what is buffered by then),
    /// or nil when the job has nothing left to do.
    private func start(_ job: Job) -> (ATCommand, Running)? {
        switch job {
        case .machine(let command): return (command, .machine)
        case .admin(let command, let completion): return (command, .admin(completion))
        case .plain(let command): return (command, .plain)
        case .close(let id): return (self.dialect.close(socket: id), .close(id))
        case .open(let handle):
            guard let socket = self.sockets[handle], socket.state == .opening, let cid = self.contextID else {
                self.sockets[handle].map { self.fail($0, handle, .noConnection) }
                return nil
            }
            guard let id = self.freeModemID() else {
                self.fail(socket, handle, .noSocket)
                return nil
            }
            let remote = socket.proto == .tcp ? socket.remote.flatMap(Self.endpoint) : nil
            return (self.dialect.open(tcp: socket.proto == .tcp, id: id, remote: remote, contextID: cid), .open(handle, id: id))
        case .connect(let handle):
            guard let socket = self.sockets[handle], let id = socket.modemID, let remote = socket.remote.flatMap(Self.endpoint),
                let command = self.dialect.connect(socket: id, address: remote.address, port: remote.port)
            else { return nil }
            return (command, .connect(handle))
        case .send(let handle):
            guard let socket = self.sockets[handle] else { return nil }
            socket.sendQueued = false
            guard socket.state == .open else { return nil }
            if socket.proto == .nonIP {
                guard let (_, message) = socket.outgoing.first, let cid = self.contextID else { return nil }
                return (ControlPlaneData.send(contextID: cid, message), .send(handle, count: message.count))
            }
            guard let id = socket.modemID else { return nil }
            if socket.proto == .tcp {
                let chunk = socket.transmit.peek(self.dialect.maximumPayload)
                guard !chunk.isEmpty else { return nil }
                return (self.dialect.send(socket: id, Array(chunk), to: nil), .send(handle, count: chunk.count))
            }
            guard let (destination, datagram) = socket.outgoing.first, let remote = destination.flatMap(Self.endpoint) else { return nil }
            return (self.dialect.send(socket: id, datagram, to: remote), .send(handle, count: datagram.count))
        case .receive(let handle):
            guard let socket = self.sockets[handle] else { return nil }
            socket.receiveQueued = false
            guard let id = socket.modemID, socket.state == .open, self.hasRoom(socket) else { return nil }
            let room = socket.proto == .tcp ? self.streamBuffer - socket.receive.count : self.dialect.maximumPayload
            return (self.dialect.receive(socket: id, maximum: Swift.min(room, self.dialect.maximumPayload), udp: socket.proto == .udp), .receive(handle))
        }
    }

    /// A response as the trace shows it: its lines, payloads as a byte count, and its end.
    static func traced(_ response: ATResponse) -> String {
        var parts = response.lines
        if let binary = response.binary { parts.append("<\(binary.count) bytes>") }
        parts.append("\(response.final)")
        return "AT RX: " + parts.joined(separator: " | ")
    }

    private func handle(_ event: ATEvent, at now: Instant) {
        switch event {
        case .response(let response):
            self.notices.append(.trace(Self.traced(response)))
            guard let running = self.running else { return }
            self.running = nil
            self.finished(running, response, at: now)
        case .prompt:
            self.transmit(self.channel.payload)
        case .urc(let line):
            self.notices.append(.trace("AT URC: \(line)"))
            self.unsolicited(line, at: now)
        case .unsolicited(let line):
            self.notices.append(.trace("AT RX (unsolicited): \(line)"))
        case .junk(let reason):
            self.notices.append(.trace("AT junk: \(reason)"))
        }
    }

    private func finished(_ running: Running, _ response: ATResponse, at now: Instant) {
        switch running {
        case .machine:
            guard var machine = self.machine else { return }
            let outputs = machine.handle(.response(response), at: now)
            self.machine = machine
            self.apply(outputs)
        case .admin(let completion):
            completion(response)
        case .plain:
            break
        case .close(let id):
            self.closing.remove(id)
        case .open(let handle, let id):
            let opened = self.dialect.openedSocket(response, id: id)
            guard let socket = self.sockets[handle], socket.state == .opening else {
                // Closed while opening: the modem's socket goes too.
                if let opened { self.closeModemSocket(opened) }
                return
            }
            guard let opened else { return self.fail(socket, handle, .noSocket) }
            socket.modemID = opened
            if socket.proto == .tcp, self.dialect.connectsAfterOpen {
                self.jobs.insert(.connect(handle), at: self.jobHead)
            } else if !self.dialect.opensWithURC {
                self.opened(socket, handle)
            }
        case .connect(let handle):
            guard let socket = self.sockets[handle] else { return }
            if response.final == .ok { self.opened(socket, handle) } else { self.fail(socket, handle, .noConnection) }
        case .send(let handle, let count):
            guard let socket = self.sockets[handle] else { return }
            if socket.proto == .nonIP || socket.proto == .udp {
                // A datagram the modem refused is lost, as on any datagram link.
                if !socket.outgoing.isEmpty { socket.outgoing.removeFirst() }
            } else if let taken = self.dialect.sent(response, payload: count) {
                socket.transmit.drop(taken)
                if taken == 0 {
                    // The modem's buffer is full: try again a little later, not at once.
                    self.stalledSends.insert(handle)
                    self.sendRetry = self.sendRetry ?? now + Self.sendRetryDelay
                    return
                }
            } else {
                return self.fail(socket, handle, .noConnection)
            }
            if socket.writerBlocked {
                socket.writerBlocked = false
                self.changed(handle)
            }
            self.scheduleSend(handle, socket)
        case .receive(let handle):
            guard let socket = self.sockets[handle] else { return }
            guard let (bytes, source) = self.dialect.received(response) else {
                socket.modemHasData = false
                guard socket.proto == .tcp, response.final != .timeout else { return }
                // A read refused after the peer's close is the end; without one, the modem
                // lost the socket under us (its context went, say): not an orderly end.
                if socket.peerClosed { self.endStream(socket, handle) } else { self.fail(socket, handle, .noConnection) }
                return
            }
            if bytes.isEmpty {
                socket.modemHasData = false
                if socket.unannounced {
                    socket.unannounced = false
                    self.changed(handle)
                }
                if socket.peerClosed { self.endStream(socket, handle) }
                return
            }
            socket.lastData = now
            let hadData = socket.proto == .tcp ? !socket.receive.isEmpty : !socket.incoming.isEmpty
            if socket.proto == .tcp {
                socket.receive.append(contentsOf: bytes)
            } else {
                let from = source.flatMap { SocketAddress(parsing: $0.address, port: UInt16(clamping: $0.port)) } ?? socket.remote ?? SocketAddress()
                if socket.incoming.count < self.datagramQueue { socket.incoming.append((from, bytes)) }
            }
            self.scheduleReceive(handle, socket)
            if socket.proto == .tcp {
                // Bytes where there were none are news; more behind them the reader finds anyway.
                if !hadData { self.changed(handle) }
            } else if socket.receiveQueued && socket.incoming.count < self.datagramQueue / 2 {
                // While a burst of datagrams is still being read, the reader is told once, at
                // its end (or once half the queue is full): one wake-up, not one per datagram.
                socket.unannounced = true
            } else {
                socket.unannounced = false
                self.changed(handle)
            }
        }
    }

    private func unsolicited(_ line: String, at now: Instant) {
        if let event = self.dialect.event(line) {
            switch event {
            case .dataReady(let id, _):
                guard let (handle, socket) = self.socket(modemID: id) else { return }
                socket.modemHasData = true
                self.scheduleReceive(handle, socket)
            case .closed(let id):
                guard let (handle, socket) = self.socket(modemID: id) else { return }
                socket.peerClosed = true
                socket.modemHasData = true
                self.scheduleReceive(handle, socket)
                self.changed(handle)
            case .opened(let id, let error):
                guard let (handle, socket) = self.socket(modemID: id), socket.state == .opening else { return }
                if error == 0 { self.opened(socket, handle) } else { self.fail(socket, handle, .noConnection) }
            case .contextLost:
                self.notices.append(.contextLost(line))
                self.contextLost()
            }
            return
        }
        if let (cid, bytes) = ControlPlaneData.received(line) {
            guard cid == self.contextID || self.contextID == nil,
                let (handle, socket) = self.sockets.first(where: { $0.value.proto == .nonIP })
            else { return }
            if socket.incoming.count < self.datagramQueue { socket.incoming.append((SocketAddress(), bytes)) }
            self.changed(handle)
            return
        }
        guard var machine = self.machine else { return }
        let outputs = machine.handle(.urc(line), at: now)
        self.machine = machine
        self.apply(outputs)
    }

    private func apply(_ outputs: [CellularStateMachine.Output]) {
        for output in outputs {
            switch output {
            case .send(let command):
                self.enqueue(.machine(command))
            case .connected(let parameters, let address):
                self.contextID = parameters.cid
                self.contextParameters = parameters
                self.address = address
                self.isConnected = true
                // NIDD reports: the Non-IP socket may be open already.
                self.enqueue(.plain(ControlPlaneData.enableReports))
                for (handle, socket) in self.sockets where socket.proto == .nonIP {
                    socket.state = .open
                    self.scheduleSend(handle, socket)
                }
            case .lost, .failed:
                self.contextLost()
            default:
                break
            }
            self.notices.append(.machine(output))
        }
    }

    /// Every socket the modem held fails; the Non-IP socket waits for the next context.
    private func contextLost() {
        self.isConnected = false
        self.contextID = nil
        self.contextParameters = nil
        self.address = nil
        self.nextSocketPoll = nil
        self.closing.removeAll()
        for (handle, socket) in self.sockets {
            socket.modemID = nil
            switch socket.proto {
            case .nonIP:
                socket.state = .idle
                socket.outgoing.removeAll()
            case .udp:
                socket.state = .idle
                socket.outgoing.removeAll()
            default:
                if socket.state == .open || socket.state == .opening { socket.state = .failed(.noConnection) }
            }
            self.changed(handle)
        }
    }

    // MARK: Socket bookkeeping

    private func socket(modemID: Int) -> (SocketHandle, ModemSocket)? {
        self.sockets.first { $0.value.modemID == modemID }.map { ($0.key, $0.value) }
    }

    /// A number for the next modem socket where the dialect lets us choose (Quectel's
    /// `<connectID>`); u-blox chooses its own and this is only a count check.
    private func freeModemID() -> Int? {
        let used = Set(self.sockets.values.compactMap(\.modemID)).union(self.closing)
        return (0..<self.dialect.maximumSockets).first { !used.contains($0) }
    }

    private func opened(_ socket: ModemSocket, _ handle: SocketHandle) {
        socket.state = .open
        self.changed(handle)
        self.scheduleSend(handle, socket)
        if socket.proto == .tcp {
            socket.modemHasData = true
            self.scheduleReceive(handle, socket)
        }
    }

    private func fail(_ socket: ModemSocket, _ handle: SocketHandle, _ error: NSAPIError) {
        if socket.proto == .udp {
            // A datagram socket that could not open drops what it held and tries again later.
            socket.state = .idle
            socket.outgoing.removeAll()
        } else {
            socket.state = .failed(error)
        }
        if let id = socket.modemID { self.closeModemSocket(id) }
        socket.modemID = nil
        self.changed(handle)
    }

    private func endStream(_ socket: ModemSocket, _ handle: SocketHandle) {
        socket.endOfStream = true
        socket.peerClosed = true
        socket.transmit.removeAll()
        if let id = socket.modemID { self.closeModemSocket(id) }
        socket.modemID = nil
        self.changed(handle)
    }

    private func closeModemSocket(_ id: Int) {
        self.closing.insert(id)
        self.enqueue(.close(id))
    }

    private func hasRoom(_ socket: ModemSocket) -> Bool {
        socket.proto == .tcp ? socket.receive.count + self.dialect.maximumPayload <= self.streamBuffer : socket.incoming.count < self.datagramQueue
    }

    private func scheduleReceive(_ handle: SocketHandle, _ socket: ModemSocket) {
        guard !socket.receiveQueued, socket.modemHasData, socket.modemID != nil, self.hasRoom(socket) else { return }
        socket.receiveQueued = true
        self.enqueue(.receive(handle))
    }

    private func scheduleSend(_ handle: SocketHandle, _ socket: ModemSocket) {
        let pending = socket.proto == .tcp ? !socket.transmit.isEmpty : !socket.outgoing.isEmpty
        guard !socket.sendQueued, pending, socket.state == .open else { return }
        socket.sendQueued = true
        self.enqueue(.send(handle))
    }

    static func endpoint(_ address: SocketAddress) -> (address: String, port: Int)? {
        guard let text = address.ipText else { return nil }
        return (text, Int(address.port))
    }
}
