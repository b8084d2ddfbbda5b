#if canImport(Glibc)
import Glibc
#endif
public import NetSockJSON
public import NetSockRPC
import NetSockPOSIX

/// Why a call did not produce a result.
public enum ClientError: Error, CustomStringConvertible {
    /// Nothing listens at the path (no file, or a stale socket): the daemon is not running.
    case notRunning(path: String, reason: String)
    /// The socket exists but we may not connect (permissions).
    case notPermitted(path: String, reason: String)
    /// No reply within the client's timeout.
    case timeout
    /// The daemon answered with an error object.
    case rpc(RPCError)
    /// The daemon closed the connection.
    case disconnected
    /// Something that is not JSON-RPC arrived.
    case protocolViolation(String)
    case system(String)

    public var description: String {
        switch self {
        case .notRunning(let path, let reason): "netsockd is not running (\(path): \(reason))"
        case .notPermitted(let path, let reason): "not permitted to connect to \(path): \(reason)"
        case .timeout: "timed out waiting for the daemon"
        case .rpc(let error): error.description
        case .disconnected: "the daemon closed the connection"
        case .protocolViolation(let detail): "protocol error: \(detail)"
        case .system(let detail): detail
        }
    }
}

/// A blocking JSON-RPC client on the daemon's Unix socket, for the CLI, tests and
/// benchmarks. Replies are matched by id; notifications that arrive meanwhile go
/// to ``notificationHandler`` (or are queued for ``nextNotification(timeoutMilliseconds:)``).
///
/// Not thread-safe: one client per thread.
public final class RPCClient {
    public let path: String
    private var fd: Int32
    private var buffer = LineBuffer()
    /// Where `recvmsg` puts bytes before they join `buffer`; allocated once.
    private var chunk = [UInt8](repeating: 0, count: 65536)
    private var nextID: Int64 = 1
    private var queuedNotifications: [RPCNotification] = []
    /// Descriptors received and not yet taken, oldest first.
    private var descriptors: [Int32] = []
    /// Called for each notification read while waiting for a reply; when nil they are queued.
    public var notificationHandler: ((RPCNotification) -> Void)?

    public init(path: String) throws(ClientError) {
        self.path = path
        do {
            self.fd = try UnixSocket.connect(path: path)
        } catch {
            switch error.errno {
            case ENOENT, ECONNREFUSED, ENOTDIR: throw .notRunning(path: path, reason: error.description)
            case EACCES, EPERM: throw .notPermitted(path: path, reason: error.description)
            default: throw .system(error.description)
            }
        }
    }

    deinit { self.close() }

    public func close() {
        for descriptor in self.descriptors { Glibc.close(descriptor) }
        self.descriptors = []
        guard self.fd >= 0 else { return }
        Glibc.close(self.fd)
        self.fd = -1
    }

    /// The connection's descriptor, for callers that wait on it with other descriptors (`poll`).
    public var fileDescriptor: Int32 { self.fd }

    /// Whether complete messages are already buffered (so `poll` on the descriptor would miss them).
    public var hasBufferedMessage: Bool { self.buffer.hasLine || !self.queuedNotifications.isEmpty }

    /// Calls several methods in one batch; results in the order given.
    public func callBatch(_ calls: [(String, JSONObject)], timeoutMilliseconds: Int = 30_000) throws(ClientError)
        -> [Result<JSONValue, RPCError>]
    {
        guard !calls.isEmpty else { return [] }
        let first = self.nextID
        self.nextID += Int64(calls.count)
        let batch = calls.enumerated().map { index, call in
            RPCRequest(method: call.0, params: call.1, id: .integer(first + Int64(index))).json
        }
        try self.send(.array(batch))
        let deadline = timeoutMilliseconds < 0 ? nil : MonotonicClock.nanoseconds() + UInt64(timeoutMilliseconds) * 1_000_000
        while true {
            let message = try self.readMessage(deadline: deadline)
            if let entries = message.arrayValue {
                var results = [Result<JSONValue, RPCError>](repeating: .failure(.internalError("no reply")), count: calls.count)
                for entry in entries {
                    guard let response = RPCResponse(json: entry), let id = response.id.intValue else { continue }
                    let index = Int(id - first)
                    if results.indices.contains(index) { results[index] = response.outcome }
                }
                return results
            }
            if let notification = Self.notification(message) {
                if let handler = self.notificationHandler { handler(notification) } else { self.queuedNotifications.append(notification) }
            }
        }
    }

    /// Every complete message that arrives within `timeoutMilliseconds` (at most one read).
    public func pollMessages(timeoutMilliseconds: Int) throws(ClientError) -> [JSONValue] {
        var messages: [JSONValue] = []
        if !self.buffer.hasLine {
            do {
                try self.fill(deadline: MonotonicClock.nanoseconds() + UInt64(max(0, timeoutMilliseconds)) * 1_000_000)
            } catch .timeout {
                return []
            }
        }
        while self.buffer.hasLine { messages.append(try self.readMessage(deadline: nil)) }
        return messages
    }

    /// Closes the sending side, as a client that has nothing more to ask does.
    public func shutdownWrite() { shutdown(self.fd, Int32(SHUT_WR)) }

    // MARK: Calls

    /// Calls `method` and returns its result; error replies throw ``ClientError/rpc(_:)``.
    /// `timeoutMilliseconds` < 0 waits forever.
    public func call(_ method: String, _ params: JSONObject = [:], timeoutMilliseconds: Int = 30_000) throws(ClientError)
        -> JSONValue
    {
        let id = self.makeID()
        try self.send(RPCRequest(method: method, params: params, id: .integer(id)).json)
        let response = try self.awaitResponse(id: .integer(id), timeoutMilliseconds: timeoutMilliseconds)
        switch response.outcome {
        case .success(let result): return result
        case .failure(let error): throw .rpc(error)
        }
    }

    public func makeID() -> Int64 {
        defer { self.nextID += 1 }
        return self.nextID
    }

    /// Sends one message as a line.
    public func send(_ message: JSONValue) throws(ClientError) {
        try self.sendRaw(JSONCodec.encode(message) + [0x0A])
    }

    /// Sends bytes as they are (for tests of framing and hostile input).
    public func sendRaw(_ bytes: [UInt8]) throws(ClientError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Glibc.send(self.fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw errno == EPIPE || errno == ECONNRESET ? .disconnected : .system(SystemError.last("send").description)
            }
            offset += written
        }
    }

    /// Reads until the response with `id` arrives, handing notifications on.
    public func awaitResponse(id: JSONValue, timeoutMilliseconds: Int) throws(ClientError) -> RPCResponse {
        let deadline = timeoutMilliseconds < 0 ? nil : MonotonicClock.nanoseconds() + UInt64(timeoutMilliseconds) * 1_000_000
        while true {
            let message = try self.readMessage(deadline: deadline)
            if let response = RPCResponse(json: message) {
                if response.id == id { return response }
                // A null-id error answers something we cannot match (parse error); report it.
                if response.id == .null, case .failure(let error) = response.outcome { throw .rpc(error) }
                continue
            }
            guard let notification = Self.notification(message) else {
                throw .protocolViolation("unexpected message \(JSONCodec.encodeString(message))")
            }
            if let handler = self.notificationHandler { handler(notification) } else { self.queuedNotifications.append(notification) }
        }
    }

    /// The next notification, waiting up to `timeoutMilliseconds` (< 0: forever); `nil` on timeout.
    public func nextNotification(timeoutMilliseconds: Int) throws(ClientError) -> RPCNotification? {
        if !self.queuedNotifications.isEmpty { return self.queuedNotifications.removeFirst() }
        let deadline = timeoutMilliseconds < 0 ? nil : MonotonicClock.nanoseconds() + UInt64(timeoutMilliseconds) * 1_000_000
        while true {
            let message: JSONValue
            do {
                message = try self.readMessage(deadline: deadline)
            } catch .timeout {
                return nil
            }
            if let notification = Self.notification(message) { return notification }
        }
    }

    public static func notification(_ message: JSONValue) -> RPCNotification? {
        guard message["jsonrpc"] == "2.0", message["id"] == nil, let method = message["method"]?.stringValue else { return nil }
        return RPCNotification(method: method, params: message["params"]?.objectValue ?? [:])
    }

    // MARK: Reading

    /// Reads one line-delimited JSON message (the daemon writes exactly one per line).
    public func readMessage(deadline: UInt64?) throws(ClientError) -> JSONValue {
        while true {
            let message = try self.buffer.nextLine { line throws(ClientError) in
                do {
                    return try JSONCodec.parse(line)
                } catch {
                    throw .protocolViolation("unreadable reply: \(error)")
                }
            }
            if let message { return message }
            try self.fill(deadline: deadline)
        }
    }

    /// Reads whatever bytes arrive next, raw (for HTTP-mode tests).
    public func readRaw(timeoutMilliseconds: Int) throws(ClientError) -> [UInt8] {
        if !self.buffer.isEmpty { return self.buffer.takeAll() }
        try self.fill(deadline: MonotonicClock.nanoseconds() + UInt64(max(0, timeoutMilliseconds)) * 1_000_000)
        return self.buffer.takeAll()
    }

    private func fill(deadline: UInt64?) throws(ClientError) {
        var descriptor = pollfd(fd: self.fd, events: Int16(POLLIN), revents: 0)
        while true {
            var timeout: Int32 = -1
            if let deadline {
                // A deadline already passed still polls once, without waiting.
                let now = MonotonicClock.nanoseconds()
                timeout = deadline > now ? Int32(min((deadline - now + 999_999) / 1_000_000, 3_600_000)) : 0
            }
            let ready = poll(&descriptor, 1, timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                throw .system(SystemError.last("poll").description)
            }
            if ready == 0 { throw .timeout }
            break
        }
        // recvmsg, not read: a reply may carry descriptors (socket.attach), which come
        // with its first byte and wait here until the caller takes them.
        let received = self.chunk.withUnsafeMutableBytes { DescriptorPassing.receive(self.fd, into: $0) }
        self.descriptors += received.descriptors
        if received.truncated { throw .protocolViolation("descriptors the daemon passed were dropped (MSG_CTRUNC)") }
        switch received.result {
        case .moved(let count): self.chunk.withUnsafeBytes { self.buffer.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        case .wouldBlock: return
        case .endOfInput: throw .disconnected
        case .failed(let code):
            throw code == ECONNRESET ? .disconnected : .system(SystemError("recvmsg", errno: code).description)
        }
    }

    /// Takes the oldest descriptor the daemon passed (with a `socket.attach` reply); the
    /// caller owns it from then on.
    public func takeDescriptor() -> Int32? { self.descriptors.isEmpty ? nil : self.descriptors.removeFirst() }
}
