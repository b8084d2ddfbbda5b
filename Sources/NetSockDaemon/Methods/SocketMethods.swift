import NSAPI
import NetSockJSON
import NetSockRPC
import NetSockTLS

/// `socket.*`, opening and connecting: Mbed's Socket, TCPSocket and UDPSocket over
/// JSON-RPC. The rules themselves live in ``SocketLayer``; these handlers translate
/// params and results.
enum SocketMethods {
    static let all: [any DaemonMethod.Type] = [
        SocketOpen.self, SocketClose.self, SocketBind.self, SocketListen.self, SocketAccept.self, SocketConnect.self,
    ]
}

/// The id of a socket, as socket.open and socket.accept answer.
struct SocketRef: APIObject {
    var socket: Int
    static let members: [APIMember<SocketRef>] = [APIMember("socket", \.socket, "The socket id.")]
}

struct SocketOpen: DaemonMethod {
    typealias Result = SocketRef
    static let name = "socket.open"
    static let summary = "Opens a TCP, UDP, ICMP or TLS socket on an interface's stack (the default interface if none)."
    static let description = "With socket, reopens that closed object (Mbed's open() again); an object that is open gives NSAPI_ERROR_PARAMETER. Beyond max_sockets_per_client: NSAPI_ERROR_NO_SOCKET. A named interface binds the socket to its device (SO_BINDTODEVICE on the kernel stack); without one the socket uses the default interface's stack and the routing table decides."
    static let errors: [NSAPIError] = [.noSocket, .parameter, .unsupported]
    static let tags = ["socket"]

    @Param("protocol", SocketProtocol.schema(of: [.tcp, .udp, .icmp, .nonIP, .tls]), "Socket type; icmp is Mbed's ICMPSocket: echo requests out with sendto, echo replies in with recvfrom, as ICMP messages (the stack sets the identifier and checksum); tls is Mbed's TLSSocket: TCP with Mbed TLS on top, connect doing the handshake (set its trust anchors with socket.set_root_ca_cert first).") var proto: SocketProtocol
    @Param("interface", "Interface name; the default interface when absent.") var interface: String?
    @Param("socket", .socketID, "A closed socket object to reopen.") var reopen: Int?

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<SocketRef> {
        let params = call.params
        let interface = try InterfaceMethods.interface(daemon, params.interface)
        // A named interface binds the socket to its device; without one, routing decides,
        // as for any program, on the default interface's stack.
        do throws(NSAPIError) {
            let stack = params.proto == .tls ? daemon.sockets.tlsStack(over: interface.stack) : interface.stack
            let id = try daemon.sockets.open(
                owner: call.context.id, protocol: params.proto, stack: stack, interface: interface.name,
                device: params.interface != nil ? interface.device : nil, reopen: params.reopen)
            return .result(SocketRef(socket: id))
        } catch .unsupported where params.proto == .icmp && interface.stackKind == .kernel {
            throw RPCError(
                .unsupported,
                detail: "this host does not give the daemon's group ping sockets (sysctl net.ipv4.ping_group_range); an ip-stack interface always has them")
        } catch {
            throw RPCError(error)
        }
    }
}

struct SocketClose: DaemonMethod {
    typealias Result = NoResult
    static let name = "socket.close"
    static let summary = "Closes a socket; blocked calls on it end with NSAPI_ERROR_NO_SOCKET."
    static let errors: [NSAPIError] = [.noSocket]
    static let tags = ["socket"]

    @Param("socket", .socketID, "Socket id from socket.open or socket.accept.") var socket: Int

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        try nsapi { () throws(NSAPIError) in try daemon.sockets.close(owner: call.context.id, id: call.params.socket) }
        return .result(NoResult())
    }
}

struct SocketBind: DaemonMethod {
    typealias Result = NoResult
    static let name = "socket.bind"
    static let summary = "Binds a local address and port."
    static let description = "A port in use, a non-local or wrong-family address, or a second bind give NSAPI_ERROR_PARAMETER (as Mbed's tests require)."
    static let errors: [NSAPIError] = [.parameter, .noSocket]
    static let tags = ["socket"]

    @Param("socket", .socketID, "Socket id from socket.open or socket.accept.") var socket: Int
    @Param("address", "Local IP address; any address when absent.") var address: IPAddress?
    @Param("port", "Port number.") var port: UInt16

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        let params = call.params
        try nsapi { () throws(NSAPIError) in
            try daemon.sockets.bind(owner: call.context.id, id: params.socket, address: SocketAddress(params.address, port: params.port))
        }
        return .result(NoResult())
    }
}

struct SocketListen: DaemonMethod {
    typealias Result = NoResult
    static let name = "socket.listen"
    static let summary = "Marks a TCP socket as passive (UDP: NSAPI_ERROR_UNSUPPORTED)."
    static let errors: [NSAPIError] = [.unsupported, .noSocket]
    static let tags = ["socket"]

    @Param("socket", .socketID, "Socket id from socket.open or socket.accept.") var socket: Int
    @Param("backlog", .integer(minimum: 1, maximum: 4096), "Pending connections, default 1.") var backlog = 1

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        try nsapi { () throws(NSAPIError) in
            try daemon.sockets.listen(owner: call.context.id, id: call.params.socket, backlog: call.params.backlog)
        }
        return .result(NoResult())
    }
}

/// A connection accepted by socket.accept.
struct AcceptedSocket: APIObject {
    var socket: Int
    var peer: Endpoint

    static let members: [APIMember<AcceptedSocket>] = [
        APIMember("socket", \.socket, "The new socket's id."),
        APIMember("address", \.peer.address, "The peer's IP address."), APIMember("port", \.peer.port, "The peer's port."),
    ]
}

struct SocketAccept: DaemonMethod {
    typealias Result = AcceptedSocket
    static let name = "socket.accept"
    static let summary = "Accepts a connection: a new blocking socket, deleted by its close (blocking call)."
    static let errors: [NSAPIError] = [.wouldBlock, .noSocket, .unsupported]
    static let tags = ["socket", "blocking"]

    @Param("socket", .socketID, "Socket id from socket.open or socket.accept.") var socket: Int

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<AcceptedSocket> {
        try daemon.sockets.accept(owner: call.context.id, id: call.params.socket) { result in
            call.responder.complete(result) { id, address in AcceptedSocket(socket: id, peer: Endpoint(address)) }
        }
        return .deferred
    }
}

struct SocketConnect: DaemonMethod {
    typealias Result = NoResult
    static let name = "socket.connect"
    static let summary = "TCP: connects (blocking call). UDP: sets the peer filter, always OK."
    static let description = "address may be a host name, resolved by the daemon's resolver. Nonblocking TCP gives NSAPI_ERROR_IN_PROGRESS, then NSAPI_ERROR_ALREADY, then NSAPI_ERROR_IS_CONNECTED; refused or reset is NSAPI_ERROR_NO_CONNECTION; a timeout returns the last IN_PROGRESS or ALREADY. TLS: the same, through the handshake as well; a refused certificate or a failed handshake is NSAPI_ERROR_AUTH_FAILURE with the reason (expired, wrong host, untrusted, self-signed, not TLS) in error.data.detail; a host name given here is the name checked unless socket.set_hostname set one."
    static let errors: [NSAPIError] = [.inProgress, .already, .isConnected, .noConnection, .dnsFailure, .noSocket, .wouldBlock, .authFailure]
    static let tags = ["socket", "blocking"]

    @Param("socket", .socketID, "Socket id from socket.open or socket.accept.") var socket: Int
    @Param("address", "IP address or host name (over 255 octets: NSAPI_ERROR_PARAMETER).") var address: String
    @Param("port", "Port number.") var port: UInt16

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        let owner = call.context.id
        let (id, port) = (call.params.socket, call.params.port)
        daemon.resolveForSocket(owner: owner, id: id, host: call.params.address) { resolved in
            switch resolved {
            case .failure(let error): call.responder.fail(RPCError(error))
            case .success(let address):
                let host = call.params.address
                if IPAddress(parsing: host) == nil, !host.isEmpty, let (tls, handle) = try? daemon.sockets.tls(owner: owner, id: id) {
                    tls.setDefaultHostname(handle, host)
                }
                daemon.sockets.connect(owner: owner, id: id, address: SocketAddress(address, port: port)) { result in
                    if case .failure(.authFailure) = result, let failure = daemon.sockets.tlsFailure(owner: owner, id: id) {
                        return call.responder.fail(RPCError(.authFailure, detail: failure.description))
                    }
                    call.responder.complete(result) { NoResult() }
                }
            }
        }
        return .deferred
    }
}
