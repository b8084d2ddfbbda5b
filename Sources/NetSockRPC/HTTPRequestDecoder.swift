import NSAPI

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
        let tokens = connection.split(separator: ",").map { String($0.trimmingBlanks) }
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

/// Incremental HTTP/1.1 request decoder for the control socket's HTTP mode.
///
/// Handles pipelining (several requests in one read), `Content-Length` and chunked
/// bodies, and `Expect: 100-continue`. Every failure maps to a status code and
/// closes the connection, because after a framing error the byte stream cannot be
/// trusted. Pure: bytes in, events out.
///
/// Work is linear in the input whatever its shape: `next()` is a loop (never
/// recursion, so 30,000 one-byte chunks cost 30,000 iterations, not stack frames),
/// consumed bytes are skipped by a read position rather than moved, the search for
/// the end of the head resumes where the last one stopped, and the body under
/// construction has one owner so appending never copies it. Everything held is
/// bounded: the head, blank lines before it and trailers by `maxHeaderBytes`, the
/// body by `maxBodyBytes`.
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
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case failed
    }

    private var buffer: [UInt8] = []
    /// First byte not yet consumed.
    private var position = 0
    /// How far past `position` the search for the end of the head has looked.
    private var headScanned = 0
    /// Blank-line bytes skipped before the current request line (RFC 9112 §2.2).
    private var blankBytes = 0
    /// Trailer-section bytes of the current chunked request.
    private var trailerBytes = 0
    private var state = State.head
    /// The request whose body is being read; held here, not in `state`, so it has one owner.
    private var request: HTTPRequest?
    /// Headers asked for 100-continue and the body has not started arriving in full.
    private var continuePending = false

    public init(maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 1 << 20, maxHeaderCount: Int = 100) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderCount = maxHeaderCount
    }

    /// Bytes held but not yet decoded.
    public var bufferedByteCount: Int { self.buffer.count - self.position }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if case .failed = self.state { return }
        if self.position > 0 && self.position * 2 >= self.buffer.count {
            self.buffer.removeSubrange(0..<self.position)
            self.position = 0
        }
        self.buffer.append(contentsOf: bytes)
    }

    /// True when no partial request is held: end of stream here is a clean close.
    public var isIdle: Bool {
        if case .head = self.state, self.bufferedByteCount == 0 { return true }
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
        while true {
            switch self.state {
            case .failed:
                return nil
            case .head:
                switch self.decodeHead() {
                case .needMore: return nil
                case .event(let event): return event
                case .proceed: continue
                }
            case .fixedBody(let remaining):
                guard self.bufferedByteCount >= remaining else { return self.waiting() }
                self.request!.body.append(contentsOf: self.buffer[self.position..<(self.position + remaining)])
                self.position += remaining
                return self.complete()
            case .chunkSize:
                guard let line = self.takeLineRange(limit: 1024) else {
                    return self.bufferedByteCount > 1026 ? self.fail(400, "chunk size line is too long") : self.waiting()
                }
                guard let size = Self.chunkSize(self.buffer[line]) else { return self.fail(400, "bad chunk size") }
                if size == 0 {
                    self.trailerBytes = 0
                    self.state = .trailers
                } else {
                    guard self.request!.body.count + size <= self.maxBodyBytes else {
                        return self.fail(413, "the body is larger than \(self.maxBodyBytes) bytes")
                    }
                    self.state = .chunkData(remaining: size)
                }
            case .chunkData(let remaining):
                guard self.bufferedByteCount > 0 else { return self.waiting() }
                let take = min(remaining, self.bufferedByteCount)
                self.request!.body.append(contentsOf: self.buffer[self.position..<(self.position + take)])
                self.position += take
                self.state = take == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - take)
            case .chunkDataEnd:
                guard self.bufferedByteCount >= 2 else { return self.waiting() }
                guard self.buffer[self.position] == 0x0D, self.buffer[self.position + 1] == 0x0A else {
                    return self.fail(400, "chunk not followed by CRLF")
                }
                self.position += 2
                self.state = .chunkSize
            case .trailers:
                let before = self.position
                guard let line = self.takeLineRange(limit: self.maxHeaderBytes) else {
                    return self.trailerBytes + self.bufferedByteCount > self.maxHeaderBytes
                        ? self.fail(431, "trailers are too large") : self.waiting()
                }
                self.trailerBytes += self.position - before
                if line.isEmpty { return self.complete() }
                if self.trailerBytes > self.maxHeaderBytes { return self.fail(431, "trailers are too large") }
            }
        }
    }

    /// The size of a chunk-size line (RFC 9112 §7.1): hex digits, optional whitespace and
    /// extensions after `;`. Read from the bytes: this runs once per chunk, and a body of
    /// one-byte chunks makes that once per byte.
    public static func chunkSize(_ line: ArraySlice<UInt8>) -> Int? {
        var index = line.startIndex
        while index < line.endIndex && (line[index] == 0x20 || line[index] == 0x09) { index += 1 }
        var size = 0
        var digits = 0
        while index < line.endIndex, let digit = Hex.digit(line[index]).map(Int.init) {
            digits += 1
            guard digits <= 8 else { return nil }
            size = size << 4 | digit
            index += 1
        }
        guard digits > 0 else { return nil }
        while index < line.endIndex && (line[index] == 0x20 || line[index] == 0x09) { index += 1 }
        guard index == line.endIndex || line[index] == UInt8(ascii: ";") else { return nil }
        return size
    }

    /// The body needs more bytes: the first time after headers that asked for it, say so.
    private mutating func waiting() -> Event? {
        guard self.continuePending else { return nil }
        self.continuePending = false
        return .continueExpected
    }

    private mutating func complete() -> Event {
        let request = self.request!
        self.request = nil
        self.continuePending = false
        self.state = .head
        return .request(request)
    }

    private mutating func fail(_ status: Int, _ reason: String) -> Event {
        self.state = .failed
        self.buffer = []
        self.position = 0
        self.request = nil
        return .failure(status: status, reason: reason)
    }

    /// Consumes one LF-terminated line, if complete within `limit`; returns where its
    /// bytes lie in `buffer` (without CR LF).
    private mutating func takeLineRange(limit: Int) -> Range<Int>? {
        let end = min(self.buffer.count, self.position + limit + 2)
        guard let newline = self.buffer[self.position..<end].firstIndex(of: 0x0A) else { return nil }
        var lineEnd = newline
        if lineEnd > self.position && self.buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
        defer { self.position = newline + 1 }
        return self.position..<lineEnd
    }

    private enum HeadStep {
        case needMore
        case event(Event)
        /// The head was read; the body state is set.
        case proceed
    }

    private mutating func decodeHead() -> HeadStep {
        // RFC 9112 §2.2: ignore empty lines before the request line, but not without bound.
        while self.position < self.buffer.count {
            let byte = self.buffer[self.position]
            if byte == 0x0A {
                self.position += 1
                self.blankBytes += 1
            } else if byte == 0x0D {
                guard self.position + 1 < self.buffer.count else { return .needMore }
                guard self.buffer[self.position + 1] == 0x0A else { break }
                self.position += 2
                self.blankBytes += 2
            } else {
                break
            }
            if self.blankBytes > self.maxHeaderBytes { return .event(self.fail(400, "too many empty lines before the request")) }
        }
        guard let end = self.findHeadEnd() else {
            if self.bufferedByteCount > self.maxHeaderBytes { return .event(self.fail(431, "the header section is too large")) }
            return .needMore
        }
        self.blankBytes = 0
        self.headScanned = 0
        let head = self.buffer[self.position..<end.headEnd]
        self.position = end.bodyStart
        guard head.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0D || $0 == 0x0A }) else {
            return .event(self.fail(400, "the header section holds bytes that are not visible ASCII"))
        }
        switch self.parseHead(head) {
        case .failure(let failure): return .event(self.fail(failure.status, failure.reason))
        case .success(let (request, body)):
            self.request = request
            self.continuePending = request.header("expect")?.lowercased() == "100-continue"
            self.state = body
            return .proceed
        }
    }

    private struct HeadFailure: Error {
        var status: Int
        var reason: String
        init(_ status: Int, _ reason: String) {
            self.status = status
            self.reason = reason
        }
    }

    /// The request line and header fields, and how its body is framed.
    private func parseHead(_ head: ArraySlice<UInt8>) -> Result<(HTTPRequest, State), HeadFailure> {
        // Split on bytes: Swift's String treats CRLF as one Character.
        var lines = head.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            Substring(String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self))
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let requestLine = lines.first else { return .failure(HeadFailure(400, "missing request line")) }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isASCII && $0.isUppercase }),
            !parts[1].isEmpty
        else { return .failure(HeadFailure(400, "malformed request line")) }
        let versionText = parts[2]
        guard versionText == "HTTP/1.1" || versionText == "HTTP/1.0" else {
            return .failure(HeadFailure(505, "only HTTP/1.0 and HTTP/1.1 are supported"))
        }
        var request = HTTPRequest(
            method: String(parts[0]), target: String(parts[1]),
            version: (1, versionText == "HTTP/1.1" ? 1 : 0), headers: [], body: [])
        let headerLines = lines.dropFirst()
        guard headerLines.count <= self.maxHeaderCount else { return .failure(HeadFailure(431, "too many header fields")) }
        for line in headerLines {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                !line[..<colon].contains(where: { $0 == " " || $0 == "\t" })
            else { return .failure(HeadFailure(400, "malformed header field")) }
            request.headers.append((String(line[..<colon]), String(line[line.index(after: colon)...].trimmingBlanks)))
        }
        guard request.method == "POST" else { return .failure(HeadFailure(405, "only POST is served here")) }
        if request.version == (1, 1) && request.header("host") == nil {
            // RFC 9112 §3.2 requires Host; curl always sends one.
            return .failure(HeadFailure(400, "HTTP/1.1 request without Host"))
        }
        let lengths = request.headers.filter { $0.name.lowercased() == "content-length" }.map(\.value)
        let transferEncoding = request.header("transfer-encoding")?.lowercased()
        if transferEncoding != nil && !lengths.isEmpty {
            return .failure(HeadFailure(400, "both Transfer-Encoding and Content-Length"))  // RFC 9112 §6.1 smuggling guard.
        }
        if let transferEncoding {
            guard transferEncoding == "chunked" else { return .failure(HeadFailure(501, "unsupported transfer coding")) }
            return .success((request, .chunkSize))
        }
        guard let lengthText = lengths.first else { return .failure(HeadFailure(411, "a POST needs Content-Length")) }
        guard Set(lengths).count == 1, lengthText.count <= 12, lengthText.allSatisfy({ $0.isASCII && $0.isNumber }),
            let length = Int(lengthText)
        else { return .failure(HeadFailure(400, "bad Content-Length")) }
        guard length <= self.maxBodyBytes else {
            return .failure(HeadFailure(413, "the body is larger than \(self.maxBodyBytes) bytes"))
        }
        request.body.reserveCapacity(length)
        return .success((request, .fixedBody(remaining: length)))
    }

    /// Finds LF LF or LF CR LF after `position`, resuming where the last search stopped;
    /// returns where the head ends (after its last line's LF) and the body starts.
    private mutating func findHeadEnd() -> (headEnd: Int, bodyStart: Int)? {
        let scanLimit = min(self.buffer.count, self.position + self.maxHeaderBytes + 4)
        // Back up two bytes: a terminator may straddle the previous search's end.
        var index = max(self.position, self.position + self.headScanned - 2)
        while index < scanLimit {
            if self.buffer[index] == 0x0A {
                if index + 1 < self.buffer.count && self.buffer[index + 1] == 0x0A { return (index + 1, index + 2) }
                if index + 2 < self.buffer.count && self.buffer[index + 1] == 0x0D && self.buffer[index + 2] == 0x0A {
                    return (index + 1, index + 3)
                }
                if index + 2 >= self.buffer.count { break }  // Undecided until more bytes come.
            }
            index += 1
        }
        self.headScanned = index - self.position
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
