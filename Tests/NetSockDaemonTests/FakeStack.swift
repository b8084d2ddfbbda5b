import NSAPI
import NetSockDaemon

/// A scripted stack: tests fill its queues and capacities, then signal events.
final class FakeStack: NetworkStack {
    final class Socket {
        var proto: SocketProtocol
        var received: [(SocketAddress, [UInt8])] = []
        /// Bytes `socketSend` accepts before WOULD_BLOCK.
        var sendCapacity = Int.max
        var sent: [UInt8] = []
        var datagrams: [(SocketAddress, [UInt8])] = []
        /// Results of successive connect calls; the last repeats.
        var connectResults: [NSAPIError?] = [.inProgress]
        var connectCalls = 0
        var pendingAccepts: [SocketAddress] = []
        var failure: NSAPIError?
        var bound: SocketAddress?
        var options: [SocketOption: SocketOptionValue] = [:]
        var closed = false
        var shutdowns: [ShutdownDirection] = []
        var aborted = false
        init(proto: SocketProtocol) { self.proto = proto }
    }

    let name = "fake"
    var eventHandler: ((SocketHandle) -> Void)?
    private(set) var sockets: [SocketHandle: Socket] = [:]
    private var nextHandle = 100
    var openFailure: NSAPIError?

    func signal(_ handle: SocketHandle) { self.eventHandler?(handle) }
    subscript(handle: SocketHandle) -> Socket { self.sockets[handle]! }
    var lastHandle: SocketHandle { self.nextHandle - 1 }

    func socketOpen(_ proto: SocketProtocol) throws(NSAPIError) -> SocketHandle {
        if let openFailure { throw openFailure }
        defer { self.nextHandle += 1 }
        self.sockets[self.nextHandle] = Socket(proto: proto)
        return self.nextHandle
    }

    func socketClose(_ handle: SocketHandle) { self.sockets[handle]?.closed = true }

    func socketBind(_ handle: SocketHandle, _ address: SocketAddress) throws(NSAPIError) {
        if let failure = self[handle].failure { throw failure }
        self[handle].bound = address
    }

    func socketListen(_ handle: SocketHandle, backlog: Int) throws(NSAPIError) {}

    func socketConnect(_ handle: SocketHandle, _ address: SocketAddress) throws(NSAPIError) {
        let socket = self[handle]
        let index = min(socket.connectCalls, socket.connectResults.count - 1)
        socket.connectCalls += 1
        if let result = socket.connectResults[index] { throw result }
    }

    func socketAccept(_ handle: SocketHandle) throws(NSAPIError) -> (SocketHandle, SocketAddress) {
        guard !self[handle].pendingAccepts.isEmpty else { throw .wouldBlock }
        let address = self[handle].pendingAccepts.removeFirst()
        let new = try self.socketOpen(.tcp)
        return (new, address)
    }

    func socketSend(_ handle: SocketHandle, _ data: ArraySlice<UInt8>) throws(NSAPIError) -> Int {
        let socket = self[handle]
        if let failure = socket.failure { throw failure }
        guard socket.sendCapacity > 0 else { throw .wouldBlock }
        let count = min(socket.sendCapacity, data.count)
        socket.sendCapacity -= count
        socket.sent += data.prefix(count)
        return count
    }

    func socketReceive(_ handle: SocketHandle, maxBytes: Int) throws(NSAPIError) -> [UInt8] {
        let socket = self[handle]
        if let failure = socket.failure { throw failure }
        guard !socket.received.isEmpty else { throw .wouldBlock }
        var (source, bytes) = socket.received.removeFirst()
        if bytes.count > maxBytes {
            socket.received.insert((source, Array(bytes[maxBytes...])), at: 0)
            bytes = Array(bytes.prefix(maxBytes))
        }
        _ = source
        return bytes
    }

    func socketSendTo(_ handle: SocketHandle, _ address: SocketAddress, _ data: ArraySlice<UInt8>) throws(NSAPIError) -> Int {
        let socket = self[handle]
        if let failure = socket.failure { throw failure }
        guard socket.sendCapacity > 0 else { throw .wouldBlock }
        socket.datagrams.append((address, Array(data)))
        return data.count
    }

    /// Receive calls made, to check that waking is linear.
    var receiveCalls = 0

    func socketReceiveFrom(_ handle: SocketHandle, maxBytes: Int) throws(NSAPIError) -> (SocketAddress, [UInt8]) {
        self.receiveCalls += 1
        let socket = self[handle]
        guard !socket.received.isEmpty else { throw .wouldBlock }
        let (source, bytes) = socket.received.removeFirst()
        return (source, Array(bytes.prefix(maxBytes)))
    }

    func socketShutdown(_ handle: SocketHandle, _ direction: ShutdownDirection) throws(NSAPIError) {
        self[handle].shutdowns.append(direction)
    }

    func socketAbort(_ handle: SocketHandle) { self[handle].aborted = true }

    func setOption(_ handle: SocketHandle, _ option: SocketOption, _ value: SocketOptionValue) throws(NSAPIError) {
        guard option != .linger else { throw .unsupported }
        self[handle].options[option] = value
    }

    func getOption(_ handle: SocketHandle, _ option: SocketOption) throws(NSAPIError) -> SocketOptionValue {
        guard let value = self[handle].options[option] else { throw .unsupported }
        return value
    }

    func localAddress(_ handle: SocketHandle) throws(NSAPIError) -> SocketAddress {
        self[handle].bound ?? SocketAddress()
    }
}

/// Time that moves only when the test says so.
final class ManualScheduler: TimerScheduler {
    private(set) var now = 0
    var nowMilliseconds: Int { self.now }
    private var timers: [(due: Int, order: Int, task: () -> Void, cancelled: () -> Bool)] = []
    private var order = 0

    /// Timers ever scheduled.
    private(set) var scheduledCount = 0

    func scheduleTimer(afterMilliseconds milliseconds: Int, _ task: @escaping () -> Void) -> Cancellation {
        self.scheduledCount += 1
        final class Flag { var cancelled = false }
        let flag = Flag()
        self.order += 1
        self.timers.append((self.now + milliseconds, self.order, task, { flag.cancelled }))
        return Cancellation { flag.cancelled = true }
    }

    func advance(by milliseconds: Int) {
        let target = self.now + milliseconds
        while true {
            self.timers.removeAll { $0.cancelled() }
            guard let next = self.timers.filter({ $0.due <= target }).min(by: { ($0.due, $0.order) < ($1.due, $1.order) }) else { break }
            self.timers.removeAll { $0.order == next.order }
            self.now = next.due
            next.task()
        }
        self.now = target
    }

    var pendingTimers: Int {
        self.timers.removeAll { $0.cancelled() }
        return self.timers.count
    }
}

/// Captures a completion that may come now or later.
final class Outcome<T> {
    private(set) var value: Result<T, NSAPIError>?
    var isPending: Bool { self.value == nil }
    func callAsFunction(_ result: Result<T, NSAPIError>) {
        precondition(self.value == nil, "completed twice")
        self.value = result
    }
    var error: NSAPIError? {
        if case .failure(let error)? = self.value { return error }
        return nil
    }
    var success: T? {
        if case .success(let value)? = self.value { return value }
        return nil
    }
}
