public import NSAPI

/// The I/O calls: each loops over a nonblocking stack call, parking on socket
/// events between tries, exactly as Mbed's blocking wrappers do.
extension SocketLayer {
    /// Runs `attempt` now; if it is not done, waits for events up to the socket's idle
    /// timeout (forever when none), or gives up at once when nonblocking.
    ///
    /// Calls of one direction on one socket finish in the order they came: a `send`
    /// pipelined behind a waiting `send` waits its turn rather than writing first
    /// (Mbed forbids concurrent I/O per direction; over pipelined RPC we queue it).
    private func perform(
        on socket: ManagedSocket, _ direction: BlockedCall.Direction, attempt: @escaping () -> Bool,
        expire: @escaping () -> Void, abort: @escaping (NSAPIError) -> Void
    ) {
        // Mbed clears `_pending` at the start of every I/O call, re-arming sigio.
        socket.sigioPending = false
        let queued = !socket.queue(direction).isEmpty
        if !queued && attempt() { return }
        if socket.timeoutMilliseconds == 0 {
            expire()
            return
        }
        let call = BlockedCall(
            direction: direction, timeoutMilliseconds: socket.timeoutMilliseconds, attempt: attempt, expire: expire, abort: abort)
        if !self.enqueue(call, on: socket) {
            abort(.noMemory)
        }
    }

    /// One try of a stack call for a waiting operation: finished with its result, not yet
    /// (`WOULD_BLOCK`: keep waiting), or finished with the error. True when finished.
    private func tryOnce<T>(_ completion: Completion<T>, _ body: () throws(NSAPIError) -> T) -> Bool {
        do throws(NSAPIError) {
            completion(.success(try body()))
            return true
        } catch .wouldBlock {
            return false
        } catch {
            completion(.failure(error))
            return true
        }
    }

    // MARK: Connect

    /// TCP: `IN_PROGRESS`/`ALREADY`/`IS_CONNECTED` when nonblocking; blocking waits and
    /// turns the final `IS_CONNECTED` into success, or returns the last `IN_PROGRESS`/`ALREADY`
    /// on timeout. UDP: only sets (or, with a false address, clears) the peer; always OK,
    /// even on a closed object (Mbed `InternetDatagramSocket::connect`).
    public func connect(owner: Int, id: Int, address: SocketAddress, completion: @escaping Completion<Void>) {
        guard let socket = self.socket(owner, id) else { return completion(.failure(.noSocket)) }
        if socket.proto.isDatagram {
            socket.peer = address.isTruthy ? address : nil
            return completion(.success(()))
        }
        guard socket.isOpen else { return completion(.failure(.noSocket)) }
        guard socket.proto.isStream else { return completion(.failure(.unsupported)) }
        var waited = false
        var last = NSAPIError.inProgress
        let attempt = { [unowned self, unowned socket] () -> Bool in
            guard socket.isOpen else {
                completion(.failure(.noSocket))
                return true
            }
            do throws(NSAPIError) {
                try socket.stack!.socketConnect(socket.handle, address)
                self.connected(socket, to: address)
                completion(.success(()))
                return true
            } catch {
                switch error {
                case .inProgress, .already:
                    if error == .inProgress || socket.state != .connecting {
                        socket.peer = address  // Mbed stores the peer on OK or IN_PROGRESS.
                    }
                    socket.state = .connecting
                    last = error
                    // A blocking caller keeps waiting; a nonblocking one gets the code itself.
                    if socket.timeoutMilliseconds == 0 {
                        completion(.failure(error))
                        return true
                    }
                    waited = true
                    return false
                case .isConnected:
                    self.connected(socket, to: socket.peer ?? address)
                    completion(waited ? .success(()) : .failure(.isConnected))
                    return true
                default:
                    // Refused or unreachable: there is no peer (Mbed: getpeername is NO_CONNECTION).
                    if socket.state == .connecting { socket.state = .open }
                    if socket.state != .connected { socket.peer = nil }
                    completion(.failure(error))
                    return true
                }
            }
        }
        self.perform(on: socket, .write, attempt: attempt, expire: { completion(.failure(last)) }, abort: { completion(.failure($0)) })
    }

    private func connected(_ socket: ManagedSocket, to address: SocketAddress) {
        socket.state = .connected
        socket.peer = address
        socket.isBound = true
    }

    // MARK: Accept

    /// TCP only. The new socket belongs to the same owner, is blocking, and is deleted by its `close`.
    public func accept(owner: Int, id: Int, completion: @escaping Completion<(Int, SocketAddress)>) {
        let socket: ManagedSocket
        do throws(NSAPIError) {
            socket = try self.openSocket(owner, id)
        } catch {
            return completion(.failure(error))
        }
        guard socket.proto == .tcp else { return completion(.failure(.unsupported)) }
        let attempt = { [unowned self, unowned socket] () -> Bool in
            guard socket.isOpen, let stack = socket.stack else {
                completion(.failure(.noSocket))
                return true
            }
            guard self.openCount(owner: owner) < self.maxSocketsPerOwner else {
                completion(.failure(.noSocket))
                return true
            }
            return self.tryOnce(completion) { () throws(NSAPIError) in
                let (handle, address) = try stack.socketAccept(socket.handle)
                let accepted = ManagedSocket(owner: owner, id: self.makeID(owner), proto: .tcp, interface: socket.interface, accepted: true)
                self.adopt(accepted, stack: stack, handle: handle)
                self.connected(accepted, to: address)
                return (accepted.id, address)
            }
        }
        self.perform(on: socket, .read, attempt: attempt, expire: { completion(.failure(.wouldBlock)) }, abort: { completion(.failure($0)) })
    }

    // MARK: Send

    /// TCP: blocking writes everything; nonblocking or timed out returns the partial
    /// count, `WOULD_BLOCK` only when nothing was written; a hard error wins even after
    /// a partial write. UDP: `NO_ADDRESS` without a peer, else `sendto(peer)`.
    public func send(owner: Int, id: Int, data: [UInt8], completion: @escaping Completion<Int>) {
        guard let socket = self.socket(owner, id), socket.isOpen else { return completion(.failure(.noSocket)) }
        guard socket.channel == nil else { return completion(.failure(.parameter)) }
        switch socket.proto {
        case .udp, .icmp:
            guard let peer = socket.peer else { return completion(.failure(.noAddress)) }
            self.sendTo(owner: owner, id: id, address: peer, data: data, completion: completion)
        case .tcp, .tls:
            var sent = 0
            let attempt = { [unowned socket] () -> Bool in
                guard socket.isOpen else {
                    completion(.failure(.noSocket))
                    return true
                }
                if data.isEmpty {
                    completion(.success(0))
                    return true
                }
                while sent < data.count {
                    do throws(NSAPIError) {
                        sent += try socket.stack!.socketSend(socket.handle, data[sent...])
                    } catch .wouldBlock {
                        if socket.timeoutMilliseconds == 0 && sent > 0 {
                            completion(.success(sent))
                            return true
                        }
                        return false
                    } catch {
                        completion(.failure(error))
                        return true
                    }
                }
                completion(.success(sent))
                return true
            }
            self.perform(
                on: socket, .write, attempt: attempt, expire: { completion(sent > 0 ? .success(sent) : .failure(.wouldBlock)) },
                abort: { completion(.failure($0)) })
        case .nonIP:
            // One message (Mbed's CellularNonIPSocket), retried on WOULD_BLOCK within the timeout.
            let attempt = { [unowned self, unowned socket] () -> Bool in
                guard socket.isOpen else {
                    completion(.failure(.noSocket))
                    return true
                }
                return self.tryOnce(completion) { () throws(NSAPIError) in try socket.stack!.socketSend(socket.handle, data[...]) }
            }
            self.perform(on: socket, .write, attempt: attempt, expire: { completion(.failure(.wouldBlock)) }, abort: { completion(.failure($0)) })
        default:
            completion(.failure(.unsupported))
        }
    }

    /// UDP: one datagram, retried on `WOULD_BLOCK` within the timeout. TCP ignores `address`.
    public func sendTo(owner: Int, id: Int, address: SocketAddress, data: [UInt8], completion: @escaping Completion<Int>) {
        guard let socket = self.socket(owner, id), socket.isOpen else { return completion(.failure(.noSocket)) }
        guard socket.channel == nil else { return completion(.failure(.parameter)) }
        if socket.proto == .nonIP { return completion(.failure(.unsupported)) }
        guard socket.proto.isDatagram else {
            return self.send(owner: owner, id: id, data: data, completion: completion)
        }
        let attempt = { [unowned self, unowned socket] () -> Bool in
            guard socket.isOpen else {
                completion(.failure(.noSocket))
                return true
            }
            return self.tryOnce(completion) { () throws(NSAPIError) in
                let sent = try socket.stack!.socketSendTo(socket.handle, address, data[...])
                socket.isBound = true
                return sent
            }
        }
        self.perform(on: socket, .write, attempt: attempt, expire: { completion(.failure(.wouldBlock)) }, abort: { completion(.failure($0)) })
    }

    // MARK: Receive

    /// How much a receive may take now, decided by whoever gets the bytes.
    public enum ReceiveAllowance: Sendable, Equatable {
        /// At most this many payload bytes (a TCP read shrinks to fit; a datagram is read whole).
        case upTo(Int)
        /// No room for the reply yet: leave the data in the stack and wait for `retryReads`.
        case wait
        /// No room, and waiting could deadlock: fail with `NO_MEMORY`.
        case refuse
    }

    /// TCP: up to `maxBytes`, an empty result when the peer closed. UDP: one datagram.
    public func receive(
        owner: Int, id: Int, maxBytes: Int, allowance: @escaping () -> ReceiveAllowance = { .upTo(.max) },
        completion: @escaping Completion<[UInt8]>
    ) {
        self.receiveFrom(owner: owner, id: id, maxBytes: maxBytes, allowance: allowance) { completion($0.map(\.1)) }
    }

    /// UDP: one datagram and its source; with a peer set, datagrams from anyone else are
    /// dropped and the next one read, even when nonblocking. TCP: the stored peer, then `recv`.
    ///
    /// `allowance` is asked before any byte leaves the stack, so a client that does not
    /// read its replies holds its data in the stack, not in the daemon's memory.
    public func receiveFrom(
        owner: Int, id: Int, maxBytes: Int, allowance: @escaping () -> ReceiveAllowance = { .upTo(.max) },
        completion: @escaping Completion<(SocketAddress, [UInt8])>
    ) {
        guard let socket = self.socket(owner, id), socket.isOpen else { return completion(.failure(.noSocket)) }
        guard socket.channel == nil else { return completion(.failure(.parameter)) }
        let attempt = { [unowned self, unowned socket] () -> Bool in
            guard socket.isOpen, let stack = socket.stack else {
                completion(.failure(.noSocket))
                return true
            }
            var size = maxBytes
            switch allowance() {
            case .wait:
                socket.readWaitsForRoom = true
                return false
            case .refuse:
                completion(.failure(.noMemory))
                return true
            case .upTo(let room):
                if socket.proto.isStream { size = max(1, min(maxBytes, room)) }
            }
            return self.tryOnce(completion) { () throws(NSAPIError) in
                if socket.proto.isStream {
                    return (socket.peer ?? SocketAddress(), try stack.socketReceive(socket.handle, maxBytes: size))
                }
                while true {
                    let (source, bytes) = try stack.socketReceiveFrom(socket.handle, maxBytes: size)
                    if let peer = socket.peer, !source.isSameEndpoint(as: peer) { continue }
                    return (source, bytes)
                }
            }
        }
        self.perform(on: socket, .read, attempt: attempt, expire: { completion(.failure(.wouldBlock)) }, abort: { completion(.failure($0)) })
    }
}
