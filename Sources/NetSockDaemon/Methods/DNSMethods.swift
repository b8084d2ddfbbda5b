import NSAPI
import NetSockJSON
import NetSockRPC

/// `dns.*`: Mbed's DNS interface (gethostbyname, the async form, cancel, servers, reset).
enum DNSMethods {
    static let nameParams: [Field] = [
        Field("name", .string, "Host name or IP literal (1 to 255 octets; otherwise NSAPI_ERROR_PARAMETER)."),
        .optional("version", .string(oneOf: IPVersion.allCases.map(\.apiName)), "ipv4, ipv6 or any (default)."),
        .optional("interface", .string(maxLength: 15), "Interface whose stack and servers to use; the default when absent."),
    ]
    static let answer = Schema.object([
        Field("address", .string, "The first address."), Field("addresses", .array(.string), "Every address, at most 10."),
    ])

    static func register(into table: inout MethodTable<Session>, _ daemon: @escaping DaemonAccess) {
        table.register(
            MethodSpec(
                "dns.gethostbyname", summary: "Resolves a host name (blocking call); IP literals are answered locally.",
                description: "Empty or over 255 octets: NSAPI_ERROR_PARAMETER; a literal of the other version: NSAPI_ERROR_DNS_FAILURE; no answer: NSAPI_ERROR_DNS_FAILURE.",
                params: nameParams, result: answer, errors: [.parameter, .dnsFailure], tags: ["dns", "blocking"])
        ) { call throws(RPCError) in
            let running = try daemon()
            let (name, version, interface) = try self.request(running, call)
            running.resolver.resolve(name, version: version, interface: interface, owner: call.context.id) { result in
                call.responder.complete(result.map(self.json).mapError { RPCError($0) })
            }
            return .deferred
        }

        table.register(
            MethodSpec(
                "dns.gethostbyname_async", summary: "Starts a resolution; the answer comes as a dns.result notification.",
                description: "Returns {request} (1 to 32767). A cache hit or literal is answered at once as {request: 0, address, addresses}, with no notification (Mbed calls back before returning 0). At most dns.max_async (5) in flight per client, dns.max_async_total for all clients: the next gives NSAPI_ERROR_NO_MEMORY. Request ids belong to the client that started them. Running out of servers gives error NSAPI_ERROR_TIMEOUT in dns.result.",
                params: nameParams,
                result: .object([
                    Field("request", .integer, "Query id, or 0 when answered at once."), .optional("address", .string, ""),
                    .optional("addresses", .array(.string), ""),
                ]),
                errors: [.noMemory, .parameter, .dnsFailure], tags: ["dns"])
        ) { call throws(RPCError) in
            let running = try daemon()
            let (name, version, interface) = try self.request(running, call)
            let session = call.context
            let start = running.resolver.resolveAsync(name, version: version, interface: interface, owner: session.id) { [weak session] id, result in
                guard let session else { return }
                var params: JSONObject = ["request": JSONValue(id)]
                switch result {
                case .success(let addresses):
                    for (key, value) in self.json(addresses).objectValue ?? [:] { params[key] = value }
                case .failure(let error):
                    params["error"] = ["code": .integer(Int64(error.rawValue)), "message": .string(error.name)]
                }
                session.notifyUnconditionally("dns.result", params)
            }
            switch start {
            case .failure(let error): throw RPCError(error)
            case .success(.immediate(let addresses)):
                var result: JSONObject = ["request": 0]
                for (key, value) in self.json(addresses).objectValue ?? [:] { result[key] = value }
                return .result(.object(result))
            case .success(.pending(let id)):
                return .result(["request": JSONValue(id)])
            }
        }

        table.register(
            MethodSpec(
                "dns.cancel", summary: "Cancels an asynchronous query: no dns.result follows.",
                params: [Field("request", .integer(minimum: 1, maximum: 0x7FFF), "Id from dns.gethostbyname_async.")],
                errors: [.parameter], tags: ["dns"])
        ) { call throws(RPCError) in
            guard try daemon().resolver.cancel(owner: call.context.id, request: Int(call.params.int("request"))) else {
                throw RPCError(.parameter, detail: "no query \(call.params.int("request")) is in flight")
            }
            return .result(.object([:]))
        }

        table.register(
            MethodSpec(
                "dns.add_server", summary: "Adds a server in front of the list (for one interface, or all).",
                params: [
                    Field("address", .string, "IP address with optional port: 192.0.2.53, [2001:db8::53]:53."),
                    .optional("interface", .string(maxLength: 15), "Only for this interface."),
                ],
                role: .admin, tags: ["dns"])
        ) { call throws(RPCError) in
            let running = try daemon()
            guard let server = SocketAddress(parsingEndpoint: call.params.string("address"), defaultPort: 53) else {
                throw .invalidParams(param: "address", "address must be an IP address with an optional port")
            }
            var interface: String?
            if let name = call.params.optionalString("interface") {
                interface = try InterfaceMethods.interface(running, name).name
            }
            running.resolver.addServer(server, interface: interface)
            return .result(.object([:]))
        }

        table.register(
            MethodSpec(
                "dns.servers", summary: "The servers queried for an interface, in order.",
                params: [.optional("interface", .string(maxLength: 15), "Interface; the default when absent.")],
                result: .array(.string), tags: ["dns"])
        ) { call throws(RPCError) in
            let running = try daemon()
            let interface = try InterfaceMethods.interface(running, call.params.optionalString("interface"))
            return .result(.array(running.resolver.servers(for: interface.name).map { .string(self.text($0)) }))
        }

        table.register(
            MethodSpec(
                "dns.reset", summary: "Clears the cache and every query in flight (Mbed's nsapi_dns_reset).",
                role: .admin, tags: ["dns"])
        ) { _ throws(RPCError) in
            try daemon().resolver.reset()
            return .result(.object([:]))
        }
    }

    static func request(_ daemon: Daemon, _ call: MethodCall<Session>) throws(RPCError) -> (String, IPVersion, ManagedInterface) {
        let version = IPVersion(apiName: call.params.optionalString("version") ?? "any")!
        let interface = try InterfaceMethods.interface(daemon, call.params.optionalString("interface"))
        return (call.params.string("name"), version, interface)
    }

    static func json(_ addresses: [IPAddress]) -> JSONValue {
        ["address": .string(addresses.first?.description ?? ""), "addresses": .array(addresses.map { .string($0.description) })]
    }

    /// `192.0.2.53`, or `192.0.2.53:5353` / `[::1]:5353` when the port is not 53.
    static func text(_ server: SocketAddress) -> String { server.endpointText(defaultPort: 53) }
}
