import NSAPI

/// One socket object of a client, with Mbed's per-socket state.
///
/// The object outlives `close()` (Mbed leaves it ready to `open()` again), except
/// for accepted sockets, which Mbed deletes on close.
final class ManagedSocket {
    enum State: String, CaseIterable, Sendable {
        case closed
        case open
        case connecting
        case connected
        case listening
    }

    let owner: Int
    let id: Int
    let proto: SocketProtocol
    var stack: (any NetworkStack)?
    var handle: SocketHandle = -1
    /// The interface the socket belongs to (its name, never its device).
    var interface: String
    var state = State.closed
    /// Mbed's `_timeout`: `nil` blocks forever, 0 is nonblocking, otherwise the idle time between events.
    var timeoutMilliseconds: Int?
    /// TCP: the connected peer. UDP: the `connect` filter (datagrams from elsewhere are dropped).
    var peer: SocketAddress?
    var isBound = false
    let isAccepted: Bool
    var sigioEnabled = false
    /// Mbed's `_pending`: a sigio was sent and no I/O call has been made since.
    var sigioPending = false
    /// Calls waiting for an event, one FIFO per direction: only the head of each runs.
    var readers = CallQueue()
    var writers = CallQueue()
    /// The head reader waits for room in its client's output, not for the stack.
    var readWaitsForRoom = false
    /// The descriptor the payload moves over once attached (`socket.attach`); JSON I/O is refused then.
    var channel: SocketChannel?

    init(owner: Int, id: Int, proto: SocketProtocol, interface: String, accepted: Bool) {
        self.owner = owner
        self.id = id
        self.proto = proto
        self.interface = interface
        self.isAccepted = accepted
    }

    var isOpen: Bool { self.state != .closed && self.stack != nil }

    func queue(_ direction: BlockedCall.Direction) -> CallQueue {
        direction == .read ? self.readers : self.writers
    }

    func withQueue<T>(_ direction: BlockedCall.Direction, _ body: (inout CallQueue) -> T) -> T {
        direction == .read ? body(&self.readers) : body(&self.writers)
    }
}

/// A call that could not finish at once and waits for socket events, as Mbed's
/// blocking wrappers loop over a nonblocking stack call.
final class BlockedCall {
    /// Which way the call moves data: calls of one direction finish in the order they came.
    enum Direction: CaseIterable {
        case read
        case write
    }

    let direction: Direction
    /// The socket's timeout when the call was made: `nil` waits forever.
    let timeoutMilliseconds: Int?
    /// Tries the operation again; true when it finished (and completed its caller).
    let attempt: () -> Bool
    /// Finishes the call when the idle timeout expires.
    let expire: () -> Void
    /// Finishes the call when its socket is closed under it.
    let abort: (NSAPIError) -> Void
    /// When the idle timeout ends; moved on by every event without touching the timer.
    var deadline: Int?
    /// The one timer of this call, scheduled for the deadline it saw last.
    var timer: Cancellation?
    var isFinished = false

    init(
        direction: Direction, timeoutMilliseconds: Int?, attempt: @escaping () -> Bool, expire: @escaping () -> Void,
        abort: @escaping (NSAPIError) -> Void
    ) {
        self.direction = direction
        self.timeoutMilliseconds = timeoutMilliseconds
        self.attempt = attempt
        self.expire = expire
        self.abort = abort
    }
}

/// A FIFO of waiting calls with O(1) push, pop and put-back at the head.
struct CallQueue {
    private var calls: [BlockedCall] = []
    private var head = 0

    var first: BlockedCall? { self.head < self.calls.count ? self.calls[self.head] : nil }
    var count: Int { self.calls.count - self.head }
    var isEmpty: Bool { self.count == 0 }

    mutating func append(_ call: BlockedCall) { self.calls.append(call) }

    mutating func removeFirst() -> BlockedCall {
        let call = self.calls[self.head]
        self.head += 1
        if self.head == self.calls.count {
            self.calls.removeAll(keepingCapacity: self.calls.capacity <= 1024)
            self.head = 0
        } else if self.head > 32 && self.head * 2 > self.calls.count {
            self.calls.removeSubrange(0..<self.head)
            self.head = 0
        }
        return call
    }

    /// Puts a call that just tried and must wait back in front.
    mutating func pushFront(_ call: BlockedCall) {
        if self.head > 0 {
            self.head -= 1
            self.calls[self.head] = call
        } else {
            self.calls.insert(call, at: 0)
        }
    }

    mutating func removeAll() -> ArraySlice<BlockedCall> {
        let all = self.calls[self.head...]
        self.calls = []
        self.head = 0
        return all
    }
}
