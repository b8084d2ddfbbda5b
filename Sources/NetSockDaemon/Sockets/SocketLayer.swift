public import NSAPI

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
    /// Mbed's `sigio()` callback, called as (owner, socket id), coalesced.
    public var sigioHandler: ((Int, Int) -> Void)?
    /// Closed objects kept per owner so that ids can be reopened; older ones are forgotten.
    static let closedObjectsKept = 256

    private var sockets: [Int: [Int: ManagedSocket]] = [:]
    private var nextID: [Int: Int] = [:]
    private var byHandle: [ObjectIdentifier: [SocketHandle: ManagedSocket]] = [:]
    private var attachedStacks: Set<ObjectIdentifier> = []

    public init(scheduler: any TimerScheduler, maxSocketsPerOwner: Int = 64) {
        self.scheduler = scheduler
        self.maxSocketsPerOwner = maxSocketsPerOwner
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
        if !self.attachedStacks.contains(stackID) {
            self.attachedStacks.insert(stackID)
            stack.eventHandler = { [unowned self, unowned stack] handle in self.stackEvent(stack, handle) }
        }
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
        self.byHandle[ObjectIdentifier(stack)]?.removeValue(forKey: socket.handle)
        stack.socketClose(socket.handle)
        socket.stack = nil
        socket.handle = -1
        socket.state = .closed
        let waiters = socket.waiters
        socket.waiters.removeAll()
        for call in waiters {
            call.timer?.cancel()
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
        guard socket.proto == .tcp else { throw .unsupported }
        try socket.stack!.socketShutdown(socket.handle, direction)
    }

    /// Mbed's `set_timeout`: negative blocks forever, 0 is nonblocking.
    public func setTimeout(owner: Int, id: Int, milliseconds: Int) throws(NSAPIError) {
        guard let socket = self.socket(owner, id) else { throw .noSocket }
        socket.timeoutMilliseconds = milliseconds < 0 ? nil : milliseconds
    }

    /// Mbed's `set_blocking`: true is `set_timeout(-1)`, false is `set_timeout(0)`.
    public func setBlocking(owner: Int, id: Int, blocking: Bool) throws(NSAPIError) {
        try self.setTimeout(owner: owner, id: id, milliseconds: blocking ? -1 : 0)
    }

    public func setOption(owner: Int, id: Int, option: SocketOption, value: SocketOptionValue) throws(NSAPIError) {
        let socket = try self.openSocket(owner, id)
        try socket.stack!.setOption(socket.handle, option, value)
        if option == .bindToDevice, case .text(let name) = value { socket.interface = name }
    }

    public func getOption(owner: Int, id: Int, option: SocketOption) throws(NSAPIError) -> SocketOptionValue {
        let socket = try self.openSocket(owner, id)
        return try socket.stack!.getOption(socket.handle, option)
    }

    public func setSigio(owner: Int, id: Int, enabled: Bool) throws(NSAPIError) {
        guard let socket = self.socket(owner, id) else { throw .noSocket }
        socket.sigioEnabled = enabled
        socket.sigioPending = false
    }

    /// The interface a socket object belongs to.
    public func interfaceName(owner: Int, id: Int) -> String? { self.socket(owner, id)?.interface }

    public func peerName(owner: Int, id: Int) throws(NSAPIError) -> SocketAddress {
        let socket = try self.openSocket(owner, id)
        guard let peer = socket.peer, peer.isTruthy else { throw .noConnection }
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
        public var state: String
        public var local: SocketAddress?
        public var peer: SocketAddress?
        public var timeoutMilliseconds: Int?
        public var sigio: Bool
    }

    public func list(owner: Int) -> [Summary] {
        (self.sockets[owner]?.values.sorted { $0.id < $1.id } ?? []).map { socket in
            Summary(
                id: socket.id, proto: socket.proto, interface: socket.interface, state: socket.state.rawValue,
                local: socket.isOpen && socket.isBound ? try? socket.stack!.localAddress(socket.handle) : nil,
                peer: socket.peer.flatMap { $0.isTruthy ? $0 : nil }, timeoutMilliseconds: socket.timeoutMilliseconds,
                sigio: socket.sigioEnabled)
        }
    }

    // MARK: Events

    private func stackEvent(_ stack: any NetworkStack, _ handle: SocketHandle) {
        guard let socket = self.byHandle[ObjectIdentifier(stack)]?[handle] else { return }
        self.wake(socket)
    }

    /// Mbed's `event()`: every waiter retries (any event sets both READ and WRITE flags),
    /// its idle timer restarts, and sigio fires unless one is already pending.
    func wake(_ socket: ManagedSocket) {
        self.retryWaiters(socket)
        // A completion may have closed it; close already fired its own sigio.
        if socket.isOpen && socket.sigioEnabled && !socket.sigioPending {
            socket.sigioPending = true
            self.sigioHandler?(socket.owner, socket.id)
        }
    }

    /// Lets each waiting call try again, in order, one direction at a time.
    private func retryWaiters(_ socket: ManagedSocket) {
        let waiters = socket.waiters
        var stuck: Set<BlockedCall.Direction> = []
        for call in waiters where socket.waiters.contains(where: { $0 === call }) {
            call.timer?.cancel()
            call.timer = nil
            // A call behind an unfinished one of its direction keeps its place and waits.
            if stuck.contains(call.direction) {
                if let timeout = socket.timeoutMilliseconds { self.arm(call, on: socket, timeout: timeout) }
                continue
            }
            // Out of the list while it runs: its completion may close the socket, which
            // must not abort the very call that is completing.
            let position = socket.waiters.firstIndex { $0 === call } ?? socket.waiters.count
            socket.waiters.remove(at: position)
            guard !call.attempt(), socket.isOpen else { continue }
            socket.waiters.insert(call, at: min(position, socket.waiters.count))
            stuck.insert(call.direction)
            if let timeout = socket.timeoutMilliseconds { self.arm(call, on: socket, timeout: timeout) }
        }
    }

    func arm(_ call: BlockedCall, on socket: ManagedSocket, timeout: Int) {
        call.timer = self.scheduler.scheduleTimer(afterMilliseconds: timeout) { [weak socket, weak call] in
            guard let socket, let call, socket.waiters.contains(where: { $0 === call }) else { return }
            socket.waiters.removeAll { $0 === call }
            call.expire()
            // The call queued behind it gets its turn now, not at the next event.
            if socket.waiters.contains(where: { $0.direction == call.direction }) { self.retryWaiters(socket) }
        }
    }
}
