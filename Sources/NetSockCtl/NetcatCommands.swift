#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import NSAPI
import NetSockClient
import NetSockJSON
import NetSockPOSIX
import NetSockRPC

/// `netsockctl tcp connect|listen`: netcat over the daemon's TCP sockets.
struct TCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tcp", abstract: "Netcat over the daemon's TCP sockets.", subcommands: [Connect.self, Listen.self])

    struct Connect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect; stdin goes to the socket, the socket to stdout.",
            discussion: "Binary-safe. End of stdin half-closes the connection; the peer's close ends the command (exit 0). A refused or reset connection exits 1. With --tls the daemon speaks TLS (Mbed TLS) and the pipe carries plaintext, as `ncat --ssl` or `openssl s_client -quiet`; a refused certificate exits with NSAPI_ERROR_AUTH_FAILURE and the reason.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Host name or address.") var host: String
        @Argument(help: "Port.") var port: Int
        @Option(help: "Interface (the default one when absent).", completion: .custom(completeInterfaceNames)) var interface: String?
        @Flag(name: .customLong("no-fd"), help: "Move the payload as JSON (socket.send/recv) even when the daemon can pass a descriptor.") var noFD = false
        @Flag(help: "TLS over the connection (a TLSSocket); the server must prove itself against --ca.") var tls = false
        @Option(help: "With --tls: a PEM file of trusted CA certificates, or \"system\" (the default) for the host's store.") var ca = "system"
        @Option(help: "With --tls: a client certificate (PEM), for servers that ask for one; needs --key.") var cert: String?
        @Option(help: "With --tls: the client certificate's private key (PEM).") var key: String?
        @Option(help: "With --tls: the name to send (SNI) and check, when it is not the host given.") var servername: String?

        func validate() throws {
            if !self.tls && (self.cert != nil || self.key != nil || self.servername != nil || self.ca != "system") {
                throw ValidationError("--ca, --cert, --key and --servername go with --tls")
            }
            if (self.cert == nil) != (self.key == nil) { throw ValidationError("--cert and --key go together") }
        }

        func run() throws {
            // Files are read here and sent as text: the daemon may run as another user.
            func text(_ path: String) throws -> String {
                do { return String(decoding: try FileDescriptorIO.readFile(path, limit: 1 << 20), as: UTF8.self) } catch {
                    throw ValidationError("cannot read \(path): \(error)")
                }
            }
            let caText = self.tls && self.ca != "system" ? try text(self.ca) : "system"
            let identity = try self.cert.map { (try text($0), try text(self.key ?? "")) }
            let client = try self.options.client()
            let socket = try openSocket(client, self.tls ? .tls : .tcp, self.interface, self.options)
            do throws(ClientError) {
                if self.tls { try self.configureTLS(client, socket, ca: caText, identity: identity) }
                _ = try client.call(API.SocketConnect(socket: socket, address: self.host, port: self.port), timeoutMilliseconds: self.options.timeoutMilliseconds)
                if !self.noFD, let fd = try attachIfOffered(client, socket) {
                    defer { close(fd) }
                    try AttachedPump.stream(fd, readInput: true)
                } else {
                    try SocketPump(client: client, socket: socket).run()
                }
                _ = try? client.call(API.SocketClose(socket: socket))
            } catch {
                throw fail(error, options: self.options)
            }
        }

        private func configureTLS(_ client: RPCClient, _ socket: Int, ca: String, identity: (String, String)?) throws(ClientError) {
            let timeout = self.options.timeoutMilliseconds
            _ = try client.call(API.SocketSetRootCACert(socket: socket, pem: ca), timeoutMilliseconds: timeout)
            if let (cert, key) = identity {
                _ = try client.call(API.SocketSetClientCertKey(socket: socket, cert: cert, key: key), timeoutMilliseconds: timeout)
            }
            if let name = self.servername { _ = try client.call(API.SocketSetHostname(socket: socket, hostname: name), timeoutMilliseconds: timeout) }
        }
    }

    struct Listen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accept one connection (or, with --keep, one after another) and connect it to stdin/stdout.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Port.") var port: Int
        @Option(help: "Local address to bind (any when absent).") var address: String?
        @Option(help: "Interface.", completion: .custom(completeInterfaceNames)) var interface: String?
        @Flag(help: "Serve connections one after another until interrupted.") var keep = false
        @Flag(name: .customLong("no-fd"), help: "Move the payload as JSON (socket.send/recv) even when the daemon can pass a descriptor.") var noFD = false

        func run() throws {
            let client = try self.options.client()
            let listener = try openSocket(client, .tcp, self.interface, self.options)
            var readInput = true
            do throws(ClientError) {
                _ = try client.call(API.SocketBind(socket: listener, address: self.address, port: self.port))
                _ = try client.call(API.SocketListen(socket: listener, backlog: 8))
                repeat {
                    let accepted = try client.call(API.SocketAccept(socket: listener), timeoutMilliseconds: -1)
                    if isatty(2) == 1 { Terminal.current.err("accepted \(accepted.address):\(accepted.port)") }
                    if !self.noFD, let fd = try attachIfOffered(client, accepted.socket) {
                        defer { close(fd) }
                        try AttachedPump.stream(fd, readInput: readInput)
                    } else {
                        try SocketPump(client: client, socket: accepted.socket, readInput: readInput).run()
                    }
                    // Standard input serves the first connection; later ones get none.
                    readInput = false
                    _ = try? client.call(API.SocketClose(socket: accepted.socket))
                } while self.keep
            } catch {
                throw fail(error, options: self.options)
            }
        }
    }
}

/// `netsockctl udp send|listen`: datagrams over the daemon's UDP sockets.
struct UDPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udp", abstract: "Send and receive datagrams over the daemon's UDP sockets.", subcommands: [Send.self, Listen.self])

    struct Send: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send DATA as one datagram, or stdin cut into datagrams of --size bytes.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Host name or address.") var host: String
        @Argument(help: "Port.") var port: Int
        @Argument(help: "Text to send as one datagram (stdin when absent).") var data: String?
        @Option(help: "Bytes per datagram when reading stdin.") var size: Int = 1024
        @Option(help: "Interface.", completion: .custom(completeInterfaceNames)) var interface: String?
        @Flag(name: .customLong("no-fd"), help: "Send as JSON (socket.sendto) even when the daemon can pass a descriptor.") var noFD = false

        func validate() throws {
            guard (1...65507).contains(self.size) else { throw ValidationError("--size must be 1 to 65507") }
        }

        func run() throws {
            let client = try self.options.client()
            let socket = try openSocket(client, .udp, self.interface, self.options)
            var datagrams = 0
            var bytes = 0
            do {
                let address = IPAddressText.isLiteral(self.host) ? self.host : try client.call(API.DNSGetHostByName(name: self.host)).address
                if !self.noFD, let destination = IPAddress(parsing: address), let fd = try attachIfOffered(client, socket) {
                    defer { close(fd) }
                    (datagrams, bytes) = AttachedPump.sendDatagrams(
                        fd, to: SocketAddress(destination, port: UInt16(clamping: self.port)), size: self.size, text: self.data)
                } else if let data {
                    bytes = try client.call(API.SocketSendTo(socket: socket, address: address, port: self.port, text: data)).sent
                    datagrams = 1
                } else {
                    // A window of requests in flight keeps the daemon busy, not the round trips.
                    var buffer = [UInt8](repeating: 0, count: self.size)
                    var pending: [Int64] = []
                    var next: Int64 = 1_000_000
                    var done = false
                    while !done || !pending.isEmpty {
                        while !done && pending.count < 8 {
                            let count = readFull(0, &buffer)
                            if count <= 0 {
                                done = true
                                break
                            }
                            let datagram = API.SocketSendTo(socket: socket, address: address, port: self.port, data: ByteEncoding.base64(buffer[0..<count]))
                            next += 1
                            try client.send(datagram.request(id: next).json)
                            pending.append(next)
                        }
                        guard let first = pending.first else { break }
                        let response = try client.awaitResponse(id: .integer(first), timeoutMilliseconds: self.options.timeoutMilliseconds)
                        pending.removeFirst()
                        bytes += try API.SocketSendTo.read(response.outcome.get()).sent
                        datagrams += 1
                    }
                }
                _ = try? client.call(API.SocketClose(socket: socket))
            } catch let error as ClientError {
                throw fail(error, options: self.options)
            } catch let error as RPCError {
                throw fail(.rpc(error), options: self.options)
            }
            let summary: JSONValue = ["datagrams": JSONValue(datagrams), "bytes": JSONValue(bytes)]
            if self.options.json || self.options.jsonl || self.options.get != nil {
                try self.options.output.show(summary) { [] }
            } else if isatty(2) == 1 {
                Terminal.current.err("sent \(datagrams) datagram(s), \(bytes) bytes")
            }
        }
    }

    struct Listen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Receive datagrams on a port and write their payloads to stdout.",
            discussion: "With --jsonl each datagram is one line {address, port, size, data} (data in base64). Ends after --count datagrams, or when none came for --idle seconds.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Port.") var port: Int
        @Option(help: "Local address to bind (any when absent).") var address: String?
        @Option(help: "Interface.", completion: .custom(completeInterfaceNames)) var interface: String?
        @Option(help: "Stop after this many datagrams.") var count: Int?
        @Option(help: "Stop when no datagram came for this many seconds.") var idle: Double?
        @Flag(name: .customLong("no-fd"), help: "Receive as JSON (socket.recvfrom) even when the daemon can pass a descriptor.") var noFD = false

        func run() throws {
            let client = try self.options.client()
            let socket = try openSocket(client, .udp, self.interface, self.options)
            do throws(ClientError) {
                _ = try client.call(API.SocketBind(socket: socket, address: self.address, port: self.port))
                _ = try? client.call(API.SocketSetOption(socket: socket, option: .rcvbuf, value: 4_194_304))
                if let idle { _ = try client.call(API.SocketSetTimeout(socket: socket, timeoutMs: Int(idle * 1000))) }
                var received = 0
                if !self.noFD, let fd = try attachIfOffered(client, socket) {
                    defer { close(fd) }
                    let idle = self.idle.map { Int($0 * 1000) } ?? -1
                    while self.count.map({ received < $0 }) ?? true, let (source, payload) = AttachedPump.receiveDatagram(fd, idleMilliseconds: idle) {
                        received += 1
                        if self.options.jsonl || self.options.json {
                            let line: JSONValue = [
                                "address": source.ipText.map(JSONValue.string) ?? .null, "port": JSONValue(Int(source.port)),
                                "size": JSONValue(payload.count), "data": .string(ByteEncoding.base64(payload)), "encoding": "base64",
                            ]
                            Terminal.current.out(JSONCodec.encodeString(line))
                        } else {
                            FileDescriptorIO.writeAll(1, payload)
                        }
                    }
                    _ = try? client.call(API.SocketClose(socket: socket))
                    return
                }
                while self.count.map({ received < $0 }) ?? true {
                    // WOULD_BLOCK: nothing came for --idle seconds.
                    guard let datagram = try callUnless(-3001, client, API.SocketRecvFrom(socket: socket, size: 65536)) else { break }
                    received += 1
                    if self.options.jsonl || self.options.json {
                        Terminal.current.out(JSONCodec.encodeString(datagram.json))
                    } else {
                        FileDescriptorIO.writeAll(1, ByteEncoding.decodeBase64(datagram.value.data) ?? [])
                    }
                }
                _ = try? client.call(API.SocketClose(socket: socket))
            } catch {
                throw fail(error, options: self.options)
            }
        }
    }
}

func openSocket(_ client: RPCClient, _ proto: API.SocketProtocol, _ interface: String?, _ options: GlobalOptions) throws -> Int {
    do {
        return try client.call(API.SocketOpen(protocol: proto, interface: interface), timeoutMilliseconds: options.timeoutMilliseconds).socket
    } catch {
        throw fail(error, options: options)
    }
}

/// The socket's descriptor when the daemon passes one (`socket.attach`); nil from a
/// daemon that cannot (an HTTP-only proxy, an older daemon), which the JSON path serves.
func attachIfOffered(_ client: RPCClient, _ socket: Int) throws(ClientError) -> Int32? {
    do {
        return try client.attach(socket: socket).descriptor
    } catch .rpc(let error) where error.code == RPCError.methodNotFoundCode || error.code == Int(NSAPIError.unsupported.rawValue) {
        return nil
    }
}

/// Reads until `buffer` is full or input ends, so each datagram carries --size bytes.
func readFull(_ fd: Int32, _ buffer: inout [UInt8]) -> Int {
    var total = 0
    while total < buffer.count {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + total, $0.count - total) }
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { break }
        total += count
    }
    return total
}

enum IPAddressText {
    static func isLiteral(_ text: String) -> Bool {
        text.allSatisfy { $0.isHexDigit || $0 == "." || $0 == ":" } && (text.contains(".") || text.contains(":"))
    }
}

/// A call whose failure with `code` is an expected outcome (`nil`), not an error.
func callUnless<Method: APIMethod>(_ code: Int, _ client: RPCClient, _ method: Method) throws(ClientError) -> APIReply<Method.Result>? {
    do {
        return try client.reply(method, timeoutMilliseconds: -1)
    } catch {
        if case .rpc(let rpcError) = error, rpcError.code == code { return nil }
        throw error
    }
}
