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

    private func acceptAll(_ listener: Int32) {
        while true {
            let fd: Int32?
            do {
                fd = try UnixSocket.accept(listener)
            } catch {
                // EMFILE and friends: log, and let the next readiness retry.
                self.logger.warning("accept failed: \(error)")
                return
            }
            guard let fd else { return }
            self.admit(fd)
        }
    }

    private func admit(_ fd: Int32) {
        guard self.connections.count < self.limits.maxClients else {
            // Tell the client why, then hang up; the others are not affected.
            let refusal = RPCResponse(
                id: .null, error: .limitExceeded("too many clients (max_clients \(self.limits.maxClients))")).json
            let bytes = JSONCodec.encode(refusal) + [0x0A]
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            close(fd)
            self.logger.notice("refused a client: max_clients \(self.limits.maxClients) reached")
            return
        }
        let credentials = (try? PeerCredentials(socket: fd)) ?? PeerCredentials(pid: 0, uid: UInt32.max, gid: UInt32.max)
        let id = self.nextConnectionID
        self.nextConnectionID += 1
        let session = Session(id: id, credentials: credentials, isAdmin: self.daemon.isAdmin(credentials), daemon: self.daemon)
        let connection = ControlConnection(fd: fd, session: session, server: self, limits: self.limits)
        session.onClose { [unowned daemon = self.daemon] in daemon.sockets.closeAll(owner: id) }
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
    }

    // MARK: Dispatch

    func dispatch(_ message: JSONValue, session: Session, reply: @escaping (JSONValue?) -> Void) {
        guard !self.daemon.isStopping else {
            reply(RPCResponse(id: message["id"] ?? .null, error: .shuttingDown()).json)
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
            connection.session.notifyUnconditionally("daemon.stopping", [:])
            connection.session.failPending(.shuttingDown())
        }
        for connection in Array(self.connections.values) { connection.finishAndClose() }
    }

    /// Force-closes what is left (clients that would not read their last replies).
    func closeAll() {
        for connection in Array(self.connections.values) { connection.close() }
    }
}
