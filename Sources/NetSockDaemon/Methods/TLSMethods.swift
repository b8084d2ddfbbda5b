import NSAPI
import NetSockRPC
import NetSockTLS

/// Mbed's TLSSocket settings: trust anchors, the client's certificate and key, and the
/// server's name. Set after `socket.open {protocol: "tls"}` and before `connect`.
enum TLSMethods {
    static let all: [any DaemonMethod.Type] = [SocketSetRootCACert.self, SocketSetClientCertKey.self, SocketSetHostname.self]

    /// Runs a setting on a TLS socket; a setting that does not parse is PARAMETER with the reason.
    static func apply(
        _ daemon: Daemon, owner: Int, socket: Int, _ body: (TLSStack, SocketHandle) throws(TLSFailure) -> Void
    ) throws(RPCError) {
        let (tls, handle): (TLSStack, SocketHandle)
        do throws(NSAPIError) { (tls, handle) = try daemon.sockets.tls(owner: owner, id: socket) } catch {
            throw RPCError(error, detail: error == .unsupported ? "not a TLS socket (socket.open with protocol tls)" : nil)
        }
        do throws(TLSFailure) { try body(tls, handle) } catch { throw RPCError(error.nsapiError, detail: error.description) }
    }
}

struct SocketSetRootCACert: DaemonMethod {
    typealias Result = NoResult
    static let name = "socket.set_root_ca_cert"
    static let summary = "Trust anchors for a TLS socket: PEM certificates, or \"system\" for the host's store (/etc/ssl/certs)."
    static let description = "Adds to what was set before. Without any, every server is refused (NSAPI_ERROR_AUTH_FAILURE at connect), as Mbed's TLSSocket. Text that does not parse: NSAPI_ERROR_PARAMETER with the reason. Not a TLS socket: NSAPI_ERROR_UNSUPPORTED."
    static let errors: [NSAPIError] = [.parameter, .unsupported, .noSocket]
    static let tags = ["socket", "tls"]

    @Param("socket", .socketID, "Socket id from socket.open.") var socket: Int
    @Param("pem", "One or more PEM certificates, or \"system\".") var pem: String

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        try TLSMethods.apply(daemon, owner: call.context.id, socket: call.params.socket) { tls, handle throws(TLSFailure) in
            try tls.addTrustAnchors(handle, pem: call.params.pem)
        }
        return .result(NoResult())
    }
}

struct SocketSetClientCertKey: DaemonMethod {
    typealias Result = NoResult
    static let name = "socket.set_client_cert_key"
    static let summary = "The certificate and private key a TLS socket shows a server that asks for one."
    static let description = "PEM text. The key is a secret: it never appears in logs, traces, events, socket.list or error details, and is zeroed when the socket closes. Text that does not parse: NSAPI_ERROR_PARAMETER."
    static let errors: [NSAPIError] = [.parameter, .unsupported, .noSocket]
    static let tags = ["socket", "tls"]

    @Param("socket", .socketID, "Socket id from socket.open.") var socket: Int
    @Param("cert", "The client certificate (and chain), PEM.") var cert: String
    @Param("key", "Its private key, PEM (unencrypted).") var key: String

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        try TLSMethods.apply(daemon, owner: call.context.id, socket: call.params.socket) { tls, handle throws(TLSFailure) in
            try tls.setClientCertificate(handle, cert: call.params.cert, key: call.params.key)
        }
        return .result(NoResult())
    }
}

struct SocketSetHostname: DaemonMethod {
    typealias Result = NoResult
    static let name = "socket.set_hostname"
    static let summary = "The server name a TLS socket sends (SNI) and checks the certificate against."
    static let description = "Without it, the name given to socket.connect is used; an address given to connect checks no name."
    static let errors: [NSAPIError] = [.parameter, .unsupported, .noSocket]
    static let tags = ["socket", "tls"]

    @Param("socket", .socketID, "Socket id from socket.open.") var socket: Int
    @Param("hostname", "The server's DNS name.") var hostname: String

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        try TLSMethods.apply(daemon, owner: call.context.id, socket: call.params.socket) { tls, handle throws(TLSFailure) in
            try tls.setHostname(handle, call.params.hostname)
        }
        return .result(NoResult())
    }
}
