import NSAPI
import NetSockJSON
import NetSockRPC

/// A method of netsockd, declared and handled in one type: its params (`@Param`
/// properties), docs, role and result type, and the handler that answers a call.
///
///     struct SocketClose: DaemonMethod {
///         typealias Result = NoResult
///         static let name = "socket.close"
///         static let summary = "Closes a socket."
///         @Param("socket", .socketID, "Socket id.") var socket: Int
///
///         static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
///             try nsapi { () throws(NSAPIError) in try daemon.sockets.close(owner: call.context.id, id: call.params.socket) }
///             return .result(NoResult())
///         }
///     }
protocol DaemonMethod: MethodDeclaration {
    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<Result>
}

extension DaemonMethod {
    static func register(into table: inout MethodTable<Session>, _ daemon: @escaping DaemonAccess) {
        table.register(Self.self) { call throws(RPCError) in try self.handle(call, try daemon()) }
    }
}

/// Accessor for the running daemon, failing when only documentation was built.
typealias DaemonAccess = () throws(RPCError) -> Daemon

/// A notification netsockd sends: its params are the members of the type.
protocol DaemonNotification: APIObject {
    static var method: String { get }
    static var summary: String { get }
}

extension DaemonNotification {
    static var spec: NotificationSpec {
        NotificationSpec(self.method, summary: self.summary, params: self.members.map(\.field), typeName: String(describing: Self.self))
    }
}

extension Schema {
    /// A socket id as socket.open and socket.accept hand them out.
    static let socketID = Schema.integer(minimum: 1, maximum: Int64(Int32.max))
    /// An interface name (the kernel's IFNAMSIZ).
    static let interfaceName = Schema.string(maxLength: 15)
}

/// Runs an NSAPI operation, reporting its failure as the JSON-RPC error of that code.
func nsapi<T>(_ body: () throws(NSAPIError) -> T) throws(RPCError) -> T {
    do {
        return try body()
    } catch {
        throw RPCError(error)
    }
}

/// An address and port, as socket results carry them.
struct Endpoint: APIObject {
    var address: String?
    var port: Int

    init(_ address: SocketAddress) {
        self.address = address.ipText
        self.port = Int(address.port)
    }

    static let members: [APIMember<Endpoint>] = [
        APIMember("address", \.address, "IP address (null when unknown)."), APIMember("port", \.port, "Port number."),
    ]
}
