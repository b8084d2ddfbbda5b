public import NSAPI

/// A TCP socket as an application holds it, with the BSD socket call semantics the
/// daemon's socket layer expects of every stack: nonblocking calls that answer
/// `wouldBlock`, `inProgress`/`already`/`isConnected` for connect, an empty read at
/// end of stream, and a connection's error reported once.
public final class TCPSocket {
    unowned let interface: Interface
    public let id: Int
    /// Options for the connection this socket makes or accepts; changes after that
    /// reach the live connection through `updateSettings`.
    public private(set) var settings: TCPConnection.Settings
    public internal(set) var localEndpoint: IPv4Endpoint?
    public private(set) var connection: TCPConnection?
    public private(set) var listener: TCPListener?
    public private(set) var isClosed = false
    /// Holds the port in the interface's table (bound explicitly or by connect/listen).
    var holdsPort = false

    init(interface: Interface, id: Int, settings: TCPConnection.Settings) {
        self.interface = interface
        self.id = id
        self.settings = settings
    }

    init(interface: Interface, id: Int, accepting connection: TCPConnection) {
        self.interface = interface
        self.id = id
        self.settings = connection.settings
        self.connection = connection
        self.localEndpoint = connection.local
        connection.eventID = id
        connection.isOrphan = false
    }

    public var remoteEndpoint: IPv4Endpoint? { self.connection?.remote }
    public var state: TCPState { self.listener != nil ? .listen : (self.connection?.state ?? .closed) }

    public func updateSettings(_ change: (inout TCPConnection.Settings) -> Void) {
        change(&self.settings)
        guard let connection else { return }
        change(&connection.settings)
        if self.settings.sendBufferSize > connection.sendBuffer.capacity { connection.sendBuffer.grow(to: self.settings.sendBufferSize) }
        if self.settings.receiveBufferSize > connection.receiveBuffer.capacity {
            connection.receiveBuffer.grow(to: Swift.min(self.settings.receiveBufferSize, connection.settings.maximumReceiveBufferSize))
        }
        connection.armKeepAlive(at: self.interface.lastNow)
        self.interface.queueOutput(connection)
    }

    public func bind(_ endpoint: IPv4Endpoint) throws(StackError) {
        guard !self.isClosed else { throw .closed }
        guard self.localEndpoint == nil else { throw .invalidArgument }
        try self.interface.tcpBind(self, endpoint)
    }

    public func listen(backlog: Int) throws(StackError) {
        guard !self.isClosed else { throw .closed }
        guard self.connection == nil else { throw .invalidArgument }
        guard self.listener == nil else { return }
        if self.localEndpoint == nil { try self.interface.tcpBind(self, IPv4Endpoint(.any, 0)) }
        self.listener = self.interface.tcpListen(self, backlog: backlog)
    }

    /// Starts the handshake (`inProgress`), then answers `already` until it ends:
    /// `isConnected` once it succeeded, its error (once) when it failed.
    public func connect(to remote: IPv4Endpoint, at now: Instant) throws(StackError) {
        guard !self.isClosed else { throw .closed }
        guard self.listener == nil else { throw .invalidArgument }
        if let connection = self.connection {
            switch connection.state {
            case .synSent, .synReceived: throw .already
            case .closed:
                if let error = connection.error {
                    self.connection = nil
                    throw error
                }
                throw .isConnected
            default: throw .isConnected
            }
        }
        guard remote.port != 0, !remote.address.isUnspecified, !remote.address.isBroadcast, !remote.address.isMulticast else {
            throw .invalidArgument
        }
        self.connection = try self.interface.tcpConnect(self, to: remote, at: now)
        throw .inProgress
    }

    public func accept() throws(StackError) -> TCPSocket {
        guard !self.isClosed else { throw .closed }
        guard let listener else { throw .invalidArgument }
        guard let connection = listener.nextAccepted() else { throw .wouldBlock }
        return self.interface.adoptAccepted(connection)
    }

    /// Bytes taken into the send buffer (fewer than given when it fills).
    public func send(_ bytes: UnsafeRawBufferPointer) throws(StackError) -> Int {
        guard !self.isClosed else { throw .closed }
        guard let connection else { throw .notConnected }
        if let error = connection.error {
            connection.error = nil
            throw error
        }
        switch connection.state {
        case .synSent, .synReceived: throw .wouldBlock
        case .established, .closeWait: break
        default: throw .notConnected
        }
        guard !bytes.isEmpty else { return 0 }
        let written = connection.write(bytes)
        guard written > 0 else { throw .wouldBlock }
        return written
    }

    public func send(_ bytes: [UInt8]) throws(StackError) -> Int {
        let outcome = bytes.withUnsafeBytes { buffer in Result { () throws(StackError) in try self.send(buffer) } }
        return try outcome.get()
    }

    /// Up to `maximum` bytes; empty at the end of the stream.
    public func receive(maximum: Int) throws(StackError) -> [UInt8] {
        guard !self.isClosed else { throw .closed }
        guard let connection else { throw .notConnected }
        if connection.readableBytes > 0 { return connection.read(maximum: maximum) }
        if connection.atEndOfStream { return [] }
        if let error = connection.error {
            connection.error = nil
            throw error
        }
        switch connection.state {
        case .closed, .timeWait, .closing, .lastAck, .closeWait: return []
        default: throw .wouldBlock
        }
    }

    /// Copies up to `buffer.count` bytes into `buffer`, without an array per call; 0 at
    /// the end of the stream. Errors as `receive`.
    public func receive(into buffer: UnsafeMutableRawBufferPointer) throws(StackError) -> Int {
        guard !self.isClosed else { throw .closed }
        guard let connection else { throw .notConnected }
        if connection.readableBytes > 0 {
            return connection.read { first, second in
                let one = Swift.min(first.count, buffer.count)
                if one > 0 { UnsafeMutableRawBufferPointer(rebasing: buffer[0..<one]).copyMemory(from: UnsafeRawBufferPointer(rebasing: first[0..<one])) }
                let two = Swift.min(second.count, buffer.count - one)
                if two > 0 { UnsafeMutableRawBufferPointer(rebasing: buffer[one..<(one + two)]).copyMemory(from: UnsafeRawBufferPointer(rebasing: second[0..<two])) }
                return one + two
            }
        }
        _ = try self.receive(maximum: 1)  // End of stream, an error, or would block.
        return 0
    }

    public var readableBytes: Int { self.connection?.readableBytes ?? 0 }
    public var writableBytes: Int { self.connection?.writableBytes ?? 0 }

    public enum Direction: Sendable { case read, write, both }

    public func shutdown(_ direction: Direction) throws(StackError) {
        guard !self.isClosed else { throw .closed }
        guard let connection, connection.state != .closed else { throw .notConnected }
        if direction != .write { connection.shutdownRead() }
        if direction != .read { connection.shutdownWrite() }
    }

    /// Closes the socket; its connection, if any, finishes its orderly close alone
    /// (or is reset when data the application never read is left).
    public func close(at now: Instant) {
        guard !self.isClosed else { return }
        self.isClosed = true
        if let listener {
            self.interface.tcpUnlisten(listener, at: now)
            self.listener = nil
        }
        if let connection {
            connection.close(at: now)
            self.connection = nil
        }
        self.interface.tcpReleasePort(self)
    }

    /// Ends the connection with a reset and keeps the socket, unconnected.
    public func abort(at now: Instant) {
        guard let connection else { return }
        connection.abort(at: now)
        connection.error = nil
        self.connection = nil
    }
}
