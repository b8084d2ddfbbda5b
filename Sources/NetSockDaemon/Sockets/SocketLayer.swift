public import NSAPI
import NetSockTLS

/// Mbed's socket semantics, implemented once above every stack: ownership and
/// limits, blocking with idle timeouts, nonblocking returns, connect's
/// IN_PROGRESS/ALREADY/IS_CONNECTED sequence, full-write `send`, UDP peer
/// filtering, and coalesced `sigio`. Rules are from Mbed's `InternetSocket.cpp`,
/// `TCPSocket.cpp` and `InternetDatagramSocket.cpp` (see the reference notes §0).
///
/// Sockets are scoped to an owner (a client connection): ids count from 1 per
/// owner, and another owner's id is `NSAPI_ERROR_NO_SOCKET`.
///
/// Single-threaded: everything runs on the daemon's event loop. Completions may
/// run before the call that started them returns (when the result is immediate).
public final class SocketLayer {
    public typealias Completion<T> = (Result<T, NSAPIError>) -> Void

    let scheduler: any TimerScheduler
    public var maxSocketsPerOwner: Int
    /// Calls one socket may have waiting in one direction; beyond it `NO_MEMORY`.
    public var maxQueuedCallsPerSocket: Int
    /// Mbed's `sigio()` callback, called as (owner, socket id), coalesced.
    public var sigioHandler: ((Int, Int) -> Void)?
    /// An attached socket's channel ended by itself: (owner, socket id, how).
    var channelEndHandler: ((Int, Int, SocketChannel.End) -> Void)?
    /// A frame on an attached datagram socket could not be sent: (owner, socket id, error, detail).
    var channelRefusalHandler: ((Int, Int, NSAPIError, String) -> Void)?
    /// Closed objects kept per owner so that ids can be reopened; older ones are forgotten.
    static let closedObjectsKept = 256

    private var sockets: [Int: [Int: ManagedSocket]] = [:]
    private var nextID: [Int: Int] = [:]
    private var byHandle: [ObjectIdentifier: [SocketHandle: ManagedSocket]] = [:]
    private var attachedStacks: Set<ObjectIdentifier> = []
    /// The TLS layer over each stack that has had a TLS socket, by the stack under it.
    var tlsStacks: [ObjectIdentifier: TLSStack] = [:]

    public init(scheduler: any TimerScheduler, maxSocketsPerOwner: Int = 64, maxQueuedCallsPerSocket: Int = 256) {
        self.scheduler = scheduler
        self.maxSocketsPerOwner = maxSocketsPerOwner
        self.maxQueuedCallsPerSocket = maxQueuedCallsPerSocket
    }

    // MARK: Lookup

    func socket(_ owner: Int, _ id: Int) -> ManagedSocket? { self.sockets[owner]?[id] }

    /// The open socket, or `NO_SOCKET` for unknown, foreign or closed ids.
    func openSocket(_ owner: Int, _ id: Int) throws(NSAPIError) -> ManagedSocket {
        guard let socket = self.socket(owner, id), socket.isOpen else { throw .noSocket }
        return socket
    }

    public func openCount(owner: Int) -> Int { self.sockets[owner]?.values.filter(\.isOpen).count ?? 0 }
    public var totalOpenCount: Int { self.sockets.values.reduce(0) { $0 + $1.values.filter(\.isOpen).count } }

    // MARK: Open and close

    /// Opens a new socket object, or reopens the closed object `reopen` (Mbed's `open()` on
    /// an object that is already open is `PARAMETER`).
    public func open(
        owner: Int, protocol proto: SocketProtocol, stack: any NetworkStack, interface: String,
        device: String? = nil, reopen: Int? = nil
    ) throws(NSAPIError) -> Int {
        var existing: ManagedSocket?
        if let reopen {
            guard let socket = self.socket(owner, reopen), !socket.isAccepted else { throw .noSocket }
            guard !socket.isOpen, socket.proto == proto else { throw .parameter }
            existing = socket
        }
        // Negative owners are the daemon's own users (the resolver); the client limit is not theirs.
        guard owner < 0 || self.openCount(owner: owner) < self.maxSocketsPerOwner else { throw .noSocket }
        let handle = try stack.socketOpen(proto)
        let socket = existing ?? ManagedSocket(owner: owner, id: self.makeID(owner), proto: proto, interface: interface, accepted: false)
        try self.attach(socket, stack: stack, handle: handle, interface: interface, device: device)
        return socket.id
    }

    /// Registers a socket the stack created itself (an accepted connection).
    func adopt(_ socket: ManagedSocket, stack: any NetworkStack, handle: SocketHandle) {
        try? self.attach(socket, stack: stack, handle: handle, interface: socket.interface, device: nil)
    }

    func makeID(_ owner: Int) -> Int {
        let id = self.nextID[owner, default: 1]
        self.nextID[owner] = id + 1
        return id
    }

    private func attach(
        _ socket: ManagedSocket, stack: any NetworkStack, handle: SocketHandle, interface: String, device: String?
    ) throws(NSAPIError) {
        let stackID = ObjectIdentifier(stack)
        self.listen(to: stack)
        socket.stack = stack
        socket.handle = handle
        socket.interface = interface
        socket.state = .open
        socket.timeoutMilliseconds = nil
        socket.peer = nil
        socket.isBound = false
        socket.sigioPending = false
        self.sockets[socket.owner, default: [:]][socket.id] = socket
        self.byHandle[stackID, default: [:]][handle] = socket
        if let device {
            // SO_BINDTODEVICE needs CAP_NET_RAW; without it the socket still works, unbound.
            try? stack.setOption(handle, .bindToDevice, .text(device))
        }
        self.forgetOldClosedObjects(owner: socket.owner)
    }

    /// Closes the socket: blocked calls on it finish with `NO_SOCKET`, sigio fires once more.
    public func close(owner: Int, id: Int) throws(NSAPIError) {
        let socket = try self.openSocket(owner, id)
        self.release(socket)
        if socket.isAccepted { self.sockets[owner]?.removeValue(forKey: id) }
    }

    private func release(_ socket: ManagedSocket) {
        guard let stack = socket.stack else { return }
        if let channel = socket.channel {
            socket.channel = nil
            channel.close()
        }
        self.byHandle[ObjectIdentifier(stack)]?.removeValue(forKey: socket.handle)
        stack.socketClose(socket.handle)
        socket.stack = nil
        socket.handle = -1
        socket.state = .closed
        socket.readWaitsForRoom = false
        let waiters = socket.readers.removeAll() + socket.writers.removeAll()
        for call in waiters {
            call.isFinished = true
            call.timer?.cancel()
            call.timer = nil
            call.abort(.noSocket)
        }
        if socket.sigioEnabled { self.sigioHandler?(socket.owner, socket.id) }
    }

    /// The owner has gone: close everything it had and forget its ids.
    public func closeAll(owner: Int) {
        for socket in Array(self.sockets[owner]?.values ?? [:].values) {
            socket.sigioEnabled = false
            self.release(socket)
        }
        self.sockets.removeValue(forKey: owner)
        self.nextID.removeValue(forKey: owner)
    }

    private func forgetOldClosedObjects(owner: Int) {
        guard let all = self.sockets[owner] else { return }
        let closed = all.values.filter { !$0.isOpen }.sorted { $0.id < $1.id }
        guard closed.count > Self.closedObjectsKept else { return }
        for socket in closed.prefix(closed.count - Self.closedObjectsKept) { self.sockets[owner]?.removeValue(forKey: socket.id) }
    }

    // MARK: Configuration calls

    public func bind(owner: Int, id: Int, address: SocketAddress) throws(NSAPIError) {
        let socket = try self.openSocket(owner, id)
        // lwIP refuses a second bind with PARAMETER; so do we, whatever the stack says.
        guard !socket.isBound else { throw .parameter }
        try socket.stack!.socketBind(socket.handle, address)
        socket.isBound = true
    }

    public func listen(owner: Int, id: Int, backlog: Int) throws(NSAPIError) {
        let socket = try self.openSocket(owner, id)
        guard socket.proto == .tcp else { throw .unsupported }
        try socket.stack!.socketListen(socket.handle, backlog: max(1, backlog))
        socket.isBound = true
        socket.state = .listening
    }

    public func shutdown(owner: Int, id: Int, direction: ShutdownDirection) throws(NSAPIError) {
        let socket = try self.openSocket(owner, id)
        guard socket.proto.isStream else { throw .unsupported }
        try socket.stack!.socketShutdown(socket.handle, direction)
    }

    /// Mbed's `set_timeout`: negative blocks forever, 0 is nonblocking. A closed socket is `NO_SOCKET`.
    public func setTimeout(owner: Int, id: Int, milliseconds: Int) throws(NSAPIError) {
        let socket = try self.openSocket(owner, id)
        socket.timeoutMilliseconds = milliseconds < 0 ? nil : milliseconds
    }

    /// Mbed's `set_blocking`: true is `set_timeout(-1)`, false is `set_timeout(0)`.
    public func setBlocking(owner: Int, id: Int, blocking: Bool) throws(NSAPIError) {
        try self.setTimeout(owner: owner, id: id, milliseconds: blocking ? -1 : 0)
    }

    public func setOption(owner: Int, id: Int, option: SocketOption, value: SocketOptionValue) throws(NSAPIError) {
        let socket = try self.openSocket(owner, id)
        guard option != .bindToDevice else { throw .parameter }  // See bind(owner:id:toInterface:).
        try socket.stack!.setOption(socket.handle, option, value)
    }

    /// `bind_to_device`: the socket sends through `interface` (on `device`) from now on,
    /// and host names it connects to resolve on that interface. The interface must be
    /// served by the socket's own stack.
    public func bind(owner: Int, id: Int, toInterface interface: String, device: String?, stack: any NetworkStack)
        throws(NSAPIError)
    {
        let socket = try self.openSocket(owner, id)
        guard socket.stack === stack, let device else { throw .parameter }
        try socket.stack!.setOption(socket.handle, .bindToDevice, .text(device))
        socket.interface = interface
    }

    public func getOption(owner: Int, id: Int, option: SocketOption) throws(NSAPIError) -> SocketOptionValue {
        let socket = try self.openSocket(owner, id)
        return try socket.stack!.getOption(socket.handle, option)
    }

    public func setSigio(owner: Int, id: Int, enabled: Bool) throws(NSAPIError) {
        let socket = try self.openSocket(owner, id)
        socket.sigioEnabled = enabled
        socket.sigioPending = false
    }

    /// The interface a socket object belongs to.
    public func interfaceName(owner: Int, id: Int) -> String? { self.socket(owner, id)?.interface }

    public func peerName(owner: Int, id: Int) throws(NSAPIError) -> SocketAddress {
        let socket = try self.openSocket(owner, id)
        // Mbed's CellularNonIPSocket has no addresses at all.
        if socket.proto == .nonIP { throw .unsupported }
        guard let peer = socket.peer, peer.isTruthy else { throw .noConnection }
        // Mbed's TLSSocket has no peer until its handshake is done.
        if socket.proto == .tls && socket.state != .connected { throw .noConnection }
        return peer
    }

    public func localName(owner: Int, id: Int) throws(NSAPIError) -> SocketAddress {
        let socket = try self.openSocket(owner, id)
        return try socket.stack!.localAddress(socket.handle)
    }

    /// What `socket.list` shows for one socket.
    public struct Summary: Sendable {
        public var id: Int
        public var proto: SocketProtocol
        public var interface: String
        var state: ManagedSocket.State
        public var local: SocketAddress?
        public var peer: SocketAddress?
        public var timeoutMilliseconds: Int?
        public var sigio: Bool
    }

    public func list(owner: Int) -> [Summary] {
        (self.sockets[owner]?.values.sorted { $0.id < $1.id } ?? []).map { socket in
            Summary(
                id: socket.id, proto: socket.proto, interface: socket.interface, state: socket.state,
                local: socket.isOpen && socket.isBound ? try? socket.stack!.localAddress(socket.handle) : nil,
                peer: socket.peer.flatMap { $0.isTruthy ? $0 : nil }, timeoutMilliseconds: socket.timeoutMilliseconds,
                sigio: socket.sigioEnabled)
        }
    }

    // MARK: Events

    /// Takes the stack's events, once per stack.
    func listen(to stack: any NetworkStack) {
        let stackID = ObjectIdentifier(stack)
        guard !self.attachedStacks.contains(stackID) else { return }
        self.attachedStacks.insert(stackID)
        stack.eventHandler = { [unowned self, unowned stack] handle in self.stackEvent(stack, handle) }
    }

    private func stackEvent(_ stack: any NetworkStack, _ handle: SocketHandle) {
        guard let socket = self.byHandle[ObjectIdentifier(stack)]?[handle] else {
            // The transport socket under a TLS socket: the TLS layer moves its ciphertext
            // and reports the TLS socket's own event.
            if let tls = self.tlsStacks[ObjectIdentifier(stack)], tls.owns(handle) { tls.transportEvent(handle) }
            return
        }
        if let channel = socket.channel { return channel.run() }
        self.wake(socket)
    }

    /// Mbed's `event()`: every waiter retries (any event sets both READ and WRITE flags),
    /// its idle timer restarts, and sigio fires unless one is already pending.
    func wake(_ socket: ManagedSocket) {
        self.retry(socket, .read)
        self.retry(socket, .write)
        // A completion may have closed it; close already fired its own sigio.
        if socket.isOpen && socket.sigioEnabled && !socket.sigioPending {
            socket.sigioPending = true
            self.sigioHandler?(socket.owner, socket.id)
        }
    }

    /// The owner's output has room again: reads that waited for it try again.
    public func retryReads(owner: Int) {
        for socket in Array(self.sockets[owner]?.values ?? [:].values) where socket.readWaitsForRoom {
            socket.readWaitsForRoom = false
            self.retry(socket, .read)
        }
    }

    /// Lets the waiting calls of one direction try again, oldest first, until one must
    /// keep waiting: work is proportional to the calls that finish, plus one.
    private func retry(_ socket: ManagedSocket, _ direction: BlockedCall.Direction) {
        while let call = socket.queue(direction).first {
            // Out of the queue while it runs: its completion may close the socket, which
            // must not abort the very call that is completing.
            _ = socket.withQueue(direction) { $0.removeFirst() }
            if call.attempt() {
                self.finish(call)
                continue
            }
            guard socket.isOpen else {
                self.finish(call)
                call.abort(.noSocket)
                return
            }
            socket.withQueue(direction) { $0.pushFront(call) }
            self.restartIdleTimer(call, on: socket)
            return
        }
    }

    private func finish(_ call: BlockedCall) {
        call.isFinished = true
        call.timer?.cancel()
        call.timer = nil
    }

    /// Queues a call that must wait; past the per-socket bound it fails with `NO_MEMORY`.
    func enqueue(_ call: BlockedCall, on socket: ManagedSocket) -> Bool {
        guard socket.queue(call.direction).count < self.maxQueuedCallsPerSocket else { return false }
        let isHead = socket.queue(call.direction).isEmpty
        socket.withQueue(call.direction) { $0.append(call) }
        // Only the head of a queue waits on the clock; the calls behind it start theirs
        // when their turn comes, as Mbed's one-call-at-a-time sockets would.
        if isHead { self.restartIdleTimer(call, on: socket) }
        return true
    }

    /// Moves the call's deadline on by its timeout. The timer is scheduled once and,
    /// when it fires early, re-arms itself for the deadline it finds: an event costs
    /// no timer operation, however many come.
    private func restartIdleTimer(_ call: BlockedCall, on socket: ManagedSocket) {
        guard let timeout = call.timeoutMilliseconds else { return }
        call.deadline = self.scheduler.nowMilliseconds + timeout
        if call.timer == nil { self.armTimer(call, on: socket, after: timeout) }
    }

    private func armTimer(_ call: BlockedCall, on socket: ManagedSocket, after milliseconds: Int) {
        call.timer = self.scheduler.scheduleTimer(afterMilliseconds: milliseconds) { [weak self, weak socket, weak call] in
            guard let self, let socket, let call else { return }
            call.timer = nil
            guard !call.isFinished, socket.queue(call.direction).first === call, let deadline = call.deadline else { return }
            let left = deadline - self.scheduler.nowMilliseconds
            if left > 0 { return self.armTimer(call, on: socket, after: left) }
            _ = socket.withQueue(call.direction) { $0.removeFirst() }
            if call.direction == .read { socket.readWaitsForRoom = false }
            self.finish(call)
            call.expire()
            // The call queued behind it gets its turn now, not at the next event.
            self.retry(socket, call.direction)
        }
    }
}
