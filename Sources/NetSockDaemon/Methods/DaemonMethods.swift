import NSAPI
import NetSockJSON
import NetSockRPC

/// The method table of `netsockd`: every method's declaration (the source of params
/// validation, `rpc.discover`, `docs/openrpc.json` and the generated client) and its
/// handler, in the order of the document.
enum DaemonMethods {
    static let all: [any DaemonMethod.Type] =
        [RPCDiscover.self] + DaemonInfoMethods.all + EventMethods.all + InterfaceMethods.all + SocketMethods.all + SocketIOMethods.all + TLSMethods.all
        + SocketOptionMethods.all + DNSMethods.all + CellularMethods.all + WiFiMethods.all

    static let notifications: [any DaemonNotification.Type] = [
        EventNotification.self, EventsLostNotification.self, StoppingNotification.self, SigioNotification.self,
        ProgressNotification.self, DNSResultNotification.self, DetachedNotification.self, DatagramRefusedNotification.self,
    ]

    /// Builds the table; with `daemon == nil` the handlers are inert (documentation only).
    static func table(for daemon: Daemon?, resultCheck: ResultCheck? = nil) -> MethodTable<Session> {
        var table = MethodTable<Session>(resultCheck: resultCheck)
        weak var daemon = daemon
        let live: DaemonAccess = { () throws(RPCError) in
            guard let daemon else { throw .internalError("the daemon is not running") }
            return daemon
        }
        for method in self.all { method.register(into: &table, live) }
        for notification in self.notifications { table.register(notification: notification.spec) }
        return table
    }

    static func document(_ table: MethodTable<Session>) -> JSONValue {
        OpenRPCDocument.generate(
            table,
            info: .init(
                title: "netsockd control API",
                version: "\(Daemon.apiVersion).0.0",
                description: """
                    JSON-RPC 2.0 over a Unix-domain socket: the Arm Mbed OS network-socket API (NSAPI) served by \
                    netsockd. Params are by name. NSAPI failures use the nsapi_error_t value as error.code and its \
                    name as error.message. Server notifications are listed under x-notifications.
                    """,
                extensions: [
                    "x-netsockd-topics": JSONValue(EventTopic.allCases.map(\.apiName)),
                    "x-netsockd-errors": .array(RPCError.Code.allCases.map { ["code": JSONValue($0.rawValue), "message": .string($0.message)] }),
                ]))
    }
}

/// An OpenRPC document, as rpc.discover answers.
struct OpenRPCResult: APIValue {
    var document: JSONValue
    static var schema: Schema { .object([], open: true) }
    var json: JSONValue { self.document }
}

struct RPCDiscover: DaemonMethod {
    typealias Result = OpenRPCResult
    static let name = "rpc.discover"
    static let summary = "The OpenRPC 1.3 document of this API, notifications included."
    static let resultDescription = "An OpenRPC document."
    static let tags = ["rpc"]
    static let resultIsConstant = true

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<OpenRPCResult> {
        .result(OpenRPCResult(document: daemon.openRPC))
    }
}

/// Something changed on a socket with sigio enabled.
struct SigioNotification: DaemonNotification {
    static let method = "socket.sigio"
    static let summary = "Something changed on a socket with sigio enabled (coalesced until the next I/O call)."
    var socket: Int
    static let members: [APIMember<SigioNotification>] = [APIMember("socket", \.socket, "")]
}
