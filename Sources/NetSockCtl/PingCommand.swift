#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import NetSockClient
import NetSockPOSIX
import NetSockRPC

/// `netsockctl ping HOST`: echo requests through an ICMP socket of the daemon, on any
/// interface's stack, printed as iputils' ping prints them.
struct PingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping", abstract: "Send ICMP echo requests through the daemon (Mbed's ICMPSocket).")

    @OptionGroup var options: GlobalOptions
    @Argument(help: "Host name or IPv4 address.") var host: String
    @Option(name: .customShort("c"), help: "Stop after this many requests.") var count = 4
    @Option(name: .customShort("i"), help: "Seconds between requests.") var interval = 1.0
    @Option(name: .customShort("W"), help: "Seconds to wait for the last reply.") var wait = 2.0
    @Option(name: .customLong("size"), help: "Bytes of data in each request (ping's -s; -s here is the control socket).") var size = 56
    @Option(name: .customShort("I"), help: "Interface to ping from.", completion: .custom(completeInterfaceNames)) var interface: String?

    func validate() throws {
        guard self.count >= 1 else { throw ValidationError("-c must be at least 1") }
        guard (0...65_507).contains(self.size) else { throw ValidationError("--size must be 0 to 65507") }
        guard self.interval >= 0.01, self.wait > 0 else { throw ValidationError("-i and -W must be positive") }
    }

    func run() throws {
        let client = try self.options.client()
        func call<Method: APIMethod>(_ method: Method, timeout: Int? = nil) throws -> Method.Result {
            do {
                return try client.call(method, timeoutMilliseconds: timeout ?? self.options.timeoutMilliseconds)
            } catch {
                throw fail(error, options: self.options)
            }
        }
        let address = try call(API.DNSGetHostByName(name: self.host, version: .ipv4, interface: self.interface)).address
        let socket = try call(API.SocketOpen(protocol: .icmp, interface: self.interface)).socket
        defer { _ = try? client.call(API.SocketClose(socket: socket)) }
        let terminal = Terminal.current
        terminal.out("PING \(self.host) (\(address)) \(self.size)(\(self.size + 28)) bytes of data.")
        var sentAt: [UInt16: UInt64] = [:]
        var times: [Double] = []
        let started = MonotonicClock.nanoseconds()
        var transmitted = 0
        for sequence in 1...self.count {
            let seq = UInt16(truncatingIfNeeded: sequence)
            // Type 8, code 0; the stack fills in the checksum and identifier.
            var request: [UInt8] = [8, 0, 0, 0, 0, 0, UInt8(seq >> 8), UInt8(truncatingIfNeeded: seq)]
            request += (0..<self.size).map { UInt8(truncatingIfNeeded: $0 + 8) }
            sentAt[seq] = MonotonicClock.nanoseconds()
            _ = try call(API.SocketSendTo(socket: socket, address: address, port: 0, data: ByteEncoding.base64(request)))
            transmitted += 1
            let last = sequence == self.count
            let until = MonotonicClock.nanoseconds() + UInt64((last ? self.wait : self.interval) * 1e9)
            // Replies until the next request is due (or, after the last, the wait is over).
            while true {
                let now = MonotonicClock.nanoseconds()
                guard now < until else { break }
                _ = try call(API.SocketSetTimeout(socket: socket, timeoutMs: max(1, Int((until - now) / 1_000_000))))
                let reply: API.ReceivedDatagram
                do {
                    reply = try client.call(API.SocketRecvFrom(socket: socket, size: 65_535), timeoutMilliseconds: self.options.timeoutMilliseconds)
                } catch .rpc(let error) where error.nsapiError == .wouldBlock {
                    break
                } catch {
                    throw fail(error, options: self.options)
                }
                let message = ByteEncoding.decodeBase64(reply.data) ?? []
                guard message.count >= 8, message[0] == 0 else { continue }
                let replySequence = UInt16(message[6]) << 8 | UInt16(message[7])
                guard let sent = sentAt.removeValue(forKey: replySequence) else { continue }
                let milliseconds = Double(MonotonicClock.nanoseconds() - sent) / 1e6
                times.append(milliseconds)
                terminal.out("\(message.count) bytes from \(reply.address ?? address): icmp_seq=\(replySequence) time=\(Self.format(milliseconds)) ms")
                if last && sentAt.isEmpty { break }
            }
        }
        let elapsed = Int((MonotonicClock.nanoseconds() - started) / 1_000_000)
        let loss = transmitted == 0 ? 0 : (transmitted - times.count) * 100 / transmitted
        terminal.out("")
        terminal.out("--- \(self.host) ping statistics ---")
        terminal.out("\(transmitted) packets transmitted, \(times.count) received, \(loss)% packet loss, time \(elapsed)ms")
        if !times.isEmpty {
            let average = times.reduce(0, +) / Double(times.count)
            let deviation = (times.map { ($0 - average) * ($0 - average) }.reduce(0, +) / Double(times.count)).squareRoot()
            terminal.out("rtt min/avg/max/mdev = \([times.min()!, average, times.max()!, deviation].map(Self.format).joined(separator: "/")) ms")
        }
        // As ping: 0 when any reply came, 1 when none did.
        if times.isEmpty { throw ExitCode(1) }
    }

    static func format(_ milliseconds: Double) -> String {
        let thousandths = Int((milliseconds * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
