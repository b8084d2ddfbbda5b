#if canImport(Glibc)
import Glibc
#endif
import NSAPI
import NetSockJSON
import NetSockPOSIX
import NetSockRPC

/// `socket.attach`: the fast data path. The socket's payload leaves JSON for a
/// descriptor passed to the client with the reply (`SCM_RIGHTS`).
struct AttachedDescriptor: APIObject {
    var type: String
    static let members: [APIMember<AttachedDescriptor>] = [
        APIMember("type", \.type, "stream (TCP: a SOCK_STREAM socketpair end) or seqpacket (UDP: SOCK_SEQPACKET, one framed datagram per message).",
            schema: .string(oneOf: [SocketChannel.Kind.stream.rawValue, SocketChannel.Kind.seqpacket.rawValue]))
    ]
}

struct SocketAttach: DaemonMethod {
    typealias Result = AttachedDescriptor
    static let name = "socket.attach"
    static let summary = "Hands over, with the reply, a descriptor that carries the socket's payload from now on (stream mode only)."
    static let description = """
        One end of an AF_UNIX socketpair comes with the reply's first byte (SCM_RIGHTS). TCP (connected): SOCK_STREAM; the \
        client's EOF is shutdown(write) on the socket, the peer's FIN is EOF for the client. UDP: SOCK_SEQPACKET, each message \
        a 20-byte header (u8 family 4 or 6, u8 0, u16 port big-endian, 16 address bytes, IPv4 in the first 4) and the \
        datagram; from the daemon the header names the source, from the client the destination, or all zeros for the \
        connected peer. When the channel ends a socket.detached notification says how (a reset names its NSAPI error). \
        JSON send and receive calls on an attached socket give NSAPI_ERROR_PARAMETER, as does a second attach. HTTP-mode \
        clients cannot receive descriptors: NSAPI_ERROR_UNSUPPORTED.
        """
    static let errors: [NSAPIError] = [.noSocket, .parameter, .noConnection, .unsupported, .noMemory]
    static let tags = ["socket"]

    @Param("socket", .socketID, "Socket id from socket.open or socket.accept.") var socket: Int

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<AttachedDescriptor> {
        let session = call.context
        guard session.canReceiveDescriptors else {
            throw RPCError(.unsupported, detail: "descriptors pass only over a stream-mode connection; an HTTP client cannot receive them")
        }
        let reactor = daemon.reactor
        let layer: SocketLayer = daemon.sockets
        let channel = try nsapi { () throws(NSAPIError) in
            try layer.attach(owner: session.id, id: call.params.socket) { socket throws(NSAPIError) in
                try Self.channel(for: socket, reactor: reactor, route: layer.datagramRoute(socket))
            }
        }
        guard let remote = channel.takeRemote() else { throw .internalError("the channel's descriptor went missing") }
        session.passWithReply(remote)
        return .result(AttachedDescriptor(type: channel.kind.rawValue))
    }

    /// A channel and the pump that suits the socket's stack: splice and batched datagrams
    /// on kernel sockets, the stack's own calls on any other.
    static func channel(for socket: ManagedSocket, reactor: Reactor, route: DatagramRoute) throws(NSAPIError) -> SocketChannel {
        guard let stack = socket.stack else { throw .noSocket }
        let kernel = (stack as? KernelStack)?.kernelSocket(socket.handle)
        let handle = socket.handle
        switch socket.proto {
        case .tcp, .tls:
            // TLS moves plaintext through the TLS layer's own calls, never spliced.
            let kernel = socket.proto == .tls ? nil : kernel
            return try SocketChannel(kind: .stream, reactor: reactor) { local throws(NSAPIError) in
                if let kernel { return try SplicedStreamPump(socket: kernel.fd, local: local) }
                return CopiedStreamPump(stack: stack, handle: handle, local: local)
            }
        default:
            return try SocketChannel(kind: .seqpacket, reactor: reactor) { local throws(NSAPIError) in
                if let kernel { return BatchedDatagramPump(socket: kernel.fd, family: kernel.family, local: local, route: route) }
                return CopiedDatagramPump(stack: stack, handle: handle, local: local, route: route)
            }
        }
    }
}

/// An attached socket's channel ended: how, and for a failure, the NSAPI error.
struct DetachedNotification: DaemonNotification {
    static let method = "socket.detached"
    static let summary = "An attached socket's descriptor was closed: the payload finished, the client closed its end, or the socket failed."
    var socket: Int
    var reason: String
    var failure: NSAPIFailure?

    init(socket: Int, end: SocketChannel.End) {
        self.socket = socket
        switch end {
        case .finished: self.reason = "finished"
        case .clientGone: self.reason = "client_closed"
        case .socketClosed: self.reason = "socket_closed"
        case .failed(let error):
            self.reason = "failed"
            self.failure = NSAPIFailure(error: error)
        }
    }

    static let members: [APIMember<DetachedNotification>] = [
        APIMember("socket", \.socket, "Socket id."),
        APIMember("reason", \.reason, "finished (both directions ended in order), client_closed (the client closed its descriptor first; an unfinished TCP stream is reset), failed (the socket failed: a reset, say) or socket_closed (socket.close).", schema: .string(oneOf: ["finished", "client_closed", "failed", "socket_closed"])),
        APIMember("error", omittedWhenNil: \.failure, "The NSAPI error, when the socket failed."),
    ]
}

/// A frame on an attached datagram socket could not be sent, and was dropped.
struct DatagramRefusedNotification: DaemonNotification {
    static let method = "socket.datagram_refused"
    static let summary = "A datagram written to an attached descriptor could not be sent and was dropped."
    var socket: Int
    var failure: NSAPIFailure
    var detail: String

    static let members: [APIMember<DatagramRefusedNotification>] = [
        APIMember("socket", \.socket, "Socket id."), APIMember("error", \.failure, "The NSAPI error."),
        APIMember("detail", \.detail, "What was wrong, for a person."),
    ]
}
