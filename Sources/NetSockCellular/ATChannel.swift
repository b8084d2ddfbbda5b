public import NetSockStack
import NSAPI

/// The AT command channel as a pure state machine: bytes from the modem in (split
/// anywhere), events out; commands in, bytes for the modem out; time as a parameter.
/// It never recurses and holds at most one line (`maximumLine`) and one binary
/// payload (`maximumBinary`), whatever the modem sends.
public struct ATChannel: Sendable {
    /// URC prefixes: `+CEREG:`, `+UUSORD:`, `+QIURC: "recv"`, ...
    public var urcPrefixes: [String]
    public let maximumLine: Int
    public let maximumBinary: Int

    private var line: [UInt8] = []
    /// The current line is over the limit: drop bytes until its end.
    private var discarding = false
    private var pending: Pending?
    /// Raw bytes still owed to the binary part of a response.
    private var binaryRemaining = 0
    private var binaryThenQuote = false
    /// The header line before following bytes ended in CR: its LF comes first.
    private var lineFeedBeforeBinary = false
    /// Commas outside quotes so far on this line, and whether a quote is open: kept as
    /// bytes come, so finding a quoted payload's start costs nothing per byte.
    private var lineCommas = 0
    private var lineInQuotes = false
    /// Bytes of information lines the command in flight holds, and whether it hit the bound.
    private var responseBytes = 0
    private var responseFull = false
    public let maximumResponse: Int

    private struct Pending: Sendable {
        var command: ATCommand
        var deadline: Instant
        var lines: [String] = []
        var binary: [UInt8]?
        var awaitingPrompt: Bool
    }

    public init(urcPrefixes: [String] = [], maximumLine: Int = 4096, maximumBinary: Int = 4096, maximumResponse: Int = 65_536) {
        self.urcPrefixes = urcPrefixes
        self.maximumLine = maximumLine
        self.maximumBinary = maximumBinary
        self.maximumResponse = maximumResponse
    }

    /// Bytes held: the partial line, the response's lines and the binary payload being
    /// read. Never more than `maximumLine + maximumResponse + maximumBinary`.
    public var bufferedByteCount: Int { self.line.count + self.responseBytes + (self.pending?.binary?.count ?? 0) }

    /// A command is waiting for its final result.
    public var isBusy: Bool { self.pending != nil }
    /// When the command in flight times out.
    public var deadline: Instant? { self.pending?.deadline }

    /// Starts `command`; the bytes to write to the modem. One command at a time:
    /// starting another while one is in flight ends the first with `.timeout`.
    public mutating func send(_ command: ATCommand, at now: Instant) -> (bytes: [UInt8], ended: ATEvent?) {
        let ended = self.pending.map { ATEvent.response(ATResponse(command: $0.command.text, lines: $0.lines, binary: $0.binary, final: .timeout)) }
        // A line half read is a URC on its way (the modem sends them whenever it likes):
        // it stays, and ends as a URC whatever command is in flight by then.
        self.resetFraming(keepingLine: true)
        self.pending = Pending(command: command, deadline: now + command.timeout, awaitingPrompt: command.prompt != nil)
        return (Array(command.text.utf8) + [13], ended)
    }

    /// The payload to write after `.prompt`.
    public var payload: [UInt8] { self.pending?.command.payload ?? [] }

    /// Ends the command in flight if its time is up.
    public mutating func poll(at now: Instant) -> ATEvent? {
        guard let pending = self.pending, now >= pending.deadline else { return nil }
        self.pending = nil
        // A line half read stays: its end, if it comes, is reported whole as unsolicited.
        self.resetFraming(keepingLine: true)
        return .response(ATResponse(command: pending.command.text, lines: pending.lines, binary: pending.binary, final: .timeout))
    }

    /// Forgets a half-read payload (and, unless kept, the line): what follows belongs to a new command.
    private mutating func resetFraming(keepingLine: Bool = false) {
        self.binaryRemaining = 0
        self.binaryThenQuote = false
        self.lineFeedBeforeBinary = false
        if !keepingLine {
            self.discarding = false
            self.line.removeAll(keepingCapacity: true)
            self.lineCommas = 0
            self.lineInQuotes = false
        }
        self.responseBytes = 0
        self.responseFull = false
    }

    /// Feeds the modem's bytes; the events they complete, in order.
    public mutating func receive(_ bytes: some Sequence<UInt8>, at now: Instant) -> [ATEvent] {
        var events: [ATEvent] = []
        for byte in bytes { self.take(byte, into: &events) }
        return events
    }

    private mutating func take(_ byte: UInt8, into events: inout [ATEvent]) {
        if self.binaryRemaining > 0 {
            if self.lineFeedBeforeBinary {
                self.lineFeedBeforeBinary = false
                if byte == 10 { return }
            }
            self.pending?.binary?.append(byte)
            self.binaryRemaining -= 1
            return
        }
        if self.binaryThenQuote {
            // The closing quote after quoted bytes; anything else starts the rest of the line.
            self.binaryThenQuote = false
            if byte == UInt8(ascii: "\"") { return }
        }
        if byte == 13 || byte == 10 {
            if self.discarding {
                self.discarding = false
            } else if !self.line.isEmpty {
                self.endLine(into: &events)
                if self.binaryRemaining > 0 && byte == 13 { self.lineFeedBeforeBinary = true }
            }
            self.line.removeAll(keepingCapacity: true)
            self.lineCommas = 0
            self.lineInQuotes = false
            return
        }
        if self.discarding { return }
        guard self.line.count < self.maximumLine else {
            events.append(.junk("a line over \(self.maximumLine) bytes"))
            self.line.removeAll(keepingCapacity: true)
            self.discarding = true
            return
        }
        self.line.append(byte)
        // A prompt has no line end: "@" or "> " alone at the start of a line.
        if let pending = self.pending, pending.awaitingPrompt, let prompt = pending.command.prompt, self.line == [prompt] {
            self.pending?.awaitingPrompt = false
            self.line.removeAll(keepingCapacity: true)
            events.append(.prompt)
            return
        }
        if byte == UInt8(ascii: ",") && !self.lineInQuotes { self.lineCommas += 1 }
        if byte == UInt8(ascii: "\"") {
            self.lineInQuotes.toggle()
            // An opening quote right after the length field's comma may start the payload.
            if self.lineInQuotes, case .quoted(let prefix, let field)? = self.pending?.command.binary, self.lineCommas == field + 1,
                self.line.starts(with: prefix.utf8)
            {
                self.startQuotedBinary(prefix: prefix, lengthField: field, into: &events)
            }
        }
    }

    /// `+USORD: 0,12,"` has just been read: the next 12 bytes are the payload.
    private mutating func startQuotedBinary(prefix: String, lengthField: Int, into events: inout [ATEvent]) {
        let text = String(decoding: self.line, as: UTF8.self)
        guard text.hasPrefix(prefix) else { return }
        let fields = ATFields.split(String(text.dropFirst(prefix.count).dropLast()))
        // The quote opens the field after the length only when exactly that many fields came first.
        guard fields.count == lengthField + 2, fields.last?.isEmpty == true, let length = Int(fields[lengthField]) else { return }
        guard length >= 0, length <= self.maximumBinary else {
            events.append(.junk("a binary length of \(length) over \(self.maximumBinary)"))
            return
        }
        self.appendLine(String(text.dropLast()), into: &events)
        self.pending?.binary = []
        self.pending?.binary?.reserveCapacity(length)
        self.binaryRemaining = length
        self.binaryThenQuote = true
        self.line.removeAll(keepingCapacity: true)
        self.discarding = true  // The rest of this line (the closing quote) is the header's.
        if length == 0 { self.binaryRemaining = 0 }
    }

    private mutating func endLine(into events: inout [ATEvent]) {
        // Blank lines carry nothing (the space after Quectel's "> " prompt among them).
        if self.line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        let text = String(decoding: self.line, as: UTF8.self)
        guard let command = self.pending?.command else {
            events.append(self.isURC(text) ? .urc(text) : .unsolicited(text))
            return
        }
        // The modem echoing the command (ATE1, or before ATE0 took effect).
        if text == command.text { return }
        let solicited = command.responsePrefix.map { text.hasPrefix($0) } ?? false
        if !solicited {
            if self.isURC(text) {
                events.append(.urc(text))
                return
            }
            if let final = Self.final(text, extra: command.finals), let pending = self.pending {
                self.pending = nil
                self.responseBytes = 0
                self.responseFull = false
                events.append(.response(ATResponse(command: command.text, lines: pending.lines, binary: pending.binary, final: final)))
                return
            }
        }
        self.appendLine(text, into: &events)
        self.startFollowingBinary(text, into: &events)
    }

    /// Keeps an information line of the response, within `maximumResponse` bytes.
    private mutating func appendLine(_ text: String, into events: inout [ATEvent]) {
        guard !self.responseFull else { return }
        guard self.responseBytes + text.utf8.count <= self.maximumResponse else {
            self.responseFull = true
            events.append(.junk("a response over \(self.maximumResponse) bytes"))
            return
        }
        self.responseBytes += text.utf8.count
        self.pending?.lines.append(text)
    }

    /// `+QIRD: 12` has ended: the next 12 bytes are the payload.
    private mutating func startFollowingBinary(_ text: String, into events: inout [ATEvent]) {
        guard case .followingLine(let prefix, let field)? = self.pending?.command.binary, text.hasPrefix(prefix) else { return }
        let fields = ATFields.split(String(text.dropFirst(prefix.count)))
        guard field < fields.count, let length = Int(fields[field]), length >= 0 else { return }
        guard length <= self.maximumBinary else {
            events.append(.junk("a binary length of \(length) over \(self.maximumBinary)"))
            return
        }
        self.pending?.binary = []
        self.pending?.binary?.reserveCapacity(length)
        self.binaryRemaining = length
    }

    private func isURC(_ text: String) -> Bool { self.urcPrefixes.contains { text.hasPrefix($0) } }

    static func final(_ text: String, extra: [String]) -> ATFinal? {
        switch text {
        case "OK": return .ok
        case "ERROR": return .error
        default: break
        }
        if text.hasPrefix("+CME ERROR:") { return .cmeError(Int(text.dropFirst(11).trimmingBlanks)) }
        if text.hasPrefix("+CMS ERROR:") { return .cmsError(Int(text.dropFirst(11).trimmingBlanks)) }
        if extra.contains(text) { return .other(text) }
        return nil
    }
}
