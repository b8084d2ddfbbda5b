import NSAPI
import NetSockJSON
import NetSockRPC

/// `socket.*`: Mbed's Socket, TCPSocket and UDPSocket over JSON-RPC. The rules
/// themselves live in ``SocketLayer``; these handlers translate params and results.
enum SocketMethods {
    static let socketField = Field("socket", .integer(minimum: 1, maximum: Int64(Int32.max)), "Socket id from socket.open or socket.accept.")
    static let portField = Field("port", .integer(minimum: 0, maximum: 65535), "Port number.")
    static let dataFields: [Field] = [
        .optional("data", .string(format: "byte"), "Payload as base64 (RFC 4648, padded)."),
        .optional("text", .string, "Payload as UTF-8 text, instead of data."),
    ]
    static let encodingField = Field.optional(
        "encoding", .string(oneOf: ByteEncoding.allCases.map(\.rawValue)),
        "base64 (default), text or hex; text that is not UTF-8 comes back as base64, and the reply says so.")
    static let sizeField = Field("size", .integer(minimum: 1, maximum: 1 << 20), "Most bytes to receive.")
    static let optionNames = SocketOption.allCases.map(\.apiName)
    static let ioErrors: [NSAPIError] = [.wouldBlock, .noSocket, .noConnection, .parameter]

    static func register(into table: inout MethodTable<Session>, _ daemon: @escaping DaemonAccess) {
        table.register(
            MethodSpec(
                "socket.open", summary: "Opens a TCP or UDP socket on an interface's stack (the default interface if none).",
                description: "With socket, reopens that closed object (Mbed's open() again); an object that is open gives NSAPI_ERROR_PARAMETER. Beyond max_sockets_per_client: NSAPI_ERROR_NO_SOCKET. A named interface binds the socket to its device (SO_BINDTODEVICE on the kernel stack); without one the socket uses the default interface's stack and the routing table decides.",
                params: [
                    Field("protocol", .string(oneOf: ["tcp", "udp", "nonip"]), "Socket type."),
                    .optional("interface", .string, "Interface name; the default interface when absent."),
                    .optional("socket", .integer(minimum: 1, maximum: Int64(Int32.max)), "A closed socket object to reopen."),
                ],
                result: .object([Field("socket", .integer, "The socket id.")]), errors: [.noSocket, .parameter, .unsupported],
                tags: ["socket"])
        ) { call throws(RPCError) in
            let running = try daemon()
            let proto = SocketProtocol(apiName: call.params.string("protocol"))!
            let interface = try InterfaceMethods.interface(running, call.params.optionalString("interface"))
            // A named interface binds the socket to its device; without one, routing decides,
            // as for any program, on the default interface's stack.
            let named = call.params.optionalString("interface") != nil
            let id = try nsapi {
                () throws(NSAPIError) in
                try running.sockets.open(
                    owner: call.context.id, protocol: proto, stack: interface.stack, interface: interface.name,
                    device: named ? interface.device : nil, reopen: call.params.optionalInt("socket").map { Int($0) })
            }
            return .result(["socket": JSONValue(id)])
        }

        self.simple(&table, daemon, "socket.close", "Closes a socket; blocked calls on it end with NSAPI_ERROR_NO_SOCKET.") { (running, call) throws(NSAPIError) in
            try running.sockets.close(owner: call.context.id, id: socket(call))
        }

        table.register(
            MethodSpec(
                "socket.bind", summary: "Binds a local address and port.",
                description: "A port in use, a non-local or wrong-family address, or a second bind give NSAPI_ERROR_PARAMETER (as Mbed's tests require).",
                params: [socketField, .optional("address", .string, "Local IP address; any address when absent."), portField],
                errors: [.parameter, .noSocket], tags: ["socket"])
        ) { call throws(RPCError) in
            let running = try daemon()
            let address = SocketAddress(try self.optionalIP(call, "address"), port: UInt16(call.params.int("port")))
            try nsapi { () throws(NSAPIError) in try running.sockets.bind(owner: call.context.id, id: socket(call), address: address) }
            return .result(.object([:]))
        }

        table.register(
            MethodSpec(
                "socket.listen", summary: "Marks a TCP socket as passive (UDP: NSAPI_ERROR_UNSUPPORTED).",
                params: [socketField, .optional("backlog", .integer(minimum: 1, maximum: 4096), "Pending connections, default 1.")],
                errors: [.unsupported, .noSocket], tags: ["socket"])
        ) { call throws(RPCError) in
            let running = try daemon()
            try nsapi { () throws(NSAPIError) in
                try running.sockets.listen(owner: call.context.id, id: socket(call), backlog: Int(call.params.optionalInt("backlog") ?? 1))
            }
            return .result(.object([:]))
        }

        table.register(
            MethodSpec(
                "socket.accept", summary: "Accepts a connection: a new blocking socket, deleted by its close (blocking call).",
                params: [socketField],
                result: .object([Field("socket", .integer, ""), Field("address", .string, ""), Field("port", .integer, "")]),
                errors: [.wouldBlock, .noSocket, .unsupported], tags: ["socket", "blocking"])
        ) { call throws(RPCError) in
            try daemon().sockets.accept(owner: call.context.id, id: socket(call)) { result in
                call.responder.complete(
                    result.map { id, address in (["socket": JSONValue(id)] as JSONObject).merging(endpoint(address)) }.mapError { RPCError($0) })
            }
            return .deferred
        }

        table.register(
            MethodSpec(
                "socket.connect", summary: "TCP: connects (blocking call). UDP: sets the peer filter, always OK.",
                description: "address may be a host name, resolved by the daemon's resolver. Nonblocking TCP gives NSAPI_ERROR_IN_PROGRESS, then NSAPI_ERROR_ALREADY, then NSAPI_ERROR_IS_CONNECTED; refused or reset is NSAPI_ERROR_NO_CONNECTION; a timeout returns the last IN_PROGRESS or ALREADY.",
                params: [socketField, Field("address", .string, "IP address or host name (over 255 octets: NSAPI_ERROR_PARAMETER)."), portField],
                errors: [.inProgress, .already, .isConnected, .noConnection, .dnsFailure, .noSocket, .wouldBlock],
                tags: ["socket", "blocking"])
        ) { call throws(RPCError) in
            let running = try daemon()
            let owner = call.context.id
            let id = socket(call)
            let port = UInt16(call.params.int("port"))
            let host = call.params.string("address")
            running.resolveForSocket(owner: owner, id: id, host: host) { resolved in
                switch resolved {
                case .failure(let error): call.responder.fail(RPCError(error))
                case .success(let address):
                    running.sockets.connect(owner: owner, id: id, address: SocketAddress(address, port: port)) { result in
                        call.responder.complete(result.map { .object([:]) }.mapError { RPCError($0) })
                    }
                }
            }
            return .deferred
        }

        table.register(
            MethodSpec(
                "socket.send", summary: "Sends on a connected socket (blocking call; TCP writes everything unless nonblocking or timed out).",
                params: [socketField] + dataFields, result: .object([Field("sent", .integer, "Bytes sent.")]),
                errors: [.wouldBlock, .noAddress, .noConnection, .noSocket], tags: ["socket", "blocking"])
        ) { call throws(RPCError) in
            let bytes = try payload(call)
            try daemon().sockets.send(owner: call.context.id, id: socket(call), data: bytes) { result in
                call.responder.complete(result.map { ["sent": JSONValue($0)] }.mapError { RPCError($0) })
            }
            return .deferred
        }

        table.register(
            MethodSpec(
                "socket.recv", summary: "Receives up to size bytes (blocking call); size 0 means the peer closed (TCP).",
                params: [socketField, sizeField, encodingField],
                result: .object([Field("data", .string, ""), Field("size", .integer, ""), Field("encoding", .string, "")]),
                errors: ioErrors, tags: ["socket", "blocking"])
        ) { call throws(RPCError) in
            let encoding = ByteEncoding(rawValue: call.params.optionalString("encoding") ?? "base64")!
            try daemon().sockets.receive(
                owner: call.context.id, id: socket(call), maxBytes: Int(call.params.int("size")),
                allowance: self.allowance(call.context, encoding)
            ) { result in
                call.responder.complete(result.map { bytes in .object(received(bytes, encoding)) }.mapError { RPCError($0) })
            }
            return .deferred
        }

        table.register(
            MethodSpec(
                "socket.sendto", summary: "Sends one datagram to an address (TCP ignores the address, as Mbed does).",
                params: [socketField, Field("address", .string, "Destination IP address."), portField] + dataFields,
                result: .object([Field("sent", .integer, "")]), errors: [.wouldBlock, .parameter, .noSocket],
                tags: ["socket", "blocking"])
        ) { call throws(RPCError) in
            let address = SocketAddress(try ip(call, "address"), port: UInt16(call.params.int("port")))
            let bytes = try payload(call)
            try daemon().sockets.sendTo(owner: call.context.id, id: socket(call), address: address, data: bytes) { result in
                call.responder.complete(result.map { ["sent": JSONValue($0)] }.mapError { RPCError($0) })
            }
            return .deferred
        }

        table.register(
            MethodSpec(
                "socket.recvfrom", summary: "Receives one datagram and its source (blocking call); with a peer set, other sources are dropped.",
                params: [socketField, sizeField, encodingField],
                result: .object([
                    Field("data", .string, ""), Field("size", .integer, ""), Field("address", .string, ""),
                    Field("port", .integer, ""), Field("encoding", .string, ""),
                ]),
                errors: ioErrors, tags: ["socket", "blocking"])
        ) { call throws(RPCError) in
            let encoding = ByteEncoding(rawValue: call.params.optionalString("encoding") ?? "base64")!
            try daemon().sockets.receiveFrom(
                owner: call.context.id, id: socket(call), maxBytes: Int(call.params.int("size")),
                allowance: self.allowance(call.context, encoding)
            ) { result in
                call.responder.complete(
                    result.map { source, bytes in received(bytes, encoding).merging(endpoint(source)) }.mapError { RPCError($0) })
            }
            return .deferred
        }

        table.register(
            MethodSpec(
                "socket.shutdown", summary: "POSIX half-close of a TCP connection (beyond Mbed).",
                params: [socketField, Field("how", .string(oneOf: ShutdownDirection.allCases.map(\.rawValue)), "read, write or both.")],
                errors: [.noSocket, .unsupported, .noConnection], tags: ["socket"])
        ) { call throws(RPCError) in
            let running = try daemon()
            let direction = ShutdownDirection(rawValue: call.params.string("how"))!
            try nsapi { () throws(NSAPIError) in try running.sockets.shutdown(owner: call.context.id, id: socket(call), direction: direction) }
            return .result(.object([:]))
        }

        table.register(
            MethodSpec(
                "socket.set_blocking", summary: "false: every call returns at once; true: calls wait (no timeout).",
                params: [socketField, Field("blocking", .boolean, "")], errors: [.noSocket], tags: ["socket"])
        ) { call throws(RPCError) in
            let running = try daemon()
            try nsapi { () throws(NSAPIError) in
                try running.sockets.setBlocking(owner: call.context.id, id: socket(call), blocking: call.params.bool("blocking"))
            }
            return .result(.object([:]))
        }

        table.register(
            MethodSpec(
                "socket.set_timeout", summary: "Idle time between events before a waiting call gives NSAPI_ERROR_WOULD_BLOCK.",
                params: [socketField, Field("timeout_ms", .integer(minimum: -1, maximum: 86_400_000), "-1: forever; 0: nonblocking.")],
                errors: [.noSocket], tags: ["socket"])
        ) { call throws(RPCError) in
            let running = try daemon()
            try nsapi { () throws(NSAPIError) in
                try running.sockets.setTimeout(owner: call.context.id, id: socket(call), milliseconds: Int(call.params.int("timeout_ms")))
            }
            return .result(.object([:]))
        }

        table.register(
            MethodSpec(
                "socket.setsockopt", summary: "Sets an option; NSAPI_ERROR_UNSUPPORTED where the stack has no equivalent.",
                description: "Values: integers (booleans allowed) for reuseaddr keepalive keepidle keepintvl linger sndbuf rcvbuf iptos broadcast (times in ms); an interface name for bind_to_device; a group address or {group, interface?} for add_membership and drop_membership.",
                params: [socketField, Field("option", .string(oneOf: optionNames), ""), Field("value", .any, "")],
                errors: [.unsupported, .parameter, .noSocket, .addressInUse, .noAddress], tags: ["socket"])
        ) { call throws(RPCError) in
            let running = try daemon()
            let option = SocketOption(apiName: call.params.string("option"))!
            if option == .bindToDevice {
                guard let name = call.params["value"]?.stringValue else {
                    throw .invalidParams(param: "value", "bind_to_device takes an interface name")
                }
                guard let interface = running.interfaces.interface(named: name) else {
                    throw RPCError(.parameter, detail: "no interface named \(name)")
                }
                try nsapi { () throws(NSAPIError) in
                    try running.sockets.bind(
                        owner: call.context.id, id: socket(call), toInterface: interface.name, device: interface.device,
                        stack: interface.stack)
                }
                return .result(.object([:]))
            }
            let value = try optionValue(option, call.params["value"] ?? .null)
            try nsapi { () throws(NSAPIError) in
                try running.sockets.setOption(owner: call.context.id, id: socket(call), option: option, value: value)
            }
            return .result(.object([:]))
        }

        table.register(
            MethodSpec(
                "socket.getsockopt", summary: "Reads an option back, where the stack can.",
                params: [socketField, Field("option", .string(oneOf: optionNames), "")],
                result: .object([Field("value", .any, "")]), errors: [.unsupported, .noSocket], tags: ["socket"])
        ) { call throws(RPCError) in
            let running = try daemon()
            let option = SocketOption(apiName: call.params.string("option"))!
            let value = try nsapi { () throws(NSAPIError) in try running.sockets.getOption(owner: call.context.id, id: socket(call), option: option) }
            switch value {
            case .integer(let number): return .result(["value": .integer(number)])
            case .text(let text): return .result(["value": .string(text)])
            case .membership(let group, let interface):
                return .result(["value": ["group": .string(group.description), "interface": interface.map { .string($0.description) } ?? .null]])
            }
        }

        for (name, summary, peer) in [
            ("socket.getpeername", "The connected peer (NSAPI_ERROR_NO_CONNECTION without one).", true),
            ("socket.getsockname", "The local address and port.", false),
        ] {
            table.register(
                MethodSpec(
                    name, summary: summary, params: [socketField],
                    result: .object([Field("address", .string, ""), Field("port", .integer, "")]),
                    errors: [.noSocket, .noConnection], tags: ["socket"])
            ) { call throws(RPCError) in
                let running = try daemon()
                let address = try nsapi { () throws(NSAPIError) in
                    peer ? try running.sockets.peerName(owner: call.context.id, id: socket(call))
                        : try running.sockets.localName(owner: call.context.id, id: socket(call))
                }
                return .result(.object(endpoint(address)))
            }
        }

        table.register(
            MethodSpec(
                "socket.sigio", summary: "Turns socket.sigio notifications on or off (Mbed's sigio callback, coalesced).",
                description: "After one socket.sigio, the next comes only after an I/O call (connect, send, recv, sendto, recvfrom, accept) on that socket. It also fires on close.",
                params: [socketField, Field("enabled", .boolean, "")], errors: [.noSocket], tags: ["socket"])
        ) { call throws(RPCError) in
            let running = try daemon()
            try nsapi { () throws(NSAPIError) in
                try running.sockets.setSigio(owner: call.context.id, id: socket(call), enabled: call.params.bool("enabled"))
            }
            return .result(.object([:]))
        }

        table.register(
            MethodSpec(
                "socket.list", summary: "This connection's socket objects, open and closed; with all, every client's (admin).",
                params: [.optional("all", .boolean, "Every client's sockets, with client, pid and uid (needs the admin role).")],
                result: .array(.object([
                    Field("socket", .integer, ""), Field("protocol", .string, ""), Field("interface", .string, ""),
                    Field("state", .string(oneOf: ["closed", "open", "connecting", "connected", "listening"]), ""),
                    Field("local", .any, "{address, port} or null"), Field("peer", .any, "{address, port} or null"),
                ], open: true)),
                tags: ["socket"])
        ) { call throws(RPCError) in
            let running = try daemon()
            guard call.params.optionalBool("all") == true else {
                return .result(.array(running.sockets.list(owner: call.context.id).map { self.summary($0) }))
            }
            guard call.context.isAdmin else { throw .notPermitted(method: "socket.list {all}", role: "admin") }
            var rows: [JSONValue] = []
            for session in running.sessions {
                for entry in running.sockets.list(owner: session.id) {
                    var row = self.summary(entry).objectValue ?? [:]
                    row["client"] = JSONValue(session.id)
                    row["pid"] = .integer(Int64(session.credentials.pid))
                    row["uid"] = .integer(Int64(session.credentials.uid))
                    rows.append(.object(row))
                }
            }
            return .result(.array(rows))
        }
    }

    static func summary(_ summary: SocketLayer.Summary) -> JSONValue {
        [
            "socket": JSONValue(summary.id), "protocol": .string(summary.proto.apiName), "interface": .string(summary.interface),
            "state": .string(summary.state), "local": summary.local.map { .object(endpoint($0)) } ?? .null,
            "peer": summary.peer.map { .object(endpoint($0)) } ?? .null,
            "timeout_ms": summary.timeoutMilliseconds.map { JSONValue($0) } ?? -1, "sigio": .bool(summary.sigio),
        ]
    }

    // MARK: Helpers

    /// A method with only a socket param and an empty result.
    private static func simple(
        _ table: inout MethodTable<Session>, _ daemon: @escaping DaemonAccess, _ name: String, _ summary: String,
        _ body: @escaping (Daemon, MethodCall<Session>) throws(NSAPIError) -> Void
    ) {
        table.register(MethodSpec(name, summary: summary, params: [socketField], errors: [.noSocket], tags: ["socket"])) { call throws(RPCError) in
            let running = try daemon()
            try nsapi { () throws(NSAPIError) in try body(running, call) }
            return .result(.object([:]))
        }
    }

    static func socket(_ call: MethodCall<Session>) -> Int { Int(call.params.int("socket")) }

    static func ip(_ call: MethodCall<Session>, _ name: String) throws(RPCError) -> IPAddress {
        guard let address = IPAddress(parsing: call.params.string(name)) else {
            throw .invalidParams(param: name, "\(name) must be an IPv4 or IPv6 address")
        }
        return address
    }

    static func optionalIP(_ call: MethodCall<Session>, _ name: String) throws(RPCError) -> IPAddress? {
        guard call.params.optionalString(name) != nil else { return nil }
        return try self.ip(call, name)
    }

    /// The bytes of `data` (base64) or `text`; exactly one must be given.
    static func payload(_ call: MethodCall<Session>) throws(RPCError) -> [UInt8] {
        switch (call.params.optionalString("data"), call.params.optionalString("text")) {
        case (let data?, nil):
            guard let bytes = ByteEncoding.decodeBase64(data) else {
                throw .invalidParams(param: "data", "data must be base64 (RFC 4648, padded)")
            }
            return bytes
        case (nil, let text?): return Array(text.utf8)
        case (nil, nil): throw .invalidParams(param: "data", "give the payload as data (base64) or text")
        case (_?, _?): throw .invalidParams(param: "text", "give data or text, not both")
        }
    }

    /// How many payload bytes a receive may take: what fits in the client's output room
    /// once encoded (base64 4/3, hex 2, text at worst 6 for escaped control bytes).
    static func allowance(_ session: Session, _ encoding: ByteEncoding) -> () -> SocketLayer.ReceiveAllowance {
        { [weak session] in
            switch session?.replyRoom() ?? .refuse {
            case .later: return .wait
            case .refuse: return .refuse
            case .bytes(let room):
                let payloadRoom = max(0, room - 256)
                switch encoding {
                case .base64: return .upTo(payloadRoom / 4 * 3)
                case .hex: return .upTo(payloadRoom / 2)
                case .text: return .upTo(payloadRoom / 6)
                }
            }
        }
    }

    static func received(_ bytes: [UInt8], _ encoding: ByteEncoding) -> JSONObject {
        let (text, used) = encoding.encode(bytes)
        return ["data": .string(text), "size": JSONValue(bytes.count), "encoding": .string(used.rawValue)]
    }

    static func endpoint(_ address: SocketAddress) -> JSONObject {
        ["address": address.ipText.map(JSONValue.string) ?? .null, "port": JSONValue(Int(address.port))]
    }

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

/// Runs an NSAPI operation, reporting its failure as the JSON-RPC error of that code.
func nsapi<T>(_ body: () throws(NSAPIError) -> T) throws(RPCError) -> T {
    do {
        return try body()
    } catch {
        throw RPCError(error)
    }
}

extension JSONObject {
    func merging(_ other: JSONObject) -> JSONValue {
        var result = self
        for (key, value) in other { result[key] = value }
        return .object(result)
    }
}

