#if canImport(Glibc)
import Glibc
#endif
import NSAPI
import NetSockJSON
import NetSockPOSIX
import NetSockRPC

/// `daemon.*`: identity, the caller's identity, and lifecycle.
enum DaemonInfoMethods {
    static let all: [any DaemonMethod.Type] = [DaemonInfo.self, DaemonWhoAmI.self, DaemonShutdown.self, DaemonReload.self]
}

/// The limits in force, from the control section of the configuration.
struct ControlLimits: APIObject {
    var control: DaemonConfiguration.Control

    static let members: [APIMember<ControlLimits>] = [
        APIMember("max_clients", \.control.maxClients, "control.max_clients"),
        APIMember("max_message_bytes", \.control.maxMessageBytes, "control.max_message_bytes"),
        APIMember("max_sockets_per_client", \.control.maxSocketsPerClient, "control.max_sockets_per_client"),
        APIMember("max_batch", \.control.maxBatch, "control.max_batch"),
        APIMember("event_history", \.control.eventHistory, "control.event_history"),
        APIMember("max_output_bytes", \.control.maxOutputBytes, "control.max_output_bytes"),
        APIMember("max_pending_requests", \.control.maxPendingRequests, "control.max_pending_requests"),
        APIMember("max_queued_calls_per_socket", \.control.maxQueuedCallsPerSocket, "control.max_queued_calls_per_socket"),
    ]
}

/// Version, process and configuration summary of the daemon.
struct DaemonSummary: APIObject {
    var version = Daemon.version
    var apiVersion = Daemon.apiVersion
    var pid = Int(getpid())
    var uptime: Int64
    var interfaces: [String]
    var stacks: [String]
    var defaultInterface: String?
    var clients: Int
    var sockets: Int
    var socket: String
    var config: String
    var eventSeq: Int64
    var limits: ControlLimits

    static let members: [APIMember<DaemonSummary>] = [
        APIMember("version", \.version, "Daemon version."), APIMember("api_version", \.apiVersion, "Control API version (1)."),
        APIMember("pid", \.pid, "Process id."), APIMember("uptime_ms", \.uptime, "Milliseconds since start."),
        APIMember("interfaces", \.interfaces, "Interface names, in configuration order."),
        APIMember("stacks", \.stacks, "Stacks in use: kernel, ip, modem."),
        APIMember("default_interface", \.defaultInterface, "The default interface, if any."),
        APIMember("clients", \.clients, "Connected clients."), APIMember("sockets", \.sockets, "Open sockets, all clients."),
        APIMember("socket", \.socket, "Control socket path."), APIMember("config", \.config, "Config file path, or \"embedded\"."),
        APIMember("event_seq", \.eventSeq, "Seq of the latest event."),
        APIMember("limits", \.limits, "Limits in force (control.* settings)."),
    ]
}

struct DaemonInfo: DaemonMethod {
    typealias Result = DaemonSummary
    static let name = "daemon.info"
    static let summary = "Version, process and configuration summary of the daemon."
    static let tags = ["daemon"]

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<DaemonSummary> {
        let configuration = daemon.configuration
        let source: String
        switch daemon.configurationSource {
        case .file(let path): source = path
        case .embedded: source = "embedded"
        }
        return .result(
            DaemonSummary(
                uptime: daemon.uptimeMilliseconds, interfaces: daemon.interfaces.names, stacks: configuration.stackNames,
                defaultInterface: daemon.interfaces.defaultName, clients: daemon.clientCount, sockets: daemon.sockets.totalOpenCount,
                socket: daemon.socketPath, config: source, eventSeq: daemon.events.latestSeq,
                limits: ControlLimits(control: configuration.control)))
    }
}

/// The caller as the daemon sees it.
struct Identity: APIObject {
    var uid: UInt32
    var gid: UInt32
    var pid: Int32
    var user: String?
    var roles: [MethodRole]
    var adminGroup: String?

    static let members: [APIMember<Identity>] = [
        APIMember("uid", \.uid, "User id (SO_PEERCRED)."), APIMember("gid", \.gid, "Group id (SO_PEERCRED)."),
        APIMember("pid", \.pid, "Process id (SO_PEERCRED)."), APIMember("user", omittedWhenNil: \.user, "Login name, when known."),
        APIMember("roles", \.roles, "Granted roles."), APIMember("admin_group", \.adminGroup, "The group whose members are admins."),
    ]
}

struct DaemonWhoAmI: DaemonMethod {
    typealias Result = Identity
    static let name = "daemon.whoami"
    static let summary = "The caller as the daemon sees it through SO_PEERCRED, with its roles."
    static let tags = ["daemon"]

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<Identity> {
        let session = call.context
        let credentials = session.credentials
        let identity = Identity(
            uid: credentials.uid, gid: credentials.gid, pid: credentials.pid, roles: session.roles,
            adminGroup: daemon.configuration.control.adminGroup)
        // The login name is an NSS look-up: off the event loop, once per connection (its
        // credentials cannot change), and left out when the worker is saturated.
        if let known = session.userName {
            var named = identity
            named.user = known
            return .result(named)
        }
        let uid = credentials.uid
        let started = daemon.blockingWork.run({ UserDatabase.userName(uid: uid) }) { [weak session] name in
            session?.userName = .some(name)
            var named = identity
            named.user = name
            call.responder.succeed(named)
        }
        return started ? .deferred : .result(identity)
    }
}

struct DaemonShutdown: DaemonMethod {
    typealias Result = NoResult
    static let name = "daemon.shutdown"
    static let summary = "Stops the daemon gracefully after replying."
    static let description = "Subscribers get daemon.stopping, waiting requests are answered with -32003, the socket file is removed, and the process exits 0."
    static let role = MethodRole.admin
    static let tags = ["daemon"]

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        daemon.reactor.execute { daemon.beginStop() }
        return .result(NoResult())
    }
}

struct DaemonReload: DaemonMethod {
    typealias Result = NoResult
    static let name = "daemon.reload"
    static let summary = "Re-reads the configuration, as SIGHUP does."
    static let description = "An invalid file is refused with -32005 naming the key; the running configuration then stays."
    static let role = MethodRole.admin
    static let tags = ["daemon"]

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        daemon.reload { error in
            if let error {
                call.responder.fail(.configurationRefused(key: error.key, error.description))
            } else {
                call.responder.succeed(NoResult())
            }
        }
        return .deferred
    }
}

/// The daemon is about to exit gracefully.
struct StoppingNotification: DaemonNotification {
    static let method = "daemon.stopping"
    static let summary = "The daemon is about to exit gracefully."
    static let members: [APIMember<StoppingNotification>] = []
}
