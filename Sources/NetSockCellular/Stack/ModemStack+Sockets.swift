public import NSAPI

/// Mbed's `AT_CellularStack` socket calls: nonblocking, answered from the buffers;
/// the commands that move the bytes are queued behind them.
extension ModemStack {
    public func socketOpen(_ proto: SocketProtocol) throws(NSAPIError) -> SocketHandle {
        switch proto {
        case .tcp, .udp:
            let open = self.sockets.values.count { $0.proto != .nonIP }
            guard open < self.dialect.maximumSockets else { throw .noSocket }
        case .nonIP:
            // One Non-IP socket per system, as Mbed's `CellularNonIPSocket`.
            guard !self.sockets.values.contains(where: { $0.proto == .nonIP }) else { throw .noSocket }
        case .icmp, .tls:
            throw .unsupported
        }
        let handle = self.nextHandleValue()
        let socket = ModemSocket(proto: proto)
        if proto == .nonIP, self.isConnected { socket.state = .open }
        self.sockets[handle] = socket
        return handle
    }

    public func socketClose(_ handle: SocketHandle) {
        guard let socket = self.sockets.removeValue(forKey: handle) else { return }
        if let id = socket.modemID { self.closeModemSocketLater(id) }
    }

    public func socketBind(_ handle: SocketHandle, _ address: SocketAddress) throws(NSAPIError) {
        guard let socket = self.sockets[handle] else { throw .noSocket }
        guard socket.proto != .nonIP else { throw .unsupported }
        if let ip = address.address, !ip.isUnspecified, ip.description != self.address { throw .parameter }
        if address.port != 0, self.sockets.contains(where: { $0.key != handle && $0.value.localPort == address.port }) { throw .parameter }
        guard socket.localPort == nil, socket.state == .idle else { throw .parameter }
        socket.localPort = address.port
    }

    public func socketListen(_ handle: SocketHandle, backlog: Int) throws(NSAPIError) { throw .unsupported }

    public func socketAccept(_ handle: SocketHandle) throws(NSAPIError) -> (SocketHandle, SocketAddress) { throw .unsupported }

    public func socketConnect(_ handle: SocketHandle, _ address: SocketAddress) throws(NSAPIError) {
        guard let socket = self.sockets[handle] else { throw .noSocket }
        guard socket.proto == .tcp else {
            if socket.proto == .nonIP { throw .unsupported }
            socket.remote = address
            return
        }
        switch socket.state {
        case .open: throw .isConnected
        case .opening: throw .already
        case .failed(let error):
            socket.state = .idle
            throw error
        case .idle:
            guard self.isConnected else { throw .noConnection }
            guard address.version == .ipv4, Self.endpoint(address) != nil else { throw .parameter }
            socket.remote = address
            socket.state = .opening
            self.enqueueJob(.open(handle))
            throw .inProgress
        }
    }

    public func socketSend(_ handle: SocketHandle, _ data: ArraySlice<UInt8>) throws(NSAPIError) -> Int {
        guard let socket = self.sockets[handle] else { throw .noSocket }
        switch socket.proto {
        case .nonIP:
            guard !data.isEmpty, data.count <= ControlPlaneData.maximumMessage else { throw .parameter }
            guard self.isConnected else { throw .noConnection }
            guard socket.outgoing.count < self.datagramQueue else {
                socket.writerBlocked = true
                throw .wouldBlock
            }
            socket.outgoing.append((nil, Array(data)))
            self.queueSend(handle, socket)
            return data.count
        case .udp:
            guard let remote = socket.remote else { throw .noAddress }
            return try self.socketSendTo(handle, remote, data)
        default:
            break
        }
        switch socket.state {
        case .idle: throw .noConnection
        case .opening: throw .wouldBlock
        case .failed(let error): throw error
        case .open: break
        }
        if socket.peerClosed && socket.endOfStream { throw .noConnection }
        let room = self.streamBuffer - socket.transmit.count
        guard room > 0 else {
            socket.writerBlocked = true
            throw .wouldBlock
        }
        let taken = data.prefix(room)
        socket.transmit.append(contentsOf: taken)
        self.queueSend(handle, socket)
        return taken.count
    }

    public func socketReceive(_ handle: SocketHandle, maxBytes: Int) throws(NSAPIError) -> [UInt8] {
        guard let socket = self.sockets[handle] else { throw .noSocket }
        if socket.proto != .tcp { return try self.socketReceiveFrom(handle, maxBytes: maxBytes).1 }
        if !socket.receive.isEmpty {
            let bytes = socket.receive.take(Swift.max(1, maxBytes))
            self.queueReceive(handle, socket)
            return bytes
        }
        if socket.endOfStream { return [] }
        switch socket.state {
        case .failed(let error): throw error
        case .idle: throw .noConnection
        case .opening, .open: throw .wouldBlock
        }
    }

    public func socketSendTo(_ handle: SocketHandle, _ address: SocketAddress, _ data: ArraySlice<UInt8>) throws(NSAPIError) -> Int {
        guard let socket = self.sockets[handle] else { throw .noSocket }
        guard socket.proto == .udp else {
            if socket.proto == .nonIP { throw .unsupported }
            return try self.socketSend(handle, data)
        }
        guard address.version == .ipv4, Self.endpoint(address) != nil else { throw .parameter }
        // The modem's own limit on one datagram (u-blox 1024, Quectel 1460).
        guard data.count <= self.dialect.maximumPayload else { throw .parameter }
        guard self.isConnected else { throw .noConnection }
        guard socket.outgoing.count < self.datagramQueue else {
            socket.writerBlocked = true
            throw .wouldBlock
        }
        socket.outgoing.append((address, Array(data)))
        if socket.state == .idle {
            // The modem's socket is made by the first datagram, as Mbed's AT stacks do.
            socket.state = .opening
            self.enqueueJob(.open(handle))
        } else {
            self.queueSend(handle, socket)
        }
        return data.count
    }

    public func socketReceiveFrom(_ handle: SocketHandle, maxBytes: Int) throws(NSAPIError) -> (SocketAddress, [UInt8]) {
        guard let socket = self.sockets[handle] else { throw .noSocket }
        guard socket.proto != .tcp else { return (socket.remote ?? SocketAddress(), try self.socketReceive(handle, maxBytes: maxBytes)) }
        guard !socket.incoming.isEmpty else {
            if case .failed(let error) = socket.state { throw error }
            throw .wouldBlock
        }
        let (source, datagram) = socket.incoming.removeFirst()
        self.queueReceive(handle, socket)
        return (source, Array(datagram.prefix(maxBytes)))
    }

    /// AT sockets have no half-close. Ending our writing closes the socket once what we
    /// sent is out and the peer has been quiet for `halfCloseLinger` (netcat's `-q`), so
    /// its last replies still arrive; ending reading (or both) closes it now.
    public func socketShutdown(_ handle: SocketHandle, _ direction: ShutdownDirection) throws(NSAPIError) {
        guard let socket = self.sockets[handle] else { throw .noSocket }
        guard socket.proto == .tcp else { throw .unsupported }
        guard socket.state == .open else { throw .noConnection }
        if direction == .write {
            socket.writeShut = true
            socket.lastData = self.currentTime
            return
        }
        socket.writeShut = true
        socket.receive.removeAll()
        if let id = socket.modemID { self.closeModemSocketLater(id) }
        socket.modemID = nil
        socket.endOfStream = true
    }

    public func setOption(_ handle: SocketHandle, _ option: SocketOption, _ value: SocketOptionValue) throws(NSAPIError) {
        guard self.sockets[handle] != nil else { throw .noSocket }
        throw .unsupported
    }

    public func getOption(_ handle: SocketHandle, _ option: SocketOption) throws(NSAPIError) -> SocketOptionValue {
        guard self.sockets[handle] != nil else { throw .noSocket }
        throw .unsupported
    }

    public func localAddress(_ handle: SocketHandle) throws(NSAPIError) -> SocketAddress {
        guard let socket = self.sockets[handle] else { throw .noSocket }
        return SocketAddress(self.address.flatMap { IPAddress(parsing: $0) }, port: socket.localPort ?? 0)
    }

    /// The modem's AT sockets have no reset: the connection closes.
    public func socketAbort(_ handle: SocketHandle) {
        guard let socket = self.sockets[handle], let id = socket.modemID else { return }
        socket.modemID = nil
        socket.state = .idle
        self.closeModemSocketLater(id)
    }
}
