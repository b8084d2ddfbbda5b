#if canImport(Glibc)
import Glibc
#endif

/// Bytes received and not yet read as lines. Each byte is searched for the newline
/// once, however many reads a long line (a large reply) arrives in, and lines are
/// taken from the front without moving what follows them.
struct LineBuffer {
    private var bytes: [UInt8] = []
    /// Where unread bytes start.
    private var start = 0
    /// Bytes before this have been searched and hold no newline.
    private var searched = 0

    var isEmpty: Bool { self.start == self.bytes.count }

    mutating func append(_ received: UnsafeRawBufferPointer) {
        if self.start == self.bytes.count {
            self.bytes.removeAll(keepingCapacity: self.bytes.capacity <= 1 << 22)
            self.start = 0
            self.searched = 0
        } else if self.start >= 1 << 16 && self.start * 2 >= self.bytes.count {
            self.bytes.removeFirst(self.start)
            self.searched -= self.start
            self.start = 0
        }
        self.bytes.append(contentsOf: received)
    }

    /// The offset of the next newline, searching only bytes not searched before.
    private mutating func newline() -> Int? {
        let from = max(self.searched, self.start)
        let found = self.bytes.withUnsafeBytes { raw -> Int? in
            guard from < raw.count, let hit = memchr(raw.baseAddress! + from, 0x0A, raw.count - from) else { return nil }
            return raw.baseAddress!.distance(to: UnsafeRawPointer(hit))
        }
        self.searched = found ?? self.bytes.count
        return found
    }

    var hasLine: Bool {
        mutating get { self.newline() != nil }
    }

    /// The next complete line, without its newline; `body` sees it before it is dropped.
    mutating func nextLine<Result>(_ body: (ArraySlice<UInt8>) throws(ClientError) -> Result) throws(ClientError) -> Result? {
        guard let newline = self.newline() else { return nil }
        let line = self.bytes[self.start..<newline]
        self.start = newline + 1
        self.searched = self.start
        return try body(line)
    }

    /// Everything unread, raw.
    mutating func takeAll() -> [UInt8] {
        defer {
            self.bytes.removeAll()
            self.start = 0
            self.searched = 0
        }
        return Array(self.bytes[self.start...])
    }
}
