#if canImport(Glibc)
import Glibc
#endif
import NSAPI
import NetSockJSON
import NetSockPOSIX
import NetSockRPC

/// The method table of `netsockd`: one entry per method with its spec (the source
/// of params validation, `rpc.discover` and `docs/openrpc.json`) and its handler.
enum DaemonMethods {
    /// Builds the table; with `daemon == nil` the handlers are inert (documentation only).
    static func table(for daemon: Daemon?) -> MethodTable<Session> {
        var table = MethodTable<Session>()
        weak var daemon = daemon
        func live() throws(RPCError) -> Daemon {
            guard let daemon else { throw .internalError("the daemon is not running") }
            return daemon
        }
        RPCMethods.register(into: &table) { () throws(RPCError) in try live() }
        DaemonInfoMethods.register(into: &table) { () throws(RPCError) in try live() }
        EventMethods.register(into: &table) { () throws(RPCError) in try live() }
        InterfaceMethods.register(into: &table) { () throws(RPCError) in try live() }
        SocketMethods.register(into: &table) { () throws(RPCError) in try live() }
        DNSMethods.register(into: &table) { () throws(RPCError) in try live() }
        for notification in Notifications.all { table.register(notification: notification) }
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
                    "x-netsockd-topics": JSONValue(EventMethods.topics),
                    "x-netsockd-errors": .array(ServerErrors.documented),
                ]))
    }
}

/// Accessor for the running daemon, failing when only documentation was built.
typealias DaemonAccess = () throws(RPCError) -> Daemon

/// The server errors outside NSAPI that any method may return, for the document.
enum ServerErrors {
    static let documented: [JSONValue] = [
        ["code": -32700, "message": "Parse error"], ["code": -32600, "message": "Invalid Request"],
        ["code": -32601, "message": "Method not found"], ["code": -32602, "message": "Invalid params"],
        ["code": -32603, "message": "Internal error"], ["code": -32001, "message": "Not permitted"],
        ["code": -32002, "message": "Replay unavailable"], ["code": -32003, "message": "Shutting down"],
        ["code": -32004, "message": "Limit exceeded"], ["code": -32005, "message": "Configuration refused"],
    ]
}

/// `rpc.*`: self-description.
enum RPCMethods {
    static func register(into table: inout MethodTable<Session>, _ daemon: @escaping DaemonAccess) {
        table.register(
            MethodSpec(
                "rpc.discover", summary: "The OpenRPC 1.3 document of this API, notifications included.",
                result: .object([], open: true), resultDescription: "An OpenRPC document.", tags: ["rpc"],
                resultIsConstant: true)
        ) { _ throws(RPCError) in .result(try daemon().openRPC) }
    }
}
