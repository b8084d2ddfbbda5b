import NetSockJSON

/// Splits a byte stream into JSON texts without parsing them.
///
/// Accepts newline-delimited JSON, back-to-back values and pretty-printed values
/// split at any byte: it tracks only string/escape state and nesting depth, so it
/// needs no recursion and no look-ahead. Limits are enforced while scanning, so an
/// oversize or over-deep message costs bounded memory; the framer then skips to
/// the end of that value and carries on (it resynchronises), reporting one error.
///
/// Pure: bytes in, frames out. Usage: `append(_:)`, then `next()` until `nil`.
public struct StreamFramer: Sendable {
    /// What `next()` yields.
    public enum Frame: Sendable, Equatable {
        /// The bytes of one complete JSON text (object, array or scalar).
        case message(ArraySlice<UInt8>)
        /// A value was refused while framing; the stream has resynchronised after it.
        case error(FramingError)
    }

    public enum FramingError: Sendable, Equatable, CustomStringConvertible {
        case tooLarge(limit: Int)
        case tooDeep(limit: Int)
        /// More object members and array elements than `maxElements`.
        case tooManyElements(limit: Int)
        /// The stream ended inside a value.
        case truncated

        public var description: String {
            switch self {
            case .tooLarge(let limit): "message is larger than the limit of \(limit) bytes"
            case .tooDeep(let limit): "message nests deeper than the limit of \(limit)"
            case .tooManyElements(let limit): "message holds more than \(limit) members and elements"
            case .truncated: "the stream ended inside a JSON value"
            }
        }
    }

    private enum Scan: Sendable {
        /// Between values, skipping whitespace.
        case idle
        /// Inside an object or array.
        case structured(depth: Int, inString: Bool, escaped: Bool)
        /// Inside a top-level string.
        case string(escaped: Bool)
        /// Inside a top-level bare token (number, literal or garbage).
        case bare
    }

    public let maxMessageBytes: Int
    public let maxDepth: Int
    /// Object members plus array elements (an empty container counts as one) allowed in
    /// one message. Parsing costs per value far more than per byte: 80,000 one-byte
    /// params in 850 KB cost 130 ms to parse, while no request of this protocol has a
    /// thousand. Counting them here refuses such a message before anything parses it.
    public let maxElements: Int

    private var buffer: [UInt8] = []
    /// Start of the value being scanned (or of unread bytes when idle).
    private var start = 0
    /// Next byte to scan.
    private var cursor = 0
    private var scan = Scan.idle
    /// Members and elements counted so far in the value being scanned.
    private var elements = 0
    /// Set once the current value broke a limit; its bytes are then dropped as scanned.
    private var discarding: FramingError?

    public static let defaultMaxElements = 10_000

    public init(maxMessageBytes: Int = 1 << 20, maxDepth: Int = 512, maxElements: Int = defaultMaxElements) {
        precondition(maxMessageBytes > 0 && maxDepth > 0 && maxElements > 0, "framer limits must be positive")
        self.maxMessageBytes = maxMessageBytes
        self.maxDepth = maxDepth
        self.maxElements = maxElements
    }

    /// Bytes held but not yet returned, for backpressure accounting.
    public var bufferedByteCount: Int { self.buffer.count - self.start }

    /// True when the framer is between values (nothing partial is held).
    public var isIdle: Bool {
        if case .idle = self.scan, self.discarding == nil { return true }
        return false
    }

    /// The framing limits applied to one message on its own (an HTTP body): the error a
    /// stream would have reported for its first value, or nil when that value is within them.
    public func violation(in message: [UInt8]) -> FramingError? {
        var framer = StreamFramer(maxMessageBytes: self.maxMessageBytes, maxDepth: self.maxDepth, maxElements: self.maxElements)
        framer.append(message)
        guard case .error(let error)? = framer.next() ?? framer.finish() else { return nil }
        return error
    }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if self.start > 0 && self.start >= self.buffer.count / 2 {
            self.buffer.removeFirst(self.start)
            self.cursor -= self.start
            self.start = 0
        }
        self.buffer.append(contentsOf: bytes)
    }

    /// Signals the end of the stream: a value left open becomes `.truncated`.
    public mutating func finish() -> Frame? {
        if let frame = self.next() { return frame }
        switch self.scan {
        case .idle:
            return nil
        case .bare:
            // A bare token ends at end of stream; hand it over for parsing.
            let message = self.buffer[self.start..<self.cursor]
            self.reset(to: self.cursor)
            return self.discarding.map { error in
                self.discarding = nil
                return .error(error)
            } ?? .message(message)
        case .structured, .string:
            // A value already refused for a limit reports that, not its truncation.
            let error = self.discarding ?? .truncated
            self.reset(to: self.buffer.count)
            self.discarding = nil
            return .error(error)
        }
    }

    /// Returns the next complete frame, or `nil` when more bytes are needed.
    public mutating func next() -> Frame? {
        while self.cursor < self.buffer.count {
            let byte = self.buffer[self.cursor]
            switch self.scan {
            case .idle:
                if Self.isWhitespace(byte) {
                    self.cursor += 1
                    self.start = self.cursor
                    continue
                }
                self.start = self.cursor
                self.cursor += 1
                switch byte {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    self.scan = .structured(depth: 1, inString: false, escaped: false)
                    self.elements = 1
                case UInt8(ascii: "\""): self.scan = .string(escaped: false)
                default: self.scan = .bare
                }
            case .structured(var depth, var inString, var escaped):
                // The hot loop: scan with local state and write it back once.
                var completed = false
                let limit = min(self.buffer.count, self.start + self.maxMessageBytes + 1)
                var cursor = self.cursor
                var elements = self.elements
                self.buffer.withUnsafeBytes { buffer in
                    let bytes = UnsafeRawBufferPointer(rebasing: buffer[..<limit])
                    while cursor < limit {
                        if inString && !escaped {
                            // String contents (payloads) are skipped a word at a time.
                            cursor = PlainText.quoteOrBackslash(bytes, from: cursor)
                            if cursor == limit { break }
                        }
                        let byte = bytes[cursor]
                        cursor += 1
                        if inString {
                            if escaped {
                                escaped = false
                            } else if byte == 0x5C {
                                escaped = true
                            } else if byte == 0x22 {
                                inString = false
                            }
                            continue
                        }
                        switch byte {
                        case 0x22: inString = true
                        case 0x2C:
                            elements += 1
                            if elements > self.maxElements && self.discarding == nil {
                                self.discarding = .tooManyElements(limit: self.maxElements)
                            }
                        case 0x7B, 0x5B:
                            depth += 1
                            elements += 1
                            if depth > self.maxDepth && self.discarding == nil { self.discarding = .tooDeep(limit: self.maxDepth) }
                        case 0x7D, 0x5D:
                            depth -= 1
                            if depth == 0 {
                                completed = true
                                return
                            }
                        default: break
                        }
                    }
                }
                self.cursor = cursor
                self.elements = elements
                if completed { return self.complete() }
                self.scan = .structured(depth: depth, inString: inString, escaped: escaped)
            case .string(let escaped):
                self.cursor += 1
                if escaped {
                    self.scan = .string(escaped: false)
                } else if byte == UInt8(ascii: "\\") {
                    self.scan = .string(escaped: true)
                } else if byte == UInt8(ascii: "\"") {
                    return self.complete()
                }
            case .bare:
                // A bare token ends before whitespace or the start of another value.
                if Self.isWhitespace(byte) || byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[")
                    || byte == UInt8(ascii: "\"")
                {
                    return self.complete()
                }
                self.cursor += 1
            }
            if let frame = self.enforceSizeLimit() { return frame }
        }
        return nil
    }

    /// Past the size limit, drops what was scanned so memory stays bounded; reports once.
    private mutating func enforceSizeLimit() -> Frame? {
        guard self.cursor - self.start > self.maxMessageBytes || (self.discarding != nil && self.cursor - self.start > 4096)
        else { return nil }
        let first = self.discarding == nil
        if first { self.discarding = .tooLarge(limit: self.maxMessageBytes) }
        // Keep scanning state, drop the bytes.
        self.buffer.removeSubrange(self.start..<self.cursor)
        self.cursor = self.start
        return nil
    }

    private mutating func complete() -> Frame {
        let message = self.buffer[self.start..<self.cursor]
        self.reset(to: self.cursor)
        if let error = self.discarding {
            self.discarding = nil
            return .error(error)
        }
        return .message(message)
    }

    private mutating func reset(to position: Int) {
        self.scan = .idle
        self.elements = 0
        self.start = position
        self.cursor = position
        if self.start == self.buffer.count {
            self.buffer.removeAll(keepingCapacity: self.buffer.capacity <= 1 << 16)
            self.start = 0
            self.cursor = 0
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
