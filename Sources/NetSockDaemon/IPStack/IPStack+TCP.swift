import NSAPI
import NetSockStack

/// TCP on the `ip` stack behind the ``NetworkStack`` contract, with the kernel stack's
/// codes (lwIP's where Linux differs), so a program sees the same answer whichever
/// stack serves its interface.
extension IPStack {
    private func tcpSocket(_ handle: SocketHandle) throws(NSAPIError) -> TCPSocket {
        switch try self.socket(handle) {
        case .tcp(let socket): return socket
        default: throw .unsupported
        }
    }

    /// What a call queued goes out now; what it changed reaches the socket layer on the
    /// next turn, never inside the call that caused it.
    func tcpCallEnded() {
        self.core.flushTCPOutput(at: Self.now)
        self.deferSocketEvents()
        self.reschedule()
    }

    func socketListen(_ handle: SocketHandle, backlog: Int) throws(NSAPIError) {
        let socket = try self.tcpSocket(handle)
        do throws(StackError) { try socket.listen(backlog: Swift.max(1, backlog)) } catch { throw error.nsapiError }
    }

    func socketConnect(_ handle: SocketHandle, _ address: SocketAddress) throws(NSAPIError) {
        let socket = try self.tcpSocket(handle)
        guard address.isTruthy else { throw .parameter }
        let remote = try Self.endpoint(address)
        guard self.isAttached else { throw .noConnection }
        defer { self.tcpCallEnded() }
        do throws(StackError) {
            try socket.connect(to: remote, at: Self.now)
        } catch {
            switch error {
            case .inProgress: throw .inProgress
            case .already: throw .already
            case .isConnected: throw .isConnected
            default: throw error.nsapiConnectError
            }
        }
    }

    func socketAccept(_ handle: SocketHandle) throws(NSAPIError) -> (SocketHandle, SocketAddress) {
        let socket = try self.tcpSocket(handle)
        let accepted: TCPSocket
        do throws(StackError) { accepted = try socket.accept() } catch { throw error.nsapiError }
        self.sockets[accepted.id] = .tcp(accepted)
        let remote = accepted.remoteEndpoint ?? IPv4Endpoint(.any, 0)
        return (accepted.id, Self.socketAddress(remote))
    }

    func socketSend(_ handle: SocketHandle, _ data: ArraySlice<UInt8>) throws(NSAPIError) -> Int {
        let socket = try self.tcpSocket(handle)
        defer { self.tcpCallEnded() }
        let outcome = data.withUnsafeBytes { bytes in Result { () throws(StackError) in try socket.send(bytes) } }
        switch outcome {
        case .success(let sent): return sent
        case .failure(let error): throw error.nsapiError
        }
    }

    func socketReceive(_ handle: SocketHandle, maxBytes: Int) throws(NSAPIError) -> [UInt8] {
        let socket = try self.tcpSocket(handle)
        defer { self.tcpCallEnded() }
        do throws(StackError) { return try socket.receive(maximum: Swift.max(1, maxBytes)) } catch { throw error.nsapiError }
    }

    func socketShutdown(_ handle: SocketHandle, _ direction: ShutdownDirection) throws(NSAPIError) {
        let socket = try self.tcpSocket(handle)
        defer { self.tcpCallEnded() }
        let which: TCPSocket.Direction
        switch direction {
        case .read: which = .read
        case .write: which = .write
        case .both: which = .both
        }
        do throws(StackError) { try socket.shutdown(which) } catch { throw error.nsapiError }
    }

    func socketAbort(_ handle: SocketHandle) {
        guard let socket = try? self.tcpSocket(handle) else { return }
        socket.abort(at: Self.now)
        self.tcpCallEnded()
    }

    // MARK: Options

    /// Times are milliseconds, sizes bytes, as in Mbed. Buffers only grow: a live
    /// connection's buffers hold data that must not be cut.
    func setTCPOption(_ handle: SocketHandle, _ socket: TCPSocket, _ option: SocketOption, _ value: SocketOptionValue) throws(NSAPIError) {
        guard case .integer(let number) = value else { throw .parameter }
        defer { self.tcpCallEnded() }
        switch option {
        case .reuseAddress:
            break
        case .keepAlive:
            socket.updateSettings { $0.keepAlive = number != 0 }
        case .keepIdle, .keepInterval:
            guard number > 0 else { throw .parameter }
            let span = TimeSpan.milliseconds(number)
            socket.updateSettings { settings in
                if option == .keepIdle { settings.keepIdle = span } else { settings.keepInterval = span }
            }
        case .linger:
            // Zero makes close a reset (SO_LINGER 0); a positive time changes nothing, as
            // this stack's close never blocks and finishes in the background.
            if number == 0 { self.lingerAborts.insert(handle) } else { self.lingerAborts.remove(handle) }
        case .sendBuffer, .receiveBuffer:
            guard number > 0, number <= 64 << 20 else { throw .parameter }
            let size = Int(number)
            socket.updateSettings { settings in
                if option == .sendBuffer {
                    settings.sendBufferSize = Swift.max(settings.sendBufferSize, size)
                } else {
                    settings.receiveBufferSize = Swift.max(settings.receiveBufferSize, size)
                    settings.maximumReceiveBufferSize = Swift.max(settings.maximumReceiveBufferSize, size)
                }
            }
        case .ipTOS:
            guard (0...255).contains(number) else { throw .parameter }
            socket.updateSettings { $0.typeOfService = UInt8(number) }
        default:
            throw .unsupported
        }
    }

    func tcpOption(_ socket: TCPSocket, _ option: SocketOption) throws(NSAPIError) -> SocketOptionValue {
        let settings = socket.settings
        switch option {
        case .keepAlive: return .integer(settings.keepAlive ? 1 : 0)
        case .keepIdle: return .integer(settings.keepIdle.milliseconds)
        case .keepInterval: return .integer(settings.keepInterval.milliseconds)
        case .sendBuffer: return .integer(Int64(settings.sendBufferSize))
        case .receiveBuffer: return .integer(Int64(settings.receiveBufferSize))
        case .ipTOS: return .integer(Int64(settings.typeOfService))
        default: throw .unsupported
        }
    }
}
