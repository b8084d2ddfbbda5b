/// Why the stack refused a socket operation. The daemon maps these to NSAPI codes in
/// one place; the stack does not know Mbed's numbers.
public enum StackError: Error, Sendable, Equatable {
    /// The port (or address and port) is taken.
    case addressInUse
    /// Bind to an address this interface does not hold.
    case addressNotAvailable
    /// The interface has no IPv4 address yet.
    case notConfigured
    /// No route to the destination.
    case noRoute
    /// Larger than one IPv4 datagram can carry, or than the link allows with DF set.
    case messageTooLong
    /// A bad address or port (0 as a destination port, for one).
    case invalidArgument
    /// Nothing can be held for sending now (the ARP queue is full).
    case noBufferSpace
    /// No free ephemeral port.
    case noPortsLeft
    /// The socket was closed.
    case closed
    /// Nothing to read, or no room to write, now (TCP).
    case wouldBlock
    /// A connect was started and is under way.
    case inProgress
    /// A connect is already under way.
    case already
    /// The socket is connected already.
    case isConnected
    /// The socket has no connection (never connected, or its connection ended).
    case notConnected
    /// The peer answered the connect with a reset.
    case connectionRefused
    /// The peer reset the connection.
    case connectionReset
    /// The peer stopped answering: retransmissions, keep-alive probes or the user timeout ran out.
    case timedOut
}

/// An IPv4 address and port.
public struct IPv4Endpoint: Hashable, Sendable, CustomStringConvertible {
    public var address: IPv4Address
    public var port: UInt16

    public init(_ address: IPv4Address, _ port: UInt16) {
        self.address = address
        self.port = port
    }

    public var description: String { "\(self.address):\(self.port)" }
}

import NSAPI
