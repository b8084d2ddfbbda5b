public import NSAPI

/// A listening socket's queues: connections still in their handshake (the SYN queue,
/// bounded so a SYN flood costs a fixed amount) and established ones waiting for
/// `accept` (the backlog). A connection that completes its handshake into a full
/// backlog is reset, as lwIP does, rather than left half-open.
public final class TCPListener {
    public let local: IPv4Endpoint
    public let backlog: Int
    public let synQueueLimit: Int
    let eventID: Int
    var settings: TCPConnection.Settings
    private(set) var handshaking = 0
    private var ready: [TCPConnection] = []
    private var head = 0
    public private(set) var overflowed = 0
    public private(set) var synDropped = 0

    init(local: IPv4Endpoint, backlog: Int, synQueueLimit: Int, eventID: Int, settings: TCPConnection.Settings) {
        self.local = local
        self.backlog = Swift.max(1, backlog)
        self.synQueueLimit = Swift.max(1, synQueueLimit)
        self.eventID = eventID
        self.settings = settings
    }

    public var pendingAccepts: Int { self.ready.count - self.head }

    /// Whether a new SYN may start a handshake.
    func admitsHandshake() -> Bool {
        guard self.handshaking < self.synQueueLimit else {
            self.synDropped += 1
            return false
        }
        return true
    }

    func handshakeStarted() { self.handshaking += 1 }

    func handshakeEnded() { self.handshaking = Swift.max(0, self.handshaking - 1) }

    /// The handshake completed: queue it for `accept`, or refuse it when the backlog is full.
    func established(_ connection: TCPConnection) {
        self.handshakeEnded()
        connection.listener = nil
        guard self.pendingAccepts < self.backlog else {
            self.overflowed += 1
            connection.abort(at: connection.interface.lastNow)
            return
        }
        self.ready.append(connection)
    }

    func nextAccepted() -> TCPConnection? {
        while self.head < self.ready.count {
            let connection = self.ready[self.head]
            self.head += 1
            if self.head == self.ready.count {
                self.ready.removeAll(keepingCapacity: true)
                self.head = 0
            }
            // Reset before it was accepted: accept it anyway, as Linux does; its first
            // read reports the reset.
            return connection
        }
        return nil
    }

    /// The listener closed: everything queued is reset.
    func drain() -> [TCPConnection] {
        defer {
            self.ready.removeAll()
            self.head = 0
        }
        return Array(self.ready[self.head...])
    }
}
