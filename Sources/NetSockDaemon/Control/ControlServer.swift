#if canImport(Glibc)
import Glibc
#endif
import Logging
import NetSockJSON
import NetSockPOSIX
import NetSockRPC

/// Accepts control connections, enforces the client limit, and owns the live connections.
final class ControlServer {
    struct Limits {
        var maxClients: Int
        var maxMessageBytes: Int
        var maxOutputBytes: Int
    }

    let reactor: Reactor
    unowned let daemon: Daemon
    var limits: Limits
    private var listeners: [Int32]
    private var connections: [Int: ControlConnection] = [:]
    private var nextConnectionID = 1
    private let logger: Logger
    private let scratchBuffer: UnsafeMutableRawBufferPointer
    /// Out of descriptors: listeners are not watched until one frees up or the back-off ends.
    private var acceptPaused = false
    private var acceptBackoffMilliseconds = 0
    /// At max_clients: refusals are logged once per episode, not once per client.
    private var refusing = false

    init(reactor: Reactor, daemon: Daemon, listeners: [Int32], limits: Limits, logger: Logger) {
        self.reactor = reactor
        self.daemon = daemon
        self.listeners = listeners
        self.limits = limits
        self.logger = logger
        self.scratchBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
    }

    deinit { self.scratchBuffer.deallocate() }

    var clientCount: Int { self.connections.count }

    func session(id: Int) -> Session? { self.connections[id]?.session }
    var sessions: [Session] { self.connections.values.map(\.session) }

    func start() throws(SystemError) {
        for listener in self.listeners {
            UnixSocket.setNonblocking(listener)
            try self.reactor.register(listener, interest: .readable) { [unowned self] _ in self.acceptAll(listener) }
        }
    }

    // MARK: Accepting

    /// Connections taken per wake-up of a listener. Clients that connect as fast as they
    /// are accepted would otherwise keep the loop here, and every connected client
    /// would wait; the listener is level-triggered, so the rest are taken on the next turn.
    static let acceptsPerWake = 16

    private func acceptAll(_ listener: Int32) {
        for _ in 0..<Self.acceptsPerWake where !self.acceptPaused {
            let fd: Int32?
            do {
                fd = try UnixSocket.accept(listener)
            } catch {
                switch error.errno {
                case EMFILE, ENFILE, ENOBUFS, ENOMEM: self.pauseAccepting(error)
                default: self.logger.warning("accept failed: \(error)")
                }
                return
            }
            guard let fd else { return }
            if self.acceptBackoffMilliseconds > 0 {
                self.acceptBackoffMilliseconds = 0
                self.logger.notice("descriptors are available again; accepting clients")
            }
            self.admit(fd)
        }
    }

    /// The listener is level-triggered, so retrying at once would spin while the
    /// descriptor table is full. Stop watching it, log once per episode, and look again
    /// when a connection closes or after a back-off (100 ms doubling to 2 s) for
    /// descriptors freed elsewhere. Waiting clients stay in the listen backlog.
    private func pauseAccepting(_ error: SystemError) {
        if self.acceptBackoffMilliseconds == 0 {
            self.logger.error("cannot accept clients: \(error); waiting until descriptors free up")
        }
        self.acceptBackoffMilliseconds = min(max(100, self.acceptBackoffMilliseconds * 2), 2000)
        self.acceptPaused = true
        for listener in self.listeners { self.reactor.setInterest(listener, []) }
        self.reactor.scheduleTimer(afterMilliseconds: self.acceptBackoffMilliseconds) { [weak self] in self?.resumeAccepting() }
    }

    private func resumeAccepting() {
        guard self.acceptPaused else { return }
        self.acceptPaused = false
        for listener in self.listeners { self.reactor.setInterest(listener, .readable) }
    }

    private func admit(_ fd: Int32) {
        guard self.connections.count < self.limits.maxClients else {
            // Tell the client why, then hang up; the others are not affected.
            let refusal = RPCResponse(
                id: .null, error: .limitExceeded("too many clients (max_clients \(self.limits.maxClients))")).json
            let bytes = JSONCodec.encode(refusal) + [0x0A]
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            close(fd)
            if !self.refusing {
                self.refusing = true
                self.logger.notice("refusing clients: max_clients \(self.limits.maxClients) reached")
            }
            return
        }
        if self.refusing {
            self.refusing = false
            self.logger.notice("accepting clients again")
        }
        let credentials = (try? PeerCredentials(socket: fd)) ?? PeerCredentials(pid: 0, uid: UInt32.max, gid: UInt32.max)
        let id = self.nextConnectionID
        self.nextConnectionID += 1
        let session = Session(id: id, credentials: credentials, isAdmin: self.daemon.isAdmin(credentials), daemon: self.daemon)
        let connection = ControlConnection(fd: fd, session: session, server: self, limits: self.limits)
        session.onClose { [unowned daemon = self.daemon] in
            daemon.resolver.closeAll(owner: id)
            daemon.sockets.closeAll(owner: id)
        }
        session.connection = connection
        do {
            try self.reactor.register(fd, interest: .readable) { [unowned connection] events in connection.handle(events) }
        } catch {
            close(fd)
            return
        }
        self.connections[id] = connection
        self.logger.debug("client \(id) connected: pid \(credentials.pid) uid \(credentials.uid) admin \(session.isAdmin)")
    }

    func connectionClosed(_ connection: ControlConnection) {
        self.connections.removeValue(forKey: connection.session.id)
        self.logger.debug("client \(connection.session.id) disconnected")
        // Its descriptor is free now: a paused listener may take the next client.
        self.resumeAccepting()
    }

    /// A connection's output has room again: its payload reads waiting for room retry,
    /// on the next tick so that they never run inside the flush that made the room.
    func roomAvailable(for session: Session) {
        self.reactor.deferToNextTick { [weak session, unowned daemon = self.daemon] in
            guard let session, !session.isClosed else { return }
            daemon.sockets.retryReads(owner: session.id)
        }
    }

    // MARK: Dispatch

    func dispatch(_ message: JSONValue, session: Session, reply: @escaping ([UInt8]?) -> Void) {
        guard !self.daemon.isStopping else {
            reply(JSONCodec.encode(RPCResponse(id: message["id"] ?? .null, error: .shuttingDown()).json))
            return
        }
        self.daemon.dispatcher.dispatch(message, context: session, deferred: { session.track($0) }, reply: reply)
    }

    // MARK: Buffers

    /// Reads into the shared scratch buffer (one reactor thread, so one buffer suffices).
    func readScratch(_ body: (UnsafeMutableRawBufferPointer) -> Int) -> Int { body(self.scratchBuffer) }

    func scratch(_ count: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: self.scratchBuffer[0..<count]) }

    // MARK: Stopping

    /// Stops accepting; the socket files are the daemon's to remove.
    func closeListeners() {
        for listener in self.listeners {
            self.reactor.unregister(listener)
            close(listener)
        }
        self.listeners = []
    }

    /// Sends `daemon.stopping`, answers waiting requests, and closes every connection after a flush.
    func stopAll() {
        for connection in self.connections.values {
            connection.session.notifyUnconditionally(StoppingNotification())
            connection.session.failPending(.shuttingDown())
        }
        for connection in Array(self.connections.values) { connection.finishAndClose() }
    }

    /// Force-closes what is left (clients that would not read their last replies).
    func closeAll() {
        for connection in Array(self.connections.values) { connection.close() }
    }
}
