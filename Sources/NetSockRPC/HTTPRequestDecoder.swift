/// An HTTP/1.1 request as far as the JSON-RPC endpoint needs it.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    public var target: String
    /// `1.0` or `1.1`, as (major, minor) digits.
    public var version: (major: Int, minor: Int)
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(
        method: String, target: String, version: (major: Int, minor: Int), headers: [(name: String, value: String)],
        body: [UInt8]
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// Whether the connection stays open after the reply (RFC 9112 §9.3).
    public var keepAlive: Bool {
        let connection = self.header("connection")?.lowercased() ?? ""
        let tokens = connection.split(separator: ",").map { $0.trimmingASCIISpaces() }
        if self.version == (1, 0) { return tokens.contains("keep-alive") }
        return !tokens.contains("close")
    }

    /// First value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return self.headers.first(where: { $0.name.lowercased() == lower })?.value
    }

    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.target == rhs.target && lhs.version == rhs.version && lhs.body == rhs.body
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }
}

extension Substring {
    func trimmingASCIISpaces() -> String {
        String(self.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}

/// Incremental HTTP/1.1 request decoder for the control socket's HTTP mode.
///
/// Handles pipelining (several requests in one read), `Content-Length` and chunked
/// bodies, and `Expect: 100-continue`. Every failure maps to a status code and
/// closes the connection, because after a framing error the byte stream cannot be
/// trusted. Pure: bytes in, events out.
public struct HTTPRequestDecoder: Sendable {
    public enum Event: Sendable, Equatable {
        case request(HTTPRequest)
        /// Headers asked for `100 Continue`; send it, then keep feeding bytes.
        case continueExpected
        /// The request is refused with `status`; reply and close.
        case failure(status: Int, reason: String)
    }

    public let maxHeaderBytes: Int
    public let maxBodyBytes: Int
    public let maxHeaderCount: Int

    private enum State: Sendable {
        case head
        case fixedBody(HTTPRequest, remaining: Int)
        case chunkSize(HTTPRequest)
        case chunkData(HTTPRequest, remaining: Int)
        case chunkDataEnd(HTTPRequest)
        case trailers(HTTPRequest)
        case failed
    }

    private var buffer: [UInt8] = []
    private var state = State.head

    public init(maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 1 << 20, maxHeaderCount: Int = 100) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderCount = maxHeaderCount
    }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        guard case .failed = self.state else {
            self.buffer.append(contentsOf: bytes)
            return
        }
    }

    /// True when no partial request is held: end of stream here is a clean close.
    public var isIdle: Bool {
        if case .head = self.state, self.buffer.isEmpty { return true }
        return false
    }

    /// The stream ended: a partial request is a `400`.
    public mutating func finish() -> Event? {
        if let event = self.next() { return event }
        if self.isIdle { return nil }
        if case .failed = self.state { return nil }
        return self.fail(400, "the request was truncated")
    }

    public mutating func next() -> Event? {
        switch self.state {
        case .failed:
            return nil
        case .head:
            return self.decodeHead()
        case .fixedBody(var request, let remaining):
            guard self.buffer.count >= remaining else { return nil }
            request.body.append(contentsOf: self.buffer.prefix(remaining))
            self.buffer.removeFirst(remaining)
            self.state = .head
            return .request(request)
        case .chunkSize(let request):
            guard let line = self.takeLine(limit: 1024) else {
                return self.buffer.count > 1024 ? self.fail(400, "chunk size line is too long") : nil
            }
            let sizeText = line.split(separator: ";", maxSplits: 1).first.map { $0.trimmingASCIISpaces() } ?? ""
            guard !sizeText.isEmpty, sizeText.count <= 8, let size = Int(sizeText, radix: 16) else {
                return self.fail(400, "bad chunk size")
            }
            if size == 0 {
                self.state = .trailers(request)
            } else {
                guard request.body.count + size <= self.maxBodyBytes else {
                    return self.fail(413, "the body is larger than \(self.maxBodyBytes) bytes")
                }
                self.state = .chunkData(request, remaining: size)
            }
            return self.next()
        case .chunkData(var request, let remaining):
            guard !self.buffer.isEmpty else { return nil }
            let take = min(remaining, self.buffer.count)
            request.body.append(contentsOf: self.buffer.prefix(take))
            self.buffer.removeFirst(take)
            self.state = take == remaining ? .chunkDataEnd(request) : .chunkData(request, remaining: remaining - take)
            return self.next()
        case .chunkDataEnd(let request):
            guard self.buffer.count >= 2 else { return nil }
            guard self.buffer[0] == 0x0D, self.buffer[1] == 0x0A else { return self.fail(400, "chunk not followed by CRLF") }
            self.buffer.removeFirst(2)
            self.state = .chunkSize(request)
            return self.next()
        case .trailers(let request):
            guard let line = self.takeLine(limit: self.maxHeaderBytes) else {
                return self.buffer.count > self.maxHeaderBytes ? self.fail(431, "trailers are too large") : nil
            }
            if line.isEmpty {
                self.state = .head
                return .request(request)
            }
            return self.next()
        }
    }

    private mutating func fail(_ status: Int, _ reason: String) -> Event {
        self.state = .failed
        self.buffer = []
        return .failure(status: status, reason: reason)
    }

    /// Removes and returns one CRLF-terminated line (without the CRLF), if complete.
    private mutating func takeLine(limit: Int) -> Substring? {
        guard let newline = self.buffer.prefix(limit + 2).firstIndex(of: 0x0A) else { return nil }
        var end = newline
        if end > 0 && self.buffer[end - 1] == 0x0D { end -= 1 }
        let line = String(decoding: self.buffer[..<end], as: UTF8.self)
        self.buffer.removeFirst(newline + 1)
        return Substring(line)
    }

    private mutating func decodeHead() -> Event? {
        // RFC 9112 §2.2: ignore empty lines before the request line.
        while self.buffer.starts(with: [0x0D, 0x0A]) { self.buffer.removeFirst(2) }
        while self.buffer.first == 0x0A { self.buffer.removeFirst() }
        guard let end = Self.headerEnd(self.buffer, limit: self.maxHeaderBytes) else {
            if self.buffer.count > self.maxHeaderBytes { return self.fail(431, "the header section is too large") }
            return nil
        }
        let head = self.buffer[..<end.headerEnd]
        guard head.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0D || $0 == 0x0A }) else {
            return self.fail(400, "the header section holds bytes that are not visible ASCII")
        }
        // Split on bytes: Swift's String treats CRLF as one Character.
        var lines = head.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            Substring(String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self))
        }
        self.buffer.removeFirst(end.bodyStart)
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let requestLine = lines.first else { return self.fail(400, "missing request line") }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isASCII && $0.isUppercase }),
            !parts[1].isEmpty
        else { return self.fail(400, "malformed request line") }
        let versionText = parts[2]
        guard versionText == "HTTP/1.1" || versionText == "HTTP/1.0" else {
            return self.fail(505, "only HTTP/1.0 and HTTP/1.1 are supported")
        }
        var request = HTTPRequest(
            method: String(parts[0]), target: String(parts[1]),
            version: (1, versionText == "HTTP/1.1" ? 1 : 0), headers: [], body: [])
        let headerLines = lines.dropFirst()
        guard headerLines.count <= self.maxHeaderCount else { return self.fail(431, "too many header fields") }
        for line in headerLines {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                !line[..<colon].contains(where: { $0 == " " || $0 == "\t" })
            else { return self.fail(400, "malformed header field") }
            request.headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingASCIISpaces()))
        }
        guard request.method == "POST" else {
            return self.fail(405, "only POST is served here")
        }
        if request.version == (1, 1) && request.header("host") == nil {
            // RFC 9112 §3.2 requires Host; curl always sends one.
            return self.fail(400, "HTTP/1.1 request without Host")
        }
        let lengths = request.headers.filter { $0.name.lowercased() == "content-length" }.map(\.value)
        let transferEncoding = request.header("transfer-encoding")?.lowercased()
        if transferEncoding != nil && !lengths.isEmpty {
            return self.fail(400, "both Transfer-Encoding and Content-Length")  // RFC 9112 §6.1 smuggling guard.
        }
        if let transferEncoding {
            guard transferEncoding == "chunked" else { return self.fail(501, "unsupported transfer coding") }
            self.state = .chunkSize(request)
        } else {
            guard let lengthText = lengths.first else { return self.fail(411, "a POST needs Content-Length") }
            guard Set(lengths).count == 1, lengthText.count <= 12, lengthText.allSatisfy({ $0.isASCII && $0.isNumber }),
                let length = Int(lengthText)
            else { return self.fail(400, "bad Content-Length") }
            guard length <= self.maxBodyBytes else {
                return self.fail(413, "the body is larger than \(self.maxBodyBytes) bytes")
            }
            self.state = .fixedBody(request, remaining: length)
        }
        let continueWanted = request.header("expect")?.lowercased() == "100-continue"
        if let event = self.next() { return event }
        return continueWanted ? .continueExpected : nil
    }

    /// Finds CRLFCRLF (or LFLF); returns where the head ends and the body starts.
    private static func headerEnd(_ buffer: [UInt8], limit: Int) -> (headerEnd: Int, bodyStart: Int)? {
        let scanLimit = min(buffer.count, limit + 4)
        var index = 0
        while index < scanLimit {
            if buffer[index] == 0x0A {
                if index + 1 < buffer.count && buffer[index + 1] == 0x0A { return (index + 1, index + 2) }
                if index + 2 < buffer.count && buffer[index + 1] == 0x0D && buffer[index + 2] == 0x0A {
                    return (index + 1, index + 3)
                }
            }
            index += 1
        }
        return nil
    }
}

/// Serialises the few responses the endpoint sends.
public enum HTTPResponseEncoder {
    public static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 204: "No Content"
        case 400: "Bad Request"
        case 405: "Method Not Allowed"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 431: "Request Header Fields Too Large"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Error"
        }
    }

    public static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// A complete response; `body` is sent with `contentType` when non-empty.
    public static func encode(
        status: Int, body: [UInt8] = [], contentType: String = "application/json", close: Bool,
        extraHeaders: [(String, String)] = []
    ) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(self.reason(status))\r\n"
        if status != 204 {
            if !body.isEmpty { head += "Content-Type: \(contentType)\r\n" }
            head += "Content-Length: \(body.count)\r\n"
        }
        for (name, value) in extraHeaders { head += "\(name): \(value)\r\n" }
        if close { head += "Connection: close\r\n" }
        head += "\r\n"
        return Array(head.utf8) + body
    }

    /// An error response with a one-line plain-text body.
    public static func failure(status: Int, reason: String) -> [UInt8] {
        let extra: [(String, String)] = status == 405 ? [("Allow", "POST")] : []
        return self.encode(
            status: status, body: Array((reason + "\n").utf8), contentType: "text/plain; charset=utf-8", close: true,
            extraHeaders: extra)
    }
}
