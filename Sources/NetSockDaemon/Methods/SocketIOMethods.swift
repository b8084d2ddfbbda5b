import NSAPI
import NetSockJSON
import NetSockRPC

/// `socket.*`, moving payload: send, recv, sendto, recvfrom, and the half-close.
enum SocketIOMethods {
    static let all: [any DaemonMethod.Type] = [
        SocketSend.self, SocketRecv.self, SocketSendTo.self, SocketRecvFrom.self, SocketShutdown.self, SocketAttach.self,
    ]

    static let ioErrors: [NSAPIError] = [.wouldBlock, .noSocket, .noConnection, .parameter]

    /// The bytes of `data` (base64) or `text`; exactly one must be given.
    static func payload(data: String?, text: String?) throws(RPCError) -> [UInt8] {
        switch (data, text) {
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
}

/// How many bytes a send took.
struct SentBytes: APIObject {
    var sent: Int
    static let members: [APIMember<SentBytes>] = [APIMember("sent", \.sent, "Bytes sent.")]
}

/// Received payload in the encoding asked for (base64 when text was asked for and the
/// bytes are not UTF-8).
struct ReceivedBytes: APIObject {
    var data: String
    var size: Int
    var encoding: ByteEncoding

    init(_ bytes: [UInt8], _ encoding: ByteEncoding) {
        (self.data, self.encoding) = encoding.encode(bytes)
        self.size = bytes.count
    }

    static let members: [APIMember<ReceivedBytes>] = [
        APIMember("data", \.data, "The payload, encoded."), APIMember("size", \.size, "Bytes received; 0 when the peer closed (TCP)."),
        APIMember("encoding", \.encoding, "The encoding of data."),
    ]
}

/// A datagram and its source, as socket.recvfrom answers.
struct ReceivedDatagram: APIObject {
    var received: ReceivedBytes
    var source: Endpoint

    static let members: [APIMember<ReceivedDatagram>] = [
        APIMember("data", \.received.data, "The payload, encoded."), APIMember("size", \.received.size, "Bytes received."),
        APIMember("address", \.source.address, "Source IP address."), APIMember("port", \.source.port, "Source port."),
        APIMember("encoding", \.received.encoding, "The encoding of data."),
    ]
}

struct SocketSend: DaemonMethod {
    typealias Result = SentBytes
    static let name = "socket.send"
    static let summary = "Sends on a connected socket (blocking call; TCP writes everything unless nonblocking or timed out)."
    static let errors: [NSAPIError] = [.wouldBlock, .noAddress, .noConnection, .noSocket]
    static let tags = ["socket", "blocking"]

    @Param("socket", .socketID, "Socket id from socket.open or socket.accept.") var socket: Int
    @Param("data", .string(format: "byte"), "Payload as base64 (RFC 4648, padded).") var data: String?
    @Param("text", "Payload as UTF-8 text, instead of data.") var text: String?

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<SentBytes> {
        let bytes = try SocketIOMethods.payload(data: call.params.data, text: call.params.text)
        daemon.sockets.send(owner: call.context.id, id: call.params.socket, data: bytes) { result in
            call.responder.complete(result) { SentBytes(sent: $0) }
        }
        return .deferred
    }
}

struct SocketRecv: DaemonMethod {
    typealias Result = ReceivedBytes
    static let name = "socket.recv"
    static let summary = "Receives up to size bytes (blocking call); size 0 means the peer closed (TCP)."
    static let errors = SocketIOMethods.ioErrors
    static let tags = ["socket", "blocking"]

    @Param("socket", .socketID, "Socket id from socket.open or socket.accept.") var socket: Int
    @Param("size", .integer(minimum: 1, maximum: 1 << 20), "Most bytes to receive.") var size: Int
    @Param("encoding", "base64 (default), text or hex; text that is not UTF-8 comes back as base64, and the reply says so.")
    var encoding = ByteEncoding.base64

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<ReceivedBytes> {
        let encoding = call.params.encoding
        daemon.sockets.receive(
            owner: call.context.id, id: call.params.socket, maxBytes: call.params.size,
            allowance: SocketIOMethods.allowance(call.context, encoding)
        ) { result in
            call.responder.complete(result) { ReceivedBytes($0, encoding) }
        }
        return .deferred
    }
}

struct SocketSendTo: DaemonMethod {
    typealias Result = SentBytes
    static let name = "socket.sendto"
    static let summary = "Sends one datagram to an address (TCP ignores the address, as Mbed does)."
    static let errors: [NSAPIError] = [.wouldBlock, .parameter, .noSocket]
    static let tags = ["socket", "blocking"]

    @Param("socket", .socketID, "Socket id from socket.open or socket.accept.") var socket: Int
    @Param("address", "Destination IP address.") var address: IPAddress
    @Param("port", "Port number.") var port: UInt16
    @Param("data", .string(format: "byte"), "Payload as base64 (RFC 4648, padded).") var data: String?
    @Param("text", "Payload as UTF-8 text, instead of data.") var text: String?

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<SentBytes> {
        let params = call.params
        let bytes = try SocketIOMethods.payload(data: params.data, text: params.text)
        daemon.sockets.sendTo(owner: call.context.id, id: params.socket, address: SocketAddress(params.address, port: params.port), data: bytes) {
            result in call.responder.complete(result) { SentBytes(sent: $0) }
        }
        return .deferred
    }
}

struct SocketRecvFrom: DaemonMethod {
    typealias Result = ReceivedDatagram
    static let name = "socket.recvfrom"
    static let summary = "Receives one datagram and its source (blocking call); with a peer set, other sources are dropped."
    static let errors = SocketIOMethods.ioErrors
    static let tags = ["socket", "blocking"]

    @Param("socket", .socketID, "Socket id from socket.open or socket.accept.") var socket: Int
    @Param("size", .integer(minimum: 1, maximum: 1 << 20), "Most bytes to receive.") var size: Int
    @Param("encoding", "base64 (default), text or hex; text that is not UTF-8 comes back as base64, and the reply says so.")
    var encoding = ByteEncoding.base64

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<ReceivedDatagram> {
        let encoding = call.params.encoding
        // A Non-IP socket's messages have no source: recv, not recvfrom (Mbed: UNSUPPORTED).
        if daemon.sockets.socket(call.context.id, call.params.socket)?.proto == .nonIP { throw RPCError(.unsupported) }
        daemon.sockets.receiveFrom(
            owner: call.context.id, id: call.params.socket, maxBytes: call.params.size,
            allowance: SocketIOMethods.allowance(call.context, encoding)
        ) { result in
            call.responder.complete(result) { source, bytes in
                ReceivedDatagram(received: ReceivedBytes(bytes, encoding), source: Endpoint(source))
            }
        }
        return .deferred
    }
}

struct SocketShutdown: DaemonMethod {
    typealias Result = NoResult
    static let name = "socket.shutdown"
    static let summary = "POSIX half-close of a TCP connection (beyond Mbed)."
    static let errors: [NSAPIError] = [.noSocket, .unsupported, .noConnection]
    static let tags = ["socket"]

    @Param("socket", .socketID, "Socket id from socket.open or socket.accept.") var socket: Int
    @Param("how", "read, write or both.") var how: ShutdownDirection

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        try nsapi { () throws(NSAPIError) in
            try daemon.sockets.shutdown(owner: call.context.id, id: call.params.socket, direction: call.params.how)
        }
        return .result(NoResult())
    }
}
