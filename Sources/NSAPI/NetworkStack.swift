/// A stack's own number for one of its sockets (Mbed's `nsapi_socket_t`).
public typealias SocketHandle = Int

/// The value of a socket option, typed by the option (see ``SocketOption``).
public enum SocketOptionValue: Sendable, Equatable {
    /// Flags, sizes, times (ms) and the TOS byte.
    case integer(Int64)
    /// `bind_to_device`: an interface or kernel device name.
    case text(String)
    /// `add_membership` / `drop_membership`: a multicast group and, optionally, the local interface address.
    case membership(group: IPAddress, interface: IPAddress?)
}

/// How `socket.shutdown` closes a TCP connection (POSIX half-close, beyond Mbed).
public enum ShutdownDirection: String, Sendable, CaseIterable {
    case read
    case write
    case both
}

/// The driver contract, after Mbed's `NetworkStack::socket_*`: every operation is
/// nonblocking and reports "try again" as ``NSAPIError/wouldBlock`` (or, for TCP
/// connect, ``NSAPIError/inProgress``, ``NSAPIError/already``, ``NSAPIError/isConnected``).
///
/// A stack calls ``eventHandler`` with a handle whenever something may have changed
/// on it (data arrived, space freed, connection state moved): Mbed's `socket_attach`
/// callback. Spurious calls are allowed. Blocking, timeouts and `sigio` live above
/// this contract, once for every stack.
///
/// All methods are called on the daemon's event-loop thread.
public protocol NetworkStack: AnyObject {
    /// `kernel`, `ip` or `modem`.
    var name: String { get }
    /// Set once by the socket layer.
    var eventHandler: ((SocketHandle) -> Void)? { get set }

    func socketOpen(_ protocol: SocketProtocol) throws(NSAPIError) -> SocketHandle
    func socketClose(_ handle: SocketHandle)
    func socketBind(_ handle: SocketHandle, _ address: SocketAddress) throws(NSAPIError)
    func socketListen(_ handle: SocketHandle, backlog: Int) throws(NSAPIError)
    /// `.inProgress` the first time, `.already` while pending, `.isConnected` once connected.
    func socketConnect(_ handle: SocketHandle, _ address: SocketAddress) throws(NSAPIError)
    func socketAccept(_ handle: SocketHandle) throws(NSAPIError) -> (SocketHandle, SocketAddress)
    /// Bytes accepted, possibly fewer than given.
    func socketSend(_ handle: SocketHandle, _ data: ArraySlice<UInt8>) throws(NSAPIError) -> Int
    /// Up to `maxBytes`; an empty result means the peer closed in an orderly way (TCP).
    func socketReceive(_ handle: SocketHandle, maxBytes: Int) throws(NSAPIError) -> [UInt8]
    func socketSendTo(_ handle: SocketHandle, _ address: SocketAddress, _ data: ArraySlice<UInt8>) throws(NSAPIError) -> Int
    func socketReceiveFrom(_ handle: SocketHandle, maxBytes: Int) throws(NSAPIError) -> (SocketAddress, [UInt8])
    func socketShutdown(_ handle: SocketHandle, _ direction: ShutdownDirection) throws(NSAPIError)
    func setOption(_ handle: SocketHandle, _ option: SocketOption, _ value: SocketOptionValue) throws(NSAPIError)
    func getOption(_ handle: SocketHandle, _ option: SocketOption) throws(NSAPIError) -> SocketOptionValue
    func localAddress(_ handle: SocketHandle) throws(NSAPIError) -> SocketAddress
    /// Ends a TCP connection abortively, a reset to the peer, leaving the socket open but
    /// unconnected: the client of an attached socket went away with the stream unfinished,
    /// and the peer must not take that for an orderly end.
    func socketAbort(_ handle: SocketHandle)
}

extension NetworkStack {
    /// A stack without resets ends both directions in order.
    public func socketAbort(_ handle: SocketHandle) { try? self.socketShutdown(handle, .both) }
}
