import NSAPI
import NetSockJSON
import NetSockRPC

/// `dns.*`: Mbed's DNS interface (gethostbyname, the async form, cancel, servers, reset).
enum DNSMethods {
    static let all: [any DaemonMethod.Type] = [
        DNSGetHostByName.self, DNSGetHostByNameAsync.self, DNSCancel.self, DNSAddServer.self, DNSServers.self, DNSReset.self,
    ]

    /// `192.0.2.53`, or `192.0.2.53:5353` / `[::1]:5353` when the port is not 53.
    static func text(_ server: SocketAddress) -> String { server.endpointText(defaultPort: 53) }
}

/// The addresses a name resolved to.
struct Answer: APIObject {
    var addresses: [IPAddress]

    var first: String { self.addresses.first?.description ?? "" }

    static let members: [APIMember<Answer>] = [
        APIMember("address", \.first, "The first address."), APIMember("addresses", \.addresses, "Every address, at most 10."),
    ]
}

struct DNSGetHostByName: DaemonMethod {
    typealias Result = Answer
    static let name = "dns.gethostbyname"
    static let summary = "Resolves a host name (blocking call); IP literals are answered locally."
    static let description = "Empty or over 255 octets: NSAPI_ERROR_PARAMETER; a literal of the other version: NSAPI_ERROR_DNS_FAILURE; no answer: NSAPI_ERROR_DNS_FAILURE."
    static let errors: [NSAPIError] = [.parameter, .dnsFailure]
    static let tags = ["dns", "blocking"]

    @Param("name", "Host name or IP literal (1 to 255 octets; otherwise NSAPI_ERROR_PARAMETER).") var name: String
    @Param("version", "ipv4, ipv6 or any (default).") var version = IPVersion.unspecified
    @Param("interface", .interfaceName, "Interface whose stack and servers to use; the default when absent.") var interface: String?

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<Answer> {
        let params = call.params
        let interface = try InterfaceMethods.interface(daemon, params.interface)
        daemon.resolver.resolve(params.name, version: params.version, interface: interface, owner: call.context.id) { result in
            call.responder.complete(result) { Answer(addresses: $0) }
        }
        return .deferred
    }
}

/// A started asynchronous resolution: its id, or 0 with the answer when it came at once.
struct AsyncAnswer: APIObject {
    var request: Int
    var answer: Answer?

    var address: String? { self.answer?.first }
    var addresses: [IPAddress]? { self.answer?.addresses }

    static let members: [APIMember<AsyncAnswer>] = [
        APIMember("request", \.request, "Query id, or 0 when answered at once."),
        APIMember("address", omittedWhenNil: \.address, "The first address, when answered at once."),
        APIMember("addresses", omittedWhenNil: \.addresses, "Every address, when answered at once."),
    ]
}

/// An NSAPI failure as notifications carry it.
struct NSAPIFailure: APIObject {
    var error: NSAPIError

    var code: Int { Int(self.error.rawValue) }
    var message: String { self.error.name }

    static let members: [APIMember<NSAPIFailure>] = [
        APIMember("code", \.code, "The nsapi_error_t value."), APIMember("message", \.message, "Its name."),
    ]
}

/// The answer to dns.gethostbyname_async.
struct DNSResultNotification: DaemonNotification {
    static let method = "dns.result"
    static let summary = "The answer to dns.gethostbyname_async."
    var request: Int
    var outcome: Result<[IPAddress], NSAPIError>

    var address: String? { (try? self.outcome.get()).map { Answer(addresses: $0).first } }
    var addresses: [IPAddress]? { try? self.outcome.get() }
    var failure: NSAPIFailure? {
        guard case .failure(let error) = self.outcome else { return nil }
        return NSAPIFailure(error: error)
    }

    static let members: [APIMember<DNSResultNotification>] = [
        APIMember("request", \.request, ""), APIMember("address", omittedWhenNil: \.address, ""),
        APIMember("addresses", omittedWhenNil: \.addresses, ""),
        APIMember("error", omittedWhenNil: \.failure, "NSAPI error on failure."),
    ]
}

struct DNSGetHostByNameAsync: DaemonMethod {
    typealias Result = AsyncAnswer
    static let name = "dns.gethostbyname_async"
    static let summary = "Starts a resolution; the answer comes as a dns.result notification."
    static let description = "Returns {request} (1 to 32767). A cache hit or literal is answered at once as {request: 0, address, addresses}, with no notification (Mbed calls back before returning 0). At most dns.max_async (5) in flight per client, dns.max_async_total for all clients: the next gives NSAPI_ERROR_NO_MEMORY. Request ids belong to the client that started them. Running out of servers gives error NSAPI_ERROR_TIMEOUT in dns.result."
    static let errors: [NSAPIError] = [.noMemory, .parameter, .dnsFailure]
    static let tags = ["dns"]

    @Param("name", "Host name or IP literal (1 to 255 octets; otherwise NSAPI_ERROR_PARAMETER).") var name: String
    @Param("version", "ipv4, ipv6 or any (default).") var version = IPVersion.unspecified
    @Param("interface", .interfaceName, "Interface whose stack and servers to use; the default when absent.") var interface: String?

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<AsyncAnswer> {
        let params = call.params
        let interface = try InterfaceMethods.interface(daemon, params.interface)
        let session = call.context
        let start = daemon.resolver.resolveAsync(params.name, version: params.version, interface: interface, owner: session.id) {
            [weak session] id, result in
            session?.notifyUnconditionally(DNSResultNotification(request: id, outcome: result))
        }
        switch start {
        case .failure(let error): throw RPCError(error)
        case .success(.immediate(let addresses)): return .result(AsyncAnswer(request: 0, answer: Answer(addresses: addresses)))
        case .success(.pending(let id)): return .result(AsyncAnswer(request: id))
        }
    }
}

struct DNSCancel: DaemonMethod {
    typealias Result = NoResult
    static let name = "dns.cancel"
    static let summary = "Cancels an asynchronous query: no dns.result follows."
    static let errors: [NSAPIError] = [.parameter]
    static let tags = ["dns"]

    @Param("request", .integer(minimum: 1, maximum: 0x7FFF), "Id from dns.gethostbyname_async.") var request: Int

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        guard daemon.resolver.cancel(owner: call.context.id, request: call.params.request) else {
            throw RPCError(.parameter, detail: "no query \(call.params.request) is in flight")
        }
        return .result(NoResult())
    }
}

struct DNSAddServer: DaemonMethod {
    typealias Result = NoResult
    static let name = "dns.add_server"
    static let summary = "Adds a server in front of the list (for one interface, or all)."
    static let role = MethodRole.admin
    static let tags = ["dns"]

    @Param("address", "IP address with optional port: 192.0.2.53, [2001:db8::53]:53.") var address: String
    @Param("interface", .interfaceName, "Only for this interface.") var interface: String?

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        guard let server = SocketAddress(parsingEndpoint: call.params.address, defaultPort: 53) else {
            throw .invalidParams(param: "address", "address must be an IP address with an optional port")
        }
        var interface: String?
        if let name = call.params.interface { interface = try InterfaceMethods.interface(daemon, name).name }
        daemon.resolver.addServer(server, interface: interface)
        return .result(NoResult())
    }
}

struct DNSServers: DaemonMethod {
    typealias Result = [String]
    static let name = "dns.servers"
    static let summary = "The servers queried for an interface, in order."
    static let tags = ["dns"]

    @Param("interface", .interfaceName, "Interface; the default when absent.") var interface: String?

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<[String]> {
        let interface = try InterfaceMethods.interface(daemon, call.params.interface)
        return .result(daemon.resolver.servers(for: interface.name).map(DNSMethods.text))
    }
}

struct DNSReset: DaemonMethod {
    typealias Result = NoResult
    static let name = "dns.reset"
    static let summary = "Clears the cache and every query in flight (Mbed's nsapi_dns_reset)."
    static let role = MethodRole.admin
    static let tags = ["dns"]

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        daemon.resolver.reset()
        return .result(NoResult())
    }
}
