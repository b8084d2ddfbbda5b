import NSAPI

/// One socket object of a client, with Mbed's per-socket state.
///
/// The object outlives `close()` (Mbed leaves it ready to `open()` again), except
/// for accepted sockets, which Mbed deletes on close.
final class ManagedSocket {
    enum State: String {
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
    /// Calls waiting for an event on this socket, woken in order.
    var waiters: [BlockedCall] = []

    init(owner: Int, id: Int, proto: SocketProtocol, interface: String, accepted: Bool) {
        self.owner = owner
        self.id = id
        self.proto = proto
        self.interface = interface
        self.isAccepted = accepted
    }

    var isOpen: Bool { self.state != .closed && self.stack != nil }
}

/// A call that could not finish at once and waits for socket events, as Mbed's
/// blocking wrappers loop over a nonblocking stack call.
final class BlockedCall {
    /// Which way the call moves data: calls of one direction finish in the order they came.
    enum Direction {
        case read
        case write
    }

    let direction: Direction
    /// Tries the operation again; true when it finished (and completed its caller).
    let attempt: () -> Bool
    /// Finishes the call when the idle timeout expires.
    let expire: () -> Void
    /// Finishes the call when its socket is closed under it.
    let abort: (NSAPIError) -> Void
    var timer: Cancellation?

    init(
        direction: Direction, attempt: @escaping () -> Bool, expire: @escaping () -> Void,
        abort: @escaping (NSAPIError) -> Void
    ) {
        self.direction = direction
        self.attempt = attempt
        self.expire = expire
        self.abort = abort
    }
}
