#if canImport(Glibc)
import Glibc
#endif
import NetSockJSON
import NetSockPOSIX
import NetSockRPC

/// The bytes of one client connection: protocol sniffing, stream and HTTP framing,
/// and a bounded outbound queue. Everything above bytes is the ``Session``'s.
///
/// Backpressure: when more than `maxOutputBytes` wait to be written, the connection
/// stops reading (its requests wait, nobody else's do) and refuses notifications
/// (which its subscriptions then report as lost). A client that has gone is noticed
/// by the kernel (hang-up, EPIPE) and closed.
final class ControlConnection {
    enum Mode {
        case undecided
        case stream
        case http
    }

    /// An HTTP reply slot: replies leave in request order even if a later one is ready first.
    private final class HTTPSlot {
        var bytes: [UInt8]?
        var close = false
    }

    let fd: Int32
    let session: Session
    private unowned let server: ControlServer
    private(set) var mode = Mode.undecided
    private var framer: StreamFramer
    private var httpDecoder: HTTPRequestDecoder
    private var httpSlots: [HTTPSlot] = []
    private var pendingInput: [UInt8] = []

    /// Bytes waiting to be written, from `outboundStart` on: one buffer, so one `send` drains many replies.
    private var outbound: [UInt8] = []
    private var outboundStart = 0
    var outboundBytes: Int { self.outbound.count - self.outboundStart }
    /// While a read batch is processed, replies are queued and written together afterwards.
    private var corked = false
    /// Work stopped at the output bound (reading, handling, notifications); resumed once
    /// the queue drains below half, however many flushes that takes.
    private var throttled = false
    private let maxOutputBytes: Int

    /// The peer shut its side down; close once every reply has been written.
    private var inputClosed = false
    /// Close as soon as the queue is written (fatal protocol error, HTTP `Connection: close`).
    private var closeAfterFlush = false
    private(set) var isClosed = false

    init(fd: Int32, session: Session, server: ControlServer, limits: ControlServer.Limits) {
        self.fd = fd
        self.session = session
        self.server = server
        self.maxOutputBytes = limits.maxOutputBytes
        self.framer = StreamFramer(maxMessageBytes: limits.maxMessageBytes)
        self.httpDecoder = HTTPRequestDecoder(maxBodyBytes: limits.maxMessageBytes)
    }

    var isStreamMode: Bool { self.mode == .stream && !self.isClosed }

    /// Notifications are queued only below the output bound, and never in HTTP mode.
    var acceptsNotifications: Bool {
        guard self.isStreamMode else { return false }
        if self.outboundBytes >= self.maxOutputBytes { self.throttled = true }
        return !self.throttled
    }

    // MARK: Events from the reactor

    func handle(_ events: Reactor.Events) {
        // EPOLLHUP: the peer closed both directions; no reply can reach it, so its
        // waiting requests and sockets go now (a half-close, SHUT_WR, is not a hang-up).
        if events.contains(.hangup) {
            self.close()
            return
        }
        if events.contains(.writable) { self.flush() }
        if events.contains(.readable) { self.readAvailable() }
    }

    private func readAvailable() {
        guard !self.isClosed, !self.inputClosed else { return }
        self.corked = true
        defer {
            self.corked = false
            if !self.isClosed && self.outboundBytes > 0 { self.flush() }
        }
        // A few reads per wake-up keep one busy client from starving the others.
        for _ in 0..<4 {
            guard !self.isClosed, !self.inputClosed else { break }
            guard self.outboundBytes < self.maxOutputBytes else {
                self.throttled = true
                break
            }
            let count = self.server.readScratch { buffer in
                retryingRead(self.fd, buffer)
            }
            if count > 0 {
                self.received(self.server.scratch(count))
            } else if count == 0 {
                self.endOfInput()
                return
            } else {
                if errno == EAGAIN || errno == EWOULDBLOCK { break }
                self.close()
                return
            }
        }
        self.updateInterest()
    }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        switch self.mode {
        case .stream:
            self.framer.append(bytes)
            self.drainStream()
        case .http:
            self.httpDecoder.append(bytes)
            self.drainHTTP()
        case .undecided:
            self.pendingInput.append(contentsOf: bytes)
            // API.md: a connection whose first bytes are an HTTP method is HTTP/1.1.
            guard let first = self.pendingInput.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) })
            else { return }
            let input = self.pendingInput
            self.pendingInput = []
            if first >= UInt8(ascii: "A") && first <= UInt8(ascii: "Z") {
                self.mode = .http
                self.httpDecoder.append(input)
                self.drainHTTP()
            } else {
                self.mode = .stream
                self.framer.append(input)
                self.drainStream()
            }
        }
    }

    private func endOfInput() {
        self.inputClosed = true
        switch self.mode {
        case .stream:
            while let frame = self.framer.finish() { self.handleFrame(frame) }
        case .http:
            if let event = self.httpDecoder.finish() { self.handleHTTP(event) }
        case .undecided:
            break
        }
        self.closeIfDone()
        self.updateInterest()
    }

    // MARK: Stream mode

    /// Handles buffered frames while the output bound allows: past it, the rest wait
    /// (already read, so not lost) until the client reads and `flush` resumes here.
    private func drainStream() {
        while !self.isClosed, let frame = self.nextFrameWithinBound() { self.handleFrame(frame) }
    }

    private func nextFrameWithinBound() -> StreamFramer.Frame? {
        guard self.outboundBytes < self.maxOutputBytes else {
            self.throttled = true
            return nil
        }
        return self.framer.next()
    }

    private func handleFrame(_ frame: StreamFramer.Frame) {
        switch frame {
        case .message(let bytes):
            let message: JSONValue
            do {
                message = try JSONCodec.parse(bytes)
            } catch {
                self.sendMessage(RPCResponse(id: .null, error: .parseError(error.description)).json)
                return
            }
            self.server.dispatch(message, session: self.session) { [weak self] reply in
                guard let self else { return }
                if let reply { self.sendMessage(reply) }
                self.session.prunePending()
                self.closeIfDone()
            }
        case .error(.tooLarge(let limit)):
            self.sendMessage(
                RPCResponse(id: .null, error: .invalidRequest("message is larger than the limit of \(limit) bytes")).json)
        case .error(let error):
            self.sendMessage(RPCResponse(id: .null, error: .parseError(error.description)).json)
        }
    }

    // MARK: HTTP mode

    private func drainHTTP() {
        while !self.isClosed, !self.closeAfterFlush {
            guard self.outboundBytes < self.maxOutputBytes else {
                self.throttled = true
                return
            }
            guard let event = self.httpDecoder.next() else { return }
            self.handleHTTP(event)
        }
    }

    private func handleHTTP(_ event: HTTPRequestDecoder.Event) {
        switch event {
        case .continueExpected:
            // An interim response still goes out in order, after earlier requests' replies.
            let slot = HTTPSlot()
            slot.bytes = HTTPResponseEncoder.continueResponse
            self.httpSlots.append(slot)
            self.releaseHTTPSlots()
        case .failure(let status, let reason):
            let slot = HTTPSlot()
            slot.bytes = HTTPResponseEncoder.failure(status: status, reason: reason)
            slot.close = true
            self.httpSlots.append(slot)
            self.releaseHTTPSlots()
        case .request(let request):
            let slot = HTTPSlot()
            slot.close = !request.keepAlive
            self.httpSlots.append(slot)
            let message: JSONValue
            do {
                message = try JSONCodec.parse(request.body)
            } catch {
                self.fill(slot, RPCResponse(id: .null, error: .parseError(error.description)).json)
                return
            }
            self.server.dispatch(message, session: self.session) { [weak self, slot] reply in
                guard let self else { return }
                self.fill(slot, reply)
                self.session.prunePending()
            }
        }
    }

    private func fill(_ slot: HTTPSlot, _ reply: JSONValue?) {
        if let reply {
            slot.bytes = HTTPResponseEncoder.encode(
                status: 200, body: JSONCodec.encode(reply) + [0x0A], close: slot.close)
        } else {
            slot.bytes = HTTPResponseEncoder.encode(status: 204, close: slot.close)
        }
        self.releaseHTTPSlots()
    }

    private func releaseHTTPSlots() {
        while let slot = self.httpSlots.first, let bytes = slot.bytes {
            self.httpSlots.removeFirst()
            self.enqueue(bytes)
            if slot.close {
                self.closeAfterFlush = true
                self.httpSlots.removeAll()
                break
            }
        }
        self.closeIfDone()
    }

    // MARK: Output

    /// Queues one JSON text as a line (stream mode only).
    func sendMessage(_ message: JSONValue) {
        guard self.mode == .stream else { return }
        var bytes = JSONCodec.encode(message)
        bytes.append(0x0A)
        self.enqueue(bytes)
    }

    private func enqueue(_ bytes: [UInt8]) {
        guard !self.isClosed, !bytes.isEmpty else { return }
        let wasEmpty = self.outboundBytes == 0
        self.outbound.append(contentsOf: bytes)
        if wasEmpty && !self.corked { self.flush() }
    }

    private func flush() {
        while !self.isClosed, self.outboundBytes > 0 {
            let written = self.outbound.withUnsafeBytes { raw in
                send(self.fd, raw.baseAddress! + self.outboundStart, raw.count - self.outboundStart, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { break }
                self.close()  // EPIPE, ECONNRESET: the client has gone.
                return
            }
            self.outboundStart += written
        }
        if self.outboundBytes == 0 {
            self.outbound.removeAll(keepingCapacity: self.outbound.capacity <= 1 << 20)
            self.outboundStart = 0
            self.closeIfDone()
        } else if self.outboundStart > 1 << 16 && self.outboundStart * 2 > self.outbound.count {
            self.outbound.removeFirst(self.outboundStart)
            self.outboundStart = 0
        }
        guard !self.isClosed else { return }
        if self.throttled && self.outboundBytes < self.maxOutputBytes / 2 {
            self.throttled = false
            self.session.outputDrained()
            switch self.mode {
            case .stream: self.drainStream()
            case .http: self.drainHTTP()
            case .undecided: break
            }
        }
        self.updateInterest()
    }

    private func closeIfDone() {
        guard !self.isClosed, self.outboundBytes == 0 else { return }
        if self.closeAfterFlush || (self.inputClosed && !self.session.hasPendingRequests && self.httpSlots.isEmpty) {
            self.close()
        }
    }

    private func updateInterest() {
        guard !self.isClosed else { return }
        var interest: Reactor.Events = []
        if !self.inputClosed && !self.closeAfterFlush && self.outboundBytes < self.maxOutputBytes {
            interest.insert(.readable)
        }
        if self.outboundBytes > 0 { interest.insert(.writable) }
        self.server.reactor.setInterest(self.fd, interest)
    }

    /// Tries to write what is queued within `deadline`, then closes (used when stopping).
    func finishAndClose() {
        self.closeAfterFlush = true
        self.flush()
    }

    func close() {
        guard !self.isClosed else { return }
        self.isClosed = true
        self.server.reactor.unregister(self.fd)
        Glibc.close(self.fd)
        self.outbound = []
        self.outboundStart = 0
        self.server.connectionClosed(self)
        self.session.close()
    }
}

private func retryingRead(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
    while true {
        let count = read(fd, buffer.baseAddress, buffer.count)
        if count < 0 && errno == EINTR { continue }
        return count
    }
}
