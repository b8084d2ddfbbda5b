#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
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
            discussion: "Binary-safe. End of stdin half-closes the connection; the peer's close ends the command (exit 0). A refused or reset connection exits 1.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Host name or address.") var host: String
        @Argument(help: "Port.") var port: Int
        @Option(help: "Interface (the default one when absent).", completion: .custom(completeInterfaceNames)) var interface: String?

        func run() throws {
            let client = try self.options.client()
            let socket = try openSocket(client, "tcp", self.interface, self.options)
            do throws(ClientError) {
                _ = try client.call(
                    "socket.connect", ["socket": socket, "address": .string(self.host), "port": JSONValue(self.port)],
                    timeoutMilliseconds: self.options.timeoutMilliseconds)
                try SocketPump(client: client, socket: socket).run()
                _ = try? client.call("socket.close", ["socket": socket])
            } catch {
                throw fail(error, options: self.options)
            }
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

        func run() throws {
            let client = try self.options.client()
            let listener = try openSocket(client, "tcp", self.interface, self.options)
            var readInput = true
            do throws(ClientError) {
                var bind: JSONObject = ["socket": listener, "port": JSONValue(self.port)]
                if let address { bind["address"] = .string(address) }
                _ = try client.call("socket.bind", bind)
                _ = try client.call("socket.listen", ["socket": listener, "backlog": 8])
                repeat {
                    let accepted = try client.call("socket.accept", ["socket": listener], timeoutMilliseconds: -1)
                    if isatty(2) == 1 {
                        Terminal.current.err("accepted \(accepted["address"]?.cell ?? "?"):\(accepted["port"]?.cell ?? "?")")
                    }
                    let socket = accepted["socket"] ?? .null
                    try SocketPump(client: client, socket: socket, readInput: readInput).run()
                    // Standard input serves the first connection; later ones get none.
                    readInput = false
                    _ = try? client.call("socket.close", ["socket": socket])
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

        func validate() throws {
            guard (1...65507).contains(self.size) else { throw ValidationError("--size must be 1 to 65507") }
        }

        func run() throws {
            let client = try self.options.client()
            let socket = try openSocket(client, "udp", self.interface, self.options)
            var datagrams = 0
            var bytes = 0
            do {
                let address = IPAddressText.isLiteral(self.host) ? self.host
                    : try client.call("dns.gethostbyname", ["name": .string(self.host)])["address"]?.stringValue ?? self.host
                let destination: JSONObject = ["socket": socket, "address": .string(address), "port": JSONValue(self.port)]
                if let data {
                    var params = destination
                    params["text"] = .string(data)
                    bytes = Int(try client.call("socket.sendto", params)["sent"]?.intValue ?? 0)
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
                            var params = destination
                            params["data"] = .string(ByteEncoding.base64(buffer[0..<count]))
                            next += 1
                            try client.send(RPCRequest(method: "socket.sendto", params: params, id: .integer(next)).json)
                            pending.append(next)
                        }
                        guard let first = pending.first else { break }
                        let response = try client.awaitResponse(id: .integer(first), timeoutMilliseconds: self.options.timeoutMilliseconds)
                        pending.removeFirst()
                        bytes += Int(try response.outcome.get()["sent"]?.intValue ?? 0)
                        datagrams += 1
                    }
                }
                _ = try? client.call("socket.close", ["socket": socket])
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

        func run() throws {
            let client = try self.options.client()
            let socket = try openSocket(client, "udp", self.interface, self.options)
            do throws(ClientError) {
                var bind: JSONObject = ["socket": socket, "port": JSONValue(self.port)]
                if let address { bind["address"] = .string(address) }
                _ = try client.call("socket.bind", bind)
                _ = try? client.call("socket.setsockopt", ["socket": socket, "option": "rcvbuf", "value": 4_194_304])
                if let idle { _ = try client.call("socket.set_timeout", ["socket": socket, "timeout_ms": JSONValue(Int(idle * 1000))]) }
                var received = 0
                while self.count.map({ received < $0 }) ?? true {
                    // WOULD_BLOCK: nothing came for --idle seconds.
                    guard let datagram = try callUnless(-3001, client, "socket.recvfrom", ["socket": socket, "size": 65536]) else { break }
                    received += 1
                    if self.options.jsonl || self.options.json {
                        Terminal.current.out(JSONCodec.encodeString(datagram))
                    } else {
                        FileDescriptorIO.writeAll(1, ByteEncoding.decodeBase64(datagram["data"]?.stringValue ?? "") ?? [])
                    }
                }
                _ = try? client.call("socket.close", ["socket": socket])
            } catch {
                throw fail(error, options: self.options)
            }
        }
    }
}

func openSocket(_ client: RPCClient, _ proto: String, _ interface: String?, _ options: GlobalOptions) throws -> JSONValue {
    var params: JSONObject = ["protocol": .string(proto)]
    if let interface { params["interface"] = .string(interface) }
    do {
        return try client.call("socket.open", params, timeoutMilliseconds: options.timeoutMilliseconds)["socket"] ?? .null
    } catch {
        throw fail(error, options: options)
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
func callUnless(_ code: Int, _ client: RPCClient, _ method: String, _ params: JSONObject) throws(ClientError) -> JSONValue? {
    do {
        return try client.call(method, params, timeoutMilliseconds: -1)
    } catch {
        if case .rpc(let rpcError) = error, rpcError.code == code { return nil }
        throw error
    }
}
