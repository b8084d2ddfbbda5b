#if canImport(Glibc)
import Glibc
#endif
import NSAPI
import NetSockJSON
import NetSockPOSIX
import NetSockRPC

/// `daemon.*`: identity, the caller's identity, and lifecycle.
enum DaemonInfoMethods {
    static func register(into table: inout MethodTable<Session>, _ daemon: @escaping DaemonAccess) {
        table.register(
            MethodSpec(
                "daemon.info", summary: "Version, process and configuration summary of the daemon.",
                result: .object(
                    [
                        Field("version", .string, "Daemon version."),
                        Field("api_version", .integer, "Control API version (1)."),
                        Field("pid", .integer, "Process id."),
                        Field("uptime_ms", .integer, "Milliseconds since start."),
                        Field("interfaces", .array(.string), "Interface names, in configuration order."),
                        Field("stacks", .array(.string), "Stacks in use: kernel, ip, modem."),
                        Field("default_interface", .string, "The default interface, if any."),
                        Field("clients", .integer, "Connected clients."),
                        Field("sockets", .integer, "Open sockets, all clients."),
                        Field("socket", .string, "Control socket path."),
                        Field("config", .string, "Config file path, or \"embedded\"."),
                        Field("event_seq", .integer, "Seq of the latest event."),
                        Field("limits", .object([], open: true), "Limits in force (control.* settings)."),
                    ], open: true),
                tags: ["daemon"])
        ) { _ throws(RPCError) in .result(try self.info(daemon())) }

        table.register(
            MethodSpec(
                "daemon.whoami", summary: "The caller as the daemon sees it through SO_PEERCRED, with its roles.",
                result: .object(
                    [
                        Field("uid", .integer, ""), Field("gid", .integer, ""), Field("pid", .integer, ""),
                        Field("user", .string, "Login name, when known."),
                        Field("roles", .array(.string(oneOf: MethodRole.allCases.map(\.rawValue))), "Granted roles."),
                        Field("admin_group", .string, "The group whose members are admins."),
                    ], open: true),
                tags: ["daemon"])
        ) { call throws(RPCError) in
            let running = try daemon()
            let session = call.context
            let credentials = session.credentials
            var result: JSONObject = [
                "uid": .integer(Int64(credentials.uid)), "gid": .integer(Int64(credentials.gid)),
                "pid": .integer(Int64(credentials.pid)),
            ]
            result["roles"] = JSONValue(session.roles)
            result["admin_group"] = running.configuration.control.adminGroup.map(JSONValue.string) ?? .null
            // The login name is an NSS look-up: off the event loop, and left out when the worker is saturated.
            let responder = call.responder
            let uid = credentials.uid
            let started = running.blockingWork.run({ UserDatabase.userName(uid: uid) }) { name in
                if let name { result["user"] = .string(name) }
                responder.succeed(.object(result))
            }
            return started ? .deferred : .result(.object(result))
        }

        table.register(
            MethodSpec(
                "daemon.shutdown", summary: "Stops the daemon gracefully after replying.",
                description: "Subscribers get daemon.stopping, waiting requests are answered with -32003, the socket file is removed, and the process exits 0.",
                role: .admin, tags: ["daemon"])
        ) { _ throws(RPCError) in
            let running = try daemon()
            running.reactor.execute { running.beginStop() }
            return .result(.object([:]))
        }

        table.register(
            MethodSpec(
                "daemon.reload", summary: "Re-reads the configuration, as SIGHUP does.",
                description: "An invalid file is refused with -32005 naming the key; the running configuration then stays.",
                role: .admin, tags: ["daemon"])
        ) { call throws(RPCError) in
            try daemon().reload { error in
                if let error {
                    call.responder.fail(.configurationRefused(key: error.key, error.description))
                } else {
                    call.responder.succeed(.object([:]))
                }
            }
            return .deferred
        }
    }

    static func info(_ daemon: Daemon) -> JSONValue {
        let configuration = daemon.configuration
        let control = configuration.control
        let source: String
        switch daemon.configurationSource {
        case .file(let path): source = path
        case .embedded: source = "embedded"
        }
        return [
            "version": .string(Daemon.version), "api_version": .integer(Int64(Daemon.apiVersion)),
            "pid": .integer(Int64(getpid())), "uptime_ms": .integer(daemon.uptimeMilliseconds),
            "interfaces": JSONValue(daemon.interfaces.names),
            "stacks": JSONValue(configuration.stackNames),
            "default_interface": daemon.interfaces.defaultName.map(JSONValue.string) ?? .null,
            "clients": JSONValue(daemon.clientCount), "sockets": JSONValue(daemon.sockets.totalOpenCount),
            "socket": .string(daemon.socketPath), "config": .string(source),
            "event_seq": .integer(daemon.events.latestSeq),
            "limits": [
                "max_clients": JSONValue(control.maxClients), "max_message_bytes": JSONValue(control.maxMessageBytes),
                "max_sockets_per_client": JSONValue(control.maxSocketsPerClient), "max_batch": JSONValue(control.maxBatch),
                "event_history": JSONValue(control.eventHistory), "max_output_bytes": JSONValue(control.maxOutputBytes),
            ],
        ]
    }
}
