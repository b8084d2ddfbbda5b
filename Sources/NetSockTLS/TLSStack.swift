public import NSAPI

/// Mbed's TLSSocket over any stack: a `NetworkStack` whose sockets are the transport
/// stack's TCP sockets with a `TLSSession` on top. Handles are the transport's own, so
/// whoever receives the transport's events hands those of TLS sockets to
/// `transportEvent`, and this stack reports them on as its own. Blocking, timeouts,
/// `sigio` and attached descriptors stay above, in the socket layer, as for any stack.
public final class TLSStack: NetworkStack {
    public let transport: any NetworkStack
    public var name: String { self.transport.name }
    public var eventHandler: ((SocketHandle) -> Void)?

    private var connections: [SocketHandle: TLSConnection] = [:]
    /// Closed by their client with ciphertext (the close_notify at least) still on its
    /// way out: kept until it has left, at most `lingeringLimit` of them.
    private var lingering: [SocketHandle: TLSConnection] = [:]
    private var lingeringOrder: [SocketHandle] = []
    static let lingeringLimit = 64

    public init(over transport: any NetworkStack) { self.transport = transport }

    public func owns(_ handle: SocketHandle) -> Bool { self.connections[handle] != nil || self.lingering[handle] != nil }

    /// Something happened on the transport socket under one of our handles.
    public func transportEvent(_ handle: SocketHandle) {
        if let connection = self.lingering[handle] {
            self.flush(handle, connection)
            if !connection.session.hasOutput || connection.transportError != nil { self.finishLingering(handle) }
            return
        }
        guard let connection = self.connections[handle] else { return }
        // Before TCP is connected there is nothing to move: connect itself asks again.
        if connection.state == .handshaking || connection.state == .established { self.pump(handle, connection) }
        try? self.finishShutdown(handle, connection)
        self.eventHandler?(handle)
    }

    /// Why the last handshake on `handle` failed, for the error's detail.
    public func failure(_ handle: SocketHandle) -> TLSFailure? { self.connections[handle]?.failure }

    // MARK: TLS settings

    public func addTrustAnchors(_ handle: SocketHandle, pem: String) throws(TLSFailure) {
        let connection = try self.connection(handle)
        if pem == "system" {
            try connection.session.addTrustAnchors(directory: "/etc/ssl/certs")
        } else {
            try connection.session.addTrustAnchors(pem: pem)
        }
    }

    public func setClientCertificate(_ handle: SocketHandle, cert: String, key: String) throws(TLSFailure) {
        try self.connection(handle).session.setClientCertificate(cert, key: key)
    }

    public func setHostname(_ handle: SocketHandle, _ name: String) throws(TLSFailure) {
        let connection = try self.connection(handle)
        try connection.session.setHostname(name)
        connection.hostnameSet = true
    }

    /// The name given to `connect`, unless `setHostname` named one (Mbed's
    /// `TLSSocket::connect(hostname, port)`).
    public func setDefaultHostname(_ handle: SocketHandle, _ name: String) {
        guard let connection = self.connections[handle], !connection.hostnameSet else { return }
        try? connection.session.setHostname(name)
    }

    private func connection(_ handle: SocketHandle) throws(TLSFailure) -> TLSConnection {
        guard let connection = self.connections[handle] else {
            throw TLSFailure(kind: .configuration, code: 0, description: "not a TLS socket")
        }
        return connection
    }

    // MARK: NetworkStack

    public func socketOpen(_ proto: SocketProtocol) throws(NSAPIError) -> SocketHandle {
        guard proto == .tls else { throw .unsupported }
        let handle = try self.transport.socketOpen(.tcp)
        do throws(TLSFailure) {
            self.connections[handle] = TLSConnection(session: try TLSSession())
        } catch {
            self.transport.socketClose(handle)
            throw .noMemory
        }
        return handle
    }

    /// Sends close_notify after a completed handshake and lets it leave before the
    /// transport socket closes, as Mbed's TLSSocket::close does.
    public func socketClose(_ handle: SocketHandle) {
        guard let connection = self.connections.removeValue(forKey: handle) else { return self.transport.socketClose(handle) }
        if connection.state == .established {
            if !connection.writeShut { connection.session.closeNotify() }
            self.flush(handle, connection)
        }
        guard connection.session.hasOutput, connection.transportError == nil else { return self.transport.socketClose(handle) }
        self.lingering[handle] = connection
        self.lingeringOrder.append(handle)
        if self.lingeringOrder.count > Self.lingeringLimit, let oldest = self.lingeringOrder.first { self.finishLingering(oldest) }
    }

    private func finishLingering(_ handle: SocketHandle) {
        guard self.lingering.removeValue(forKey: handle) != nil else { return }
        self.lingeringOrder.removeAll { $0 == handle }
        self.transport.socketClose(handle)
    }

    public func socketBind(_ handle: SocketHandle, _ address: SocketAddress) throws(NSAPIError) {
        try self.transport.socketBind(handle, address)
    }

    /// A TLS socket is a client (Mbed: UNSUPPORTED).
    public func socketListen(_ handle: SocketHandle, backlog: Int) throws(NSAPIError) { throw .unsupported }
    public func socketAccept(_ handle: SocketHandle) throws(NSAPIError) -> (SocketHandle, SocketAddress) { throw .unsupported }

    /// TCP connect, then the handshake: IN_PROGRESS, ALREADY until both are done, then
    /// IS_CONNECTED. A refused handshake is AUTH_FAILURE (`failure` says why); a
    /// transport that fails under it gives the transport's code.
    public func socketConnect(_ handle: SocketHandle, _ address: SocketAddress) throws(NSAPIError) {
        guard let connection = self.connections[handle] else { throw .noSocket }
        switch connection.state {
        case .idle:
            do throws(NSAPIError) {
                try self.transport.socketConnect(handle, address)
            } catch .isConnected {
            } catch .inProgress {
                connection.state = .connecting
                throw .inProgress
            }
            connection.state = .handshaking
            self.pump(handle, connection)
            try self.handshakeResult(connection, first: true)
        case .connecting:
            do throws(NSAPIError) {
                try self.transport.socketConnect(handle, address)
            } catch .isConnected {
            } catch .already, .inProgress {
                throw .already
            } catch {
                connection.state = .failed(error)
                throw error
            }
            connection.state = .handshaking
            self.pump(handle, connection)
            try self.handshakeResult(connection, first: false)
        case .handshaking:
            self.pump(handle, connection)
            try self.handshakeResult(connection, first: false)
        case .established:
            throw .isConnected
        case .failed(let error):
            throw error
        }
    }

    private func handshakeResult(_ connection: TLSConnection, first: Bool) throws(NSAPIError) {
        switch connection.state {
        case .established: if !first { throw .isConnected }
        case .failed(let error): throw error
        default: throw first ? .inProgress : .already
        }
    }

    /// Before the handshake: NO_CONNECTION, as Mbed's TLSSocket.
    public func socketSend(_ handle: SocketHandle, _ data: ArraySlice<UInt8>) throws(NSAPIError) -> Int {
        let connection = try self.established(handle)
        if let error = connection.transportError { throw error }
        if connection.writeShut { throw .noConnection }
        var total = 0
        while total < data.count {
            let taken: Int?
            do throws(TLSFailure) {
                taken = try data[(data.startIndex + total)...].withUnsafeBytes { bytes in
                    Result { () throws(TLSFailure) in try connection.session.write(bytes) }
                }.get()
            } catch {
                connection.failure = error
                throw error.nsapiError
            }
            guard let taken, taken > 0 else { break }
            total += taken
            self.flush(handle, connection)
        }
        self.flush(handle, connection)
        guard total > 0 else { throw .wouldBlock }
        return total
    }

    /// An empty result is the end: close_notify, or the transport's FIN.
    public func socketReceive(_ handle: SocketHandle, maxBytes: Int) throws(NSAPIError) -> [UInt8] {
        let connection = try self.established(handle)
        // The end, once seen, stays the end: nothing after close_notify is delivered.
        if connection.peerClosed { return [] }
        self.fill(handle, connection)
        var buffer = [UInt8](repeating: 0, count: Swift.max(1, Swift.min(maxBytes, 65_536)))
        let count: Int?
        do throws(TLSFailure) {
            count = try buffer.withUnsafeMutableBytes { bytes in Result { () throws(TLSFailure) in try connection.session.read(into: bytes) } }.get()
        } catch {
            connection.failure = error
            if let transport = connection.transportError { throw transport }
            throw error.nsapiError
        }
        // Reading may have answered something (a renegotiation refusal, a key update).
        self.flush(handle, connection)
        guard let count else {
            if let error = connection.transportError { throw error }
            throw .wouldBlock
        }
        if count == 0 {
            // A reset under the session is not the peer's orderly end.
            if let error = connection.transportError { throw error }
            connection.peerClosed = true
        }
        return Array(buffer.prefix(count))
    }

    private func established(_ handle: SocketHandle) throws(NSAPIError) -> TLSConnection {
        guard let connection = self.connections[handle] else { throw .noSocket }
        guard connection.state == .established else {
            if case .failed = connection.state { throw .noConnection }
            throw connection.state == .idle ? .noConnection : .wouldBlock
        }
        return connection
    }

    public func socketSendTo(_ handle: SocketHandle, _ address: SocketAddress, _ data: ArraySlice<UInt8>) throws(NSAPIError) -> Int {
        try self.socketSend(handle, data)
    }

    public func socketReceiveFrom(_ handle: SocketHandle, maxBytes: Int) throws(NSAPIError) -> (SocketAddress, [UInt8]) {
        throw .unsupported
    }

    /// Ending our half sends close_notify first; the rest is the transport's.
    /// Ending our half queues close_notify behind what was sent; the TCP half closes
    /// once all of it has left, so the FIN never overtakes accepted data.
    public func socketShutdown(_ handle: SocketHandle, _ direction: ShutdownDirection) throws(NSAPIError) {
        guard direction != .read, let connection = self.connections[handle], connection.state == .established else {
            return try self.transport.socketShutdown(handle, direction)
        }
        if !connection.writeShut {
            connection.writeShut = true
            connection.session.closeNotify()
        }
        connection.pendingShutdown = direction
        self.flush(handle, connection)
        try self.finishShutdown(handle, connection)
    }

    private func finishShutdown(_ handle: SocketHandle, _ connection: TLSConnection) throws(NSAPIError) {
        guard let direction = connection.pendingShutdown, !connection.session.hasOutput || connection.transportError != nil else { return }
        connection.pendingShutdown = nil
        try self.transport.socketShutdown(handle, direction)
    }

    public func setOption(_ handle: SocketHandle, _ option: SocketOption, _ value: SocketOptionValue) throws(NSAPIError) {
        try self.transport.setOption(handle, option, value)
    }

    public func getOption(_ handle: SocketHandle, _ option: SocketOption) throws(NSAPIError) -> SocketOptionValue {
        try self.transport.getOption(handle, option)
    }

    public func localAddress(_ handle: SocketHandle) throws(NSAPIError) -> SocketAddress {
        try self.transport.localAddress(handle)
    }

    public func socketAbort(_ handle: SocketHandle) {
        self.transport.socketAbort(handle)
    }

    // MARK: Moving ciphertext

    /// Moves what can move each way and advances a handshake in progress.
    private func pump(_ handle: SocketHandle, _ connection: TLSConnection) {
        self.flush(handle, connection)
        var rounds = 0
        // A server's flight may be larger than the input buffer: fill and step again
        // while the transport still gives, since no further event may come for it.
        while self.fill(handle, connection), connection.state == .handshaking, rounds < 64 {
            rounds += 1
            self.handshakeStep(connection)
            self.flush(handle, connection)
        }
        self.handshakeStep(connection)
        self.flush(handle, connection)
    }

    private func handshakeStep(_ connection: TLSConnection) {
        if connection.state == .handshaking {
            do throws(TLSFailure) {
                if try connection.session.handshake() { connection.state = .established }
            } catch {
                connection.failure = error
                // The peer's alert says why; a stream that merely ended says nothing the
                // transport's own error does not say better.
                let transport = error.isEndOfStream ? connection.transportError : nil
                connection.state = .failed(transport ?? error.nsapiError)
            }
            if connection.state == .handshaking, let error = connection.transportError {
                connection.state = .failed(error)
            }
        }
    }

    private func flush(_ handle: SocketHandle, _ connection: TLSConnection) {
        while connection.session.hasOutput, connection.transportError == nil {
            var sent = 0
            connection.session.withOutput { bytes in
                do throws(NSAPIError) {
                    sent = try self.transport.socketSend(handle, ArraySlice(bytes))
                } catch .wouldBlock {
                } catch {
                    connection.transportError = error
                }
                return sent
            }
            if sent == 0 { break }
        }
    }

    /// True when it took anything from the transport.
    @discardableResult
    private func fill(_ handle: SocketHandle, _ connection: TLSConnection) -> Bool {
        var took = false
        while !connection.transportEnded, connection.transportError == nil, connection.session.inputRoom > 0 {
            do throws(NSAPIError) {
                let bytes = try self.transport.socketReceive(handle, maxBytes: connection.session.inputRoom)
                if bytes.isEmpty {
                    connection.transportEnded = true
                    connection.session.feedEnd()
                } else {
                    bytes.withUnsafeBytes { _ = connection.session.feed($0) }
                }
                took = true
            } catch .wouldBlock {
                break
            } catch {
                connection.transportError = error
                connection.session.feedEnd()
            }
        }
        return took
    }
}

/// One TLS socket's session and where its connect stands.
final class TLSConnection {
    enum State: Equatable {
        case idle
        case connecting
        case handshaking
        case established
        case failed(NSAPIError)
    }

    let session: TLSSession
    var state = State.idle
    var hostnameSet = false
    var failure: TLSFailure?
    var transportEnded = false
    var transportError: NSAPIError?
    /// close_notify or the transport's end was read: every later read is the end.
    var peerClosed = false
    /// Our half is closed: close_notify is queued, sends are refused.
    var writeShut = false
    /// A shutdown of the transport waiting for the ciphertext ahead of it to leave.
    var pendingShutdown: ShutdownDirection?

    init(session: TLSSession) { self.session = session }
}
