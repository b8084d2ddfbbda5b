import NSAPI
import NetSockJSON
import NetSockRPC

/// `socket.*`, settings and state: blocking, timeout, options, names, sigio, the list.
enum SocketOptionMethods {
    static let all: [any DaemonMethod.Type] = [
        SocketSetBlocking.self, SocketSetTimeout.self, SocketSetOption.self, SocketGetOption.self, SocketPeerName.self,
        SocketLocalName.self, SocketSigio.self, SocketList.self,
    ]

    /// The option value setsockopt was given, in the form the socket layer takes.
    static func optionValue(_ option: SocketOption, _ value: JSONValue) throws(RPCError) -> SocketOptionValue {
        switch option {
        case .addMembership, .dropMembership:
            let groupText = value.stringValue ?? value["group"]?.stringValue
            guard let groupText, let group = IPAddress(parsing: groupText) else {
                throw .invalidParams(param: "value", "a membership takes a group address or {group, interface?}")
            }
            var local: IPAddress?
            if let interfaceText = value["interface"]?.stringValue {
                guard let parsed = IPAddress(parsing: interfaceText) else { throw .invalidParams(param: "value.interface", "not an IP address") }
                local = parsed
            }
            return .membership(group: group, interface: local)
        default:
            switch value {
            case .integer(let number): return .integer(number)
            case .bool(let flag): return .integer(flag ? 1 : 0)
            default: throw .invalidParams(param: "value", "\(option.apiName) takes an integer")
            }
        }
    }
}

struct SocketSetBlocking: DaemonMethod {
    typealias Result = NoResult
    static let name = "socket.set_blocking"
    static let summary = "false: every call returns at once; true: calls wait (no timeout)."
    static let errors: [NSAPIError] = [.noSocket]
    static let tags = ["socket"]

    @Param("socket", .socketID, "Socket id from socket.open or socket.accept.") var socket: Int
    @Param("blocking", "") var blocking: Bool

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        try nsapi { () throws(NSAPIError) in
            try daemon.sockets.setBlocking(owner: call.context.id, id: call.params.socket, blocking: call.params.blocking)
        }
        return .result(NoResult())
    }
}

struct SocketSetTimeout: DaemonMethod {
    typealias Result = NoResult
    static let name = "socket.set_timeout"
    static let summary = "Idle time between events before a waiting call gives NSAPI_ERROR_WOULD_BLOCK."
    static let errors: [NSAPIError] = [.noSocket]
    static let tags = ["socket"]

    @Param("socket", .socketID, "Socket id from socket.open or socket.accept.") var socket: Int
    @Param("timeout_ms", .integer(minimum: -1, maximum: 86_400_000), "-1: forever; 0: nonblocking.") var timeout: Int

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        try nsapi { () throws(NSAPIError) in
            try daemon.sockets.setTimeout(owner: call.context.id, id: call.params.socket, milliseconds: call.params.timeout)
        }
        return .result(NoResult())
    }
}

struct SocketSetOption: DaemonMethod {
    typealias Result = NoResult
    static let name = "socket.setsockopt"
    static let summary = "Sets an option; NSAPI_ERROR_UNSUPPORTED where the stack has no equivalent."
    static let description = "Values: integers (booleans allowed) for reuseaddr keepalive keepidle keepintvl linger sndbuf rcvbuf iptos broadcast (times in ms); an interface name for bind_to_device; a group address or {group, interface?} for add_membership and drop_membership."
    static let errors: [NSAPIError] = [.unsupported, .parameter, .noSocket, .addressInUse, .noAddress]
    static let tags = ["socket"]

    @Param("socket", .socketID, "Socket id from socket.open or socket.accept.") var socket: Int
    @Param("option", "") var option: SocketOption
    @Param("value", "") var value: JSONValue

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        let params = call.params
        if params.option == .bindToDevice {
            guard let name = params.value.stringValue else {
                throw .invalidParams(param: "value", "bind_to_device takes an interface name")
            }
            guard let interface = daemon.interfaces.interface(named: name) else {
                throw RPCError(.parameter, detail: "no interface named \(name)")
            }
            try nsapi { () throws(NSAPIError) in
                try daemon.sockets.bind(
                    owner: call.context.id, id: params.socket, toInterface: interface.name, device: interface.device,
                    stack: interface.stack)
            }
            return .result(NoResult())
        }
        let value = try SocketOptionMethods.optionValue(params.option, params.value)
        try nsapi { () throws(NSAPIError) in
            try daemon.sockets.setOption(owner: call.context.id, id: params.socket, option: params.option, value: value)
        }
        return .result(NoResult())
    }
}

/// An option's value: an integer, an interface name, or a membership.
struct OptionValue: APIObject {
    var value: SocketOptionValue

    static let members: [APIMember<OptionValue>] = [
        APIMember("value", \.value, "An integer, an interface name, or {group, interface} for a membership.")
    ]
}

extension SocketOptionValue: APIValue {
    public static var schema: Schema {
        .oneOf([.integer, .string, .object([Field("group", .string, ""), Field("interface", .oneOf([.string, .null]), "")])])
    }

    public var json: JSONValue {
        switch self {
        case .integer(let number): .integer(number)
        case .text(let text): .string(text)
        case .membership(let group, let interface): ["group": .string(group.description), "interface": interface.map { .string($0.description) } ?? .null]
        }
    }
}

struct SocketGetOption: DaemonMethod {
    typealias Result = OptionValue
    static let name = "socket.getsockopt"
    static let summary = "Reads an option back, where the stack can."
    static let errors: [NSAPIError] = [.unsupported, .noSocket]
    static let tags = ["socket"]

    @Param("socket", .socketID, "Socket id from socket.open or socket.accept.") var socket: Int
    @Param("option", "") var option: SocketOption

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<OptionValue> {
        let value = try nsapi { () throws(NSAPIError) in
            try daemon.sockets.getOption(owner: call.context.id, id: call.params.socket, option: call.params.option)
        }
        return .result(OptionValue(value: value))
    }
}

struct SocketPeerName: DaemonMethod {
    typealias Result = Endpoint
    static let name = "socket.getpeername"
    static let summary = "The connected peer (NSAPI_ERROR_NO_CONNECTION without one)."
    static let errors: [NSAPIError] = [.noSocket, .noConnection]
    static let tags = ["socket"]

    @Param("socket", .socketID, "Socket id from socket.open or socket.accept.") var socket: Int

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<Endpoint> {
        .result(Endpoint(try nsapi { () throws(NSAPIError) in try daemon.sockets.peerName(owner: call.context.id, id: call.params.socket) }))
    }
}

struct SocketLocalName: DaemonMethod {
    typealias Result = Endpoint
    static let name = "socket.getsockname"
    static let summary = "The local address and port."
    static let errors: [NSAPIError] = [.noSocket, .noConnection]
    static let tags = ["socket"]

    @Param("socket", .socketID, "Socket id from socket.open or socket.accept.") var socket: Int

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<Endpoint> {
        .result(Endpoint(try nsapi { () throws(NSAPIError) in try daemon.sockets.localName(owner: call.context.id, id: call.params.socket) }))
    }
}

struct SocketSigio: DaemonMethod {
    typealias Result = NoResult
    static let name = "socket.sigio"
    static let summary = "Turns socket.sigio notifications on or off (Mbed's sigio callback, coalesced)."
    static let description = "After one socket.sigio, the next comes only after an I/O call (connect, send, recv, sendto, recvfrom, accept) on that socket. It also fires on close."
    static let errors: [NSAPIError] = [.noSocket]
    static let tags = ["socket"]

    @Param("socket", .socketID, "Socket id from socket.open or socket.accept.") var socket: Int
    @Param("enabled", "") var enabled: Bool

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        try nsapi { () throws(NSAPIError) in
            try daemon.sockets.setSigio(owner: call.context.id, id: call.params.socket, enabled: call.params.enabled)
        }
        return .result(NoResult())
    }
}

extension ManagedSocket.State: APIEnumeration {
    var apiName: String { self.rawValue }
    static var typeName: String { "SocketState" }
}

/// One socket object of socket.list; with `all`, whose it is.
struct SocketRow: APIObject {
    var summary: SocketLayer.Summary
    var client: Int?
    var pid: Int?
    var uid: Int?

    static let members: [APIMember<SocketRow>] = [
        APIMember("socket", \.summary.id, "Socket id."), APIMember("protocol", \.summary.proto, "Socket type."),
        APIMember("interface", \.summary.interface, "Interface the socket was opened on."),
        APIMember("state", \.summary.state, "What the socket is doing."),
        APIMember("local", \.local, "Local address and port, or null."), APIMember("peer", \.peer, "Peer address and port, or null."),
        APIMember("timeout_ms", \.timeout, "Idle timeout (-1: forever)."), APIMember("sigio", \.summary.sigio, "Whether sigio is on."),
        APIMember("client", omittedWhenNil: \.client, "The owning client (with all)."),
        APIMember("pid", omittedWhenNil: \.pid, "The owning client's process id (with all)."),
        APIMember("uid", omittedWhenNil: \.uid, "The owning client's user id (with all)."),
    ]

    var local: Endpoint? { self.summary.local.map(Endpoint.init) }
    var peer: Endpoint? { self.summary.peer.map(Endpoint.init) }
    var timeout: Int { self.summary.timeoutMilliseconds ?? -1 }
}

struct SocketList: DaemonMethod {
    typealias Result = [SocketRow]
    static let name = "socket.list"
    static let summary = "This connection's socket objects, open and closed; with all, every client's (admin)."
    static let tags = ["socket"]

    @Param("all", role: .admin, "Every client's sockets, with client, pid and uid (needs the admin role).") var all = false

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<[SocketRow]> {
        guard call.params.all else {
            return .result(daemon.sockets.list(owner: call.context.id).map { SocketRow(summary: $0) })
        }
        var rows: [SocketRow] = []
        for session in daemon.sessions {
            let credentials = session.credentials
            rows += daemon.sockets.list(owner: session.id).map {
                SocketRow(summary: $0, client: session.id, pid: Int(credentials.pid), uid: Int(credentials.uid))
            }
        }
        return .result(rows)
    }
}
