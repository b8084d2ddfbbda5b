/// A fixed-size ring of bytes: a TCP send or receive buffer. Writes never grow it,
/// reads hand out at most two contiguous slices, and out-of-order data can be placed
/// ahead of the readable bytes (at an offset past `count`) and made readable later.
public struct ByteRing: Sendable {
    public private(set) var capacity: Int
    private var storage: [UInt8]
    private var head = 0
    public private(set) var count = 0

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.storage = [UInt8](repeating: 0, count: capacity)
    }

    public var freeSpace: Int { self.capacity - self.count }
    public var isEmpty: Bool { self.count == 0 }

    /// Appends as much of `bytes` as fits; returns how much did.
    @discardableResult
    public mutating func append(_ bytes: UnsafeRawBufferPointer) -> Int {
        let written = self.write(bytes, at: self.count)
        self.count += written
        return written
    }

    /// Writes `bytes` at `offset` past the readable start without making them readable
    /// (an out-of-order segment), cut to the free space; returns how much was written.
    @discardableResult
    public mutating func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Int {
        guard offset >= 0, offset < self.capacity else { return 0 }
        let amount = Swift.min(bytes.count, self.capacity - offset)
        guard amount > 0 else { return 0 }
        var start = (self.head + offset) % self.capacity
        var done = 0
        self.storage.withUnsafeMutableBytes { storage in
            while done < amount {
                let run = Swift.min(amount - done, self.capacity - start)
                UnsafeMutableRawBufferPointer(rebasing: storage[start..<(start + run)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[done..<(done + run)]))
                done += run
                start = (start + run) % self.capacity
            }
        }
        return amount
    }

    /// Makes `count` more bytes readable: those written ahead have been joined.
    public mutating func commit(_ count: Int) {
        self.count = Swift.min(self.capacity, self.count + Swift.max(0, count))
    }

    /// Lends up to `maximum` readable bytes from `offset` on, in at most two slices.
    public func peek(from offset: Int = 0, maximum: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) {
        let available = Swift.max(0, Swift.min(maximum, self.count - offset))
        self.storage.withUnsafeBytes { storage in
            guard available > 0 else { return body(UnsafeRawBufferPointer(rebasing: storage[0..<0]), UnsafeRawBufferPointer(rebasing: storage[0..<0])) }
            let start = (self.head + offset) % self.capacity
            let first = Swift.min(available, self.capacity - start)
            body(
                UnsafeRawBufferPointer(rebasing: storage[start..<(start + first)]),
                UnsafeRawBufferPointer(rebasing: storage[0..<(available - first)]))
        }
    }

    /// Copies out up to `maximum` readable bytes from `offset` on.
    public func copy(from offset: Int = 0, maximum: Int) -> [UInt8] {
        var result: [UInt8] = []
        self.peek(from: offset, maximum: maximum) { first, second in
            result.reserveCapacity(first.count + second.count)
            result += first
            result += second
        }
        return result
    }

    /// Forgets the first `count` readable bytes (read by the application, or acknowledged).
    public mutating func consume(_ count: Int) {
        let amount = Swift.min(Swift.max(0, count), self.count)
        self.head = (self.head + amount) % self.capacity
        self.count -= amount
    }

    /// Enlarges the ring (receive-window auto-tuning, a larger buffer option), keeping
    /// readable bytes and anything written ahead of them where they were.
    public mutating func grow(to capacity: Int) {
        guard capacity > self.capacity else { return }
        var storage = [UInt8](repeating: 0, count: capacity)
        let old = self.capacity
        self.storage.withUnsafeBytes { source in
            storage.withUnsafeMutableBytes { target in
                let first = old - self.head
                UnsafeMutableRawBufferPointer(rebasing: target[0..<first]).copyMemory(from: UnsafeRawBufferPointer(rebasing: source[self.head..<old]))
                if self.head > 0 {
                    UnsafeMutableRawBufferPointer(rebasing: target[first..<old]).copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<self.head]))
                }
            }
        }
        self.storage = storage
        self.head = 0
        self.capacity = capacity
    }
}
