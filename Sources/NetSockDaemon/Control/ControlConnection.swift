#if canImport(Glibc)
import Glibc
#endif
import NetSockJSON
import NetSockPOSIX
import NetSockRPC

/// The bytes of one client connection: protocol sniffing, stream and HTTP framing,
/// and a bounded outbound queue. Everything above bytes is the ``Session``'s.
///
/// Memory is bounded by configuration whatever the client does. Replies queued to
/// be written plus replies held back (batch entries waiting for their siblings, HTTP
/// replies waiting for earlier ones) are the connection's committed bytes. Past
/// `maxOutputBytes` queued, the connection stops reading (its requests wait, nobody
/// else's do) and refuses notifications (which its subscriptions then report as
/// lost); past it committed, new requests get -32004, and payload reads wait (their
/// data stays in the stack) or, when held replies fill the bound, fail. A client that
/// has gone is noticed by the kernel (hang-up, EPIPE) and closed, after the requests
/// it sent before going have run.
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
    /// Slots already released; the rest of `httpSlots` still waits its turn.
    private var httpSlotsReleased = 0

    /// Bytes waiting to be written, from `outboundStart` on: one buffer, so one `send` drains many replies.
    private var outbound: [UInt8] = []
    private var outboundStart = 0
    /// Descriptors to pass with the byte at each offset of `outbound` (the first byte of
    /// a reply): a send starts there and carries them (`SCM_RIGHTS`), in order.
    private var passing: [(offset: Int, fds: [Int32])] = []
    var outboundBytes: Int { self.outbound.count - self.outboundStart }
    /// Encoded replies held for a batch or for HTTP ordering, not yet queued.
    var heldBytes = 0
    var committedBytes: Int { self.outboundBytes + self.heldBytes }
    /// While a read batch is processed, replies are queued and written together afterwards.
    private var corked = false
    /// Work stopped at the output bound (reading, handling, notifications); resumed once
    /// the queue drains below half, however many flushes that takes.
    private var throttled = false
    /// A payload read waits for room; retried once committed bytes fall below the bound.
    private var roomWanted = false
    private let maxOutputBytes: Int

    /// The peer shut its side down; close once every reply has been written.
    private var inputClosed = false
    /// Input has ended and every request read before the end has been handled.
    private var inputFinished = false
    /// Requests are left from a turn that used up its budget; the rest run next turn,
    /// and nothing more is read meanwhile.
    private var continuationScheduled = false
    /// The client hung up; what it sent before still runs, but nothing is sent back.
    private(set) var peerGone = false
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

    var isStreamMode: Bool { self.mode == .stream && !self.isClosed && !self.peerGone }

    /// Notifications are queued only below the output bound, and never in HTTP mode.
    var acceptsNotifications: Bool {
        guard self.isStreamMode else { return false }
        if self.outboundBytes >= self.maxOutputBytes { self.throttled = true }
        return !self.throttled
    }

    /// Room for one payload reply under the bound; see ``ReplyRoom``.
    func replyRoom() -> ReplyRoom {
        guard !self.isClosed, !self.peerGone else { return .refuse }
        let room = self.maxOutputBytes - self.committedBytes
        if room > 0 { return .bytes(room) }
        if self.heldBytes > 0 { return .refuse }
        self.roomWanted = true
        return .later
    }

    // MARK: Events from the reactor

    func handle(_ events: Reactor.Events) {
        if events.contains(.hangup) {
            self.peerHungUp()
            return
        }
        if events.contains(.writable) { self.flush() }
        if events.contains(.readable) { self.readAvailable() }
    }

    /// Requests handled in one turn of the event loop before this connection yields to
    /// the others: every client waits while one runs, so one that sends thousands of
    /// requests in a burst has them served a slice per turn, between everybody else's.
    static let requestsPerTurn = 32

    /// Runs `body` with replies corked, then writes what it queued in one go.
    private func corked(_ body: () -> Void) {
        self.corked = true
        body()
        self.corked = false
        if !self.isClosed && self.outboundBytes > 0 { self.flush() }
    }

    private func readAvailable() {
        guard !self.isClosed, !self.inputClosed else { return }
        self.corked { self.readSome() }
        self.updateInterest()
    }

    private func readSome() {
        // A few reads per wake-up keep one busy client from starving the others.
        for _ in 0..<4 {
            guard !self.isClosed, !self.inputClosed, !self.continuationScheduled else { break }
            guard self.outboundBytes < self.maxOutputBytes else {
                self.throttled = true
                break
            }
            switch self.readOnce() {
            // A short read emptied the socket: asking again would only cost an EAGAIN
            // (the loop is level-triggered, so bytes that come meanwhile wake it again).
            case .data(let filled): if filled { continue }
            case .wouldBlock: break
            case .endOfInput:
                self.endOfInput()
                return
            case .failed:
                self.close()
                return
            }
            break
        }
    }

    private enum ReadResult {
        /// Bytes were read; `filled` when they filled the buffer (there may be more).
        case data(filled: Bool)
        case wouldBlock
        case endOfInput
        case failed
    }

    private func readOnce() -> ReadResult {
        var capacity = 0
        let count = self.server.readScratch { buffer in
            capacity = buffer.count
            return retryingRead(self.fd, buffer)
        }
        if count > 0 {
            self.received(self.server.scratch(count))
            return .data(filled: count == capacity)
        }
        if count == 0 { return .endOfInput }
        return errno == EAGAIN || errno == EWOULDBLOCK ? .wouldBlock : .failed
    }

    /// EPOLLHUP: the peer closed both directions. What it sent before going is still
    /// carried out, in order (effects happen, answers go nowhere); then everything it
    /// owned goes. The kernel's receive buffer bounds what there is to read.
    private func peerHungUp() {
        guard !self.isClosed, !self.peerGone else { return }
        self.peerGone = true
        self.dropOutbound()
        // EPOLLHUP stays raised whatever the interest: stop watching. The requests run in
        // slices like any client's, and the connection closes after the last.
        self.server.reactor.unregister(self.fd)
        while !self.isClosed, !self.inputClosed, case .data = self.readOnce() {}
        if !self.isClosed && !self.inputClosed { self.endOfInput() }
    }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        switch self.mode {
        case .stream:
            self.framer.append(bytes)
            self.drain()
        case .http:
            self.httpDecoder.append(bytes)
            self.drain()
        case .undecided:
            // Whitespace before the first message means nothing in either mode: drop it
            // as it comes, so no amount of it is buffered or scanned twice.
            guard let first = bytes.firstIndex(where: { !Self.isWhitespace($0) }) else { return }
            let rest = UnsafeRawBufferPointer(rebasing: bytes[first...])
            // API.md: a connection whose first bytes are an HTTP method is HTTP/1.1.
            if rest[0] >= UInt8(ascii: "A") && rest[0] <= UInt8(ascii: "Z") {
                self.mode = .http
                self.httpDecoder.append(rest)
            } else {
                self.mode = .stream
                self.framer.append(rest)
            }
            self.drain()
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }

    private func endOfInput() {
        self.inputClosed = true
        self.drain()
        self.updateInterest()
    }

    // MARK: Handling what was read

    /// Handles buffered requests in order: while the output bound allows (past it the
    /// rest wait, already read, so not lost, until the client reads and `flush` resumes
    /// here), and at most ``requestsPerTurn`` before yielding the loop to other clients.
    private func drain() {
        var budget = Self.requestsPerTurn
        while !self.isClosed, !self.closeAfterFlush {
            guard self.outboundBytes < self.maxOutputBytes else {
                self.throttled = true
                return
            }
            guard budget > 0 else { return self.yieldTurn() }
            budget -= 1
            switch self.mode {
            case .stream:
                guard let frame = self.framer.next() else { return self.inputDrained() }
                self.handleFrame(frame)
            case .http:
                guard let event = self.httpDecoder.next() else { return self.inputDrained() }
                self.handleHTTP(event)
            case .undecided:
                return self.inputDrained()
            }
        }
    }

    /// Continues ``drain()`` in the next turn of the loop; reading waits until then.
    private func yieldTurn() {
        guard !self.continuationScheduled else { return }
        self.continuationScheduled = true
        self.server.reactor.deferToNextTick { [weak self] in
            guard let self, !self.isClosed else { return }
            self.continuationScheduled = false
            self.corked { self.drain() }
            self.updateInterest()
        }
    }

    /// Every buffered request has been handled; at the end of input, what is left is a
    /// truncated request, and the connection goes once its replies are written (at once
    /// if the client has gone).
    private func inputDrained() {
        guard self.inputClosed, !self.inputFinished else { return }
        self.inputFinished = true
        switch self.mode {
        case .stream:
            while !self.isClosed, let frame = self.framer.finish() { self.handleFrame(frame) }
        case .http:
            if !self.isClosed && !self.closeAfterFlush, let event = self.httpDecoder.finish() { self.handleHTTP(event) }
        case .undecided:
            break
        }
        if self.peerGone { self.close() } else { self.closeIfDone() }
    }

    // MARK: Stream mode

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
            // Descriptors a handler passes (socket.attach) leave with this message's reply.
            let token = self.session.beginMessage()
            defer { self.session.endMessage() }
            self.server.dispatch(message, session: self.session) { [weak self, weak session = self.session] reply in
                let fds = session?.takeDescriptors(token) ?? []
                guard let self else {
                    for fd in fds { Glibc.close(fd) }
                    return
                }
                if let reply {
                    self.sendLine(reply, passing: fds)
                } else {
                    for fd in fds { Glibc.close(fd) }
                }
                self.closeIfDone()
            }
        case .error(let error):
            self.sendMessage(RPCResponse(id: .null, error: Self.rpcError(error)).json)
        }
    }

    /// Limits on size and element count make a request invalid (-32600); a value the
    /// framer cannot follow is a parse error (-32700).
    private static func rpcError(_ error: StreamFramer.FramingError) -> RPCError {
        switch error {
        case .tooLarge, .tooManyElements: .invalidRequest(error.description)
        case .tooDeep, .truncated: .parseError(error.description)
        }
    }

    // MARK: HTTP mode

    private func handleHTTP(_ event: HTTPRequestDecoder.Event) {
        switch event {
        case .continueExpected:
            // An interim response still goes out in order, after earlier requests' replies.
            let slot = HTTPSlot()
            self.httpSlots.append(slot)
            self.fill(slot, HTTPResponseEncoder.continueResponse)
        case .failure(let status, let reason):
            let slot = HTTPSlot()
            slot.close = true
            self.httpSlots.append(slot)
            self.fill(slot, HTTPResponseEncoder.failure(status: status, reason: reason))
        case .request(let request):
            let slot = HTTPSlot()
            slot.close = !request.keepAlive
            self.httpSlots.append(slot)
            if let violation = self.framer.violation(in: request.body) {
                self.fill(slot, self.httpReply(JSONCodec.encode(RPCResponse(id: .null, error: Self.rpcError(violation)).json), slot))
                return
            }
            let message: JSONValue
            do {
                message = try JSONCodec.parse(request.body)
            } catch {
                self.fill(slot, self.httpReply(JSONCodec.encode(RPCResponse(id: .null, error: .parseError(error.description)).json), slot))
                return
            }
            self.server.dispatch(message, session: self.session) { [weak self, slot] reply in
                guard let self else { return }
                self.fill(slot, self.httpReply(reply, slot))
            }
        }
    }

    private func httpReply(_ reply: [UInt8]?, _ slot: HTTPSlot) -> [UInt8] {
        guard let reply else { return HTTPResponseEncoder.encode(status: 204, close: slot.close) }
        return HTTPResponseEncoder.encode(status: 200, body: reply + [0x0A], close: slot.close)
    }

    /// A slot's reply is ready: held until the slots before it have gone.
    private func fill(_ slot: HTTPSlot, _ bytes: [UInt8]) {
        guard !self.isClosed else { return }
        slot.bytes = bytes
        self.heldBytes += bytes.count
        self.releaseHTTPSlots()
    }

    private func releaseHTTPSlots() {
        while self.httpSlotsReleased < self.httpSlots.count, let bytes = self.httpSlots[self.httpSlotsReleased].bytes {
            let slot = self.httpSlots[self.httpSlotsReleased]
            self.httpSlotsReleased += 1
            self.heldBytes -= bytes.count
            slot.bytes = nil
            self.enqueue(bytes)
            if slot.close {
                self.closeAfterFlush = true
                self.dropLaterHTTPSlots()
                break
            }
        }
        if self.httpSlotsReleased == self.httpSlots.count {
            self.httpSlots.removeAll(keepingCapacity: true)
            self.httpSlotsReleased = 0
        } else if self.httpSlotsReleased > 64 && self.httpSlotsReleased * 2 > self.httpSlots.count {
            self.httpSlots.removeSubrange(0..<self.httpSlotsReleased)
            self.httpSlotsReleased = 0
        }
        self.closeIfDone()
    }

    /// After a closing reply nothing more is sent; later replies are forgotten.
    private func dropLaterHTTPSlots() {
        for slot in self.httpSlots[self.httpSlotsReleased...] {
            if let bytes = slot.bytes { self.heldBytes -= bytes.count }
            slot.bytes = nil
        }
        self.httpSlots.removeAll()
        self.httpSlotsReleased = 0
    }

    // MARK: Output

    /// Queues one JSON value as a line (stream mode only).
    func sendMessage(_ message: JSONValue) {
        guard self.mode == .stream else { return }
        self.sendLine(JSONCodec.encode(message))
    }

    /// Queues one encoded JSON text as a line (stream mode only), with descriptors that
    /// go with its first byte.
    private func sendLine(_ text: [UInt8], passing fds: [Int32] = []) {
        guard self.mode == .stream, !self.isClosed, !self.peerGone, !text.isEmpty else {
            for fd in fds { Glibc.close(fd) }
            return
        }
        if !fds.isEmpty { self.passing.append((self.outbound.count, fds)) }
        self.enqueue(text, newline: true)
    }

    private func enqueue(_ bytes: [UInt8], newline: Bool = false) {
        guard !self.isClosed, !self.peerGone, !bytes.isEmpty else { return }
        let wasEmpty = self.outboundBytes == 0
        if self.outbound.isEmpty && bytes.count >= 1 << 14 {
            // A large reply becomes the queue itself rather than being copied into it.
            self.outbound = bytes
            self.outboundStart = 0
        } else {
            self.outbound.append(contentsOf: bytes)
        }
        if newline { self.outbound.append(0x0A) }
        if wasEmpty && !self.corked { self.flush() }
    }

    private func flush() {
        let before = self.outboundBytes
        while !self.isClosed, self.outboundBytes > 0 {
            // A send that carries descriptors starts at their reply's first byte; one
            // without stops short of the next reply that has some.
            var end = self.outbound.count
            var fds: [Int32] = []
            if let next = self.passing.first {
                if next.offset == self.outboundStart {
                    fds = next.fds
                    if self.passing.count > 1 { end = self.passing[1].offset }
                } else {
                    end = next.offset
                }
            }
            let result = self.outbound.withUnsafeBytes { raw in
                let chunk = UnsafeRawBufferPointer(rebasing: raw[self.outboundStart..<end])
                return fds.isEmpty ? LocalIO.write(self.fd, chunk) : DescriptorPassing.send(self.fd, chunk, passing: fds)
            }
            switch result {
            case .moved(let written):
                if !fds.isEmpty {
                    // The client holds them now (or will when it reads): the daemon's copies go.
                    self.passing.removeFirst()
                    for fd in fds { Glibc.close(fd) }
                }
                self.outboundStart += written
                continue
            case .wouldBlock, .endOfInput:
                break
            case .failed:
                self.close()  // EPIPE, ECONNRESET: the client has gone.
                return
            }
            break
        }
        if self.outboundBytes == 0 {
            self.outbound.removeAll(keepingCapacity: self.outbound.capacity <= 1 << 20)
            self.outboundStart = 0
            self.closeIfDone()
        } else if self.outboundStart > 1 << 16 && self.outboundStart * 2 > self.outbound.count {
            self.outbound.removeFirst(self.outboundStart)
            for index in self.passing.indices { self.passing[index].offset -= self.outboundStart }
            self.outboundStart = 0
        }
        guard !self.isClosed else { return }
        if self.roomWanted && self.outboundBytes < before && self.committedBytes < self.maxOutputBytes {
            // Payload reads waiting for room try again, on the next tick (not inside this flush).
            self.roomWanted = false
            self.server.roomAvailable(for: self.session)
        }
        if self.throttled && self.outboundBytes < self.maxOutputBytes / 2 {
            self.throttled = false
            self.session.outputDrained()
            self.drain()
        }
        self.updateInterest()
    }

    /// Forgets what was queued, closing the descriptors that were to go with it.
    private func dropOutbound() {
        self.outbound = []
        self.outboundStart = 0
        for (_, fds) in self.passing { for fd in fds { Glibc.close(fd) } }
        self.passing = []
    }

    private func closeIfDone() {
        guard !self.isClosed, self.outboundBytes == 0 else { return }
        if self.closeAfterFlush || (self.inputFinished && !self.session.hasPendingRequests && self.httpSlots.isEmpty) {
            self.close()
        }
    }

    private func updateInterest() {
        guard !self.isClosed else { return }
        var interest: Reactor.Events = []
        if !self.inputClosed && !self.closeAfterFlush && !self.continuationScheduled && self.outboundBytes < self.maxOutputBytes {
            interest.insert(.readable)
        }
        if self.outboundBytes > 0 { interest.insert(.writable) }
        self.server.reactor.setInterest(self.fd, interest)
    }

    /// Tries to write what is queued, then closes (used when stopping).
    func finishAndClose() {
        self.closeAfterFlush = true
        self.flush()
    }

    func close() {
        guard !self.isClosed else { return }
        self.isClosed = true
        self.server.reactor.unregister(self.fd)
        Glibc.close(self.fd)
        self.dropOutbound()
        self.httpSlots = []
        self.heldBytes = 0
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
