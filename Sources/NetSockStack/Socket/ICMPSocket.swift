public import NSAPI
public import NetSockWire

/// An ICMP echo socket, as Linux's unprivileged ping sockets are: the program sends
/// echo requests as ICMP messages and receives the replies to them. The socket owns
/// an identifier (its "port"): requests go out with it, and replies carrying it come
/// back to this socket alone. The stack computes the checksum.
public final class ICMPSocket {
    public struct Received: Sendable, Equatable {
        public var source: IPv4Address
        /// The ICMP message as it arrived: type, code, checksum, identifier, sequence, data.
        public var message: [UInt8]
    }

    /// Messages held for the program, in count and bytes.
    public static let maximumQueuedMessages = 256
    public static let maximumQueuedBytes = 256 * 1024

    unowned let interface: Interface
    public let id: Int
    public internal(set) var identifier: UInt16?
    public var timeToLive: UInt8?
    public internal(set) var isClosed = false
    private var queue: [Received] = []
    private var head = 0
    private var queuedBytes = 0
    public private(set) var droppedForSpace = 0

    init(interface: Interface, id: Int) {
        self.interface = interface
        self.id = id
    }

    /// Identifier 0 takes a free one.
    public func bind(identifier: UInt16) throws(StackError) {
        guard !self.isClosed else { throw .closed }
        guard self.identifier == nil else { throw .invalidArgument }
        try self.interface.icmpBind(self, identifier)
    }

    /// Sends `message`, an echo request (type 8, code 0, at least the 8-byte header):
    /// its identifier is replaced by the socket's and its checksum computed. Returns the
    /// bytes sent.
    @discardableResult
    public func send(_ message: UnsafeRawBufferPointer, to destination: IPv4Address, at now: Instant) throws(StackError) -> Int {
        guard !self.isClosed else { throw .closed }
        guard message.count >= 8, message[0] == 8, message[1] == 0 else { throw .invalidArgument }
        guard !destination.isUnspecified else { throw .invalidArgument }
        if self.identifier == nil { try self.interface.icmpBind(self, 0) }
        let sequence = UInt16(message[6]) << 8 | UInt16(message[7])
        try self.interface.sendEchoRequest(
            to: destination, identifier: self.identifier ?? 0, sequenceNumber: sequence, data: Array(message[8...]),
            timeToLive: self.timeToLive, at: now)
        return message.count
    }

    public func receive() -> Received? {
        guard self.head < self.queue.count else { return nil }
        let message = self.queue[self.head]
        self.head += 1
        self.queuedBytes -= message.message.count
        if self.head == self.queue.count {
            self.queue.removeAll(keepingCapacity: true)
            self.head = 0
        } else if self.head > 64 && self.head * 2 > self.queue.count {
            // Read entries go, so a queue that never quite empties stays bounded.
            self.queue.removeFirst(self.head)
            self.head = 0
        }
        return message
    }

    public var hasQueuedMessage: Bool { self.head < self.queue.count }
    /// Entries held, read or not (for tests of the bound).
    public var storedMessages: Int { self.queue.count }

    func enqueue(_ source: IPv4Address, _ message: UnsafeRawBufferPointer) -> Bool {
        guard self.queue.count - self.head < Self.maximumQueuedMessages, self.queuedBytes + message.count <= Self.maximumQueuedBytes else {
            self.droppedForSpace += 1
            return false
        }
        self.queue.append(Received(source: source, message: [UInt8](message)))
        self.queuedBytes += message.count
        return true
    }

    public func close() {
        guard !self.isClosed else { return }
        self.interface.icmpClose(self)
        self.isClosed = true
        self.queue.removeAll()
        self.head = 0
        self.queuedBytes = 0
    }
}

extension Interface {
    public func makeICMPSocket() -> ICMPSocket {
        let socket = ICMPSocket(interface: self, id: self.nextSocketID)
        self.nextSocketID += 1
        return socket
    }

    func icmpBind(_ socket: ICMPSocket, _ identifier: UInt16) throws(StackError) {
        var chosen = identifier
        if chosen == 0 {
            // A random start, then the next free one, as for ephemeral ports.
            let start = self.random.below(65535)
            guard let free = (0..<65535).lazy.map({ UInt16(1 + (start + $0) % 65535) }).first(where: { self.icmpSockets[$0] == nil }) else {
                throw .noPortsLeft
            }
            chosen = free
        } else if self.icmpSockets[chosen] != nil {
            throw .addressInUse
        }
        socket.identifier = chosen
        self.icmpSockets[chosen] = socket
    }

    func icmpClose(_ socket: ICMPSocket) {
        if let identifier = socket.identifier, self.icmpSockets[identifier] === socket { self.icmpSockets[identifier] = nil }
    }

    /// An echo reply for one of our ICMP sockets: queued there, the socket told.
    func deliverEchoReply(identifier: UInt16, from source: IPv4Address, _ message: UnsafeRawBufferPointer) {
        guard let socket = self.icmpSockets[identifier] else { return }
        if socket.enqueue(source, message) {
            self.onSocketEvent?(socket.id)
        } else {
            self.counters.drop(.socketQueueFull)
        }
    }
}
