/// Bytes in order, taken from the front without moving what stays (a socket's buffers).
public struct ByteQueue {
    private var storage: [UInt8] = []
    private var start = 0

    public init() {}

    public var count: Int { self.storage.count - self.start }
    public var isEmpty: Bool { self.count == 0 }

    public mutating func append(contentsOf bytes: some Collection<UInt8>) { self.storage.append(contentsOf: bytes) }

    /// Up to `maximum` bytes from the front, without taking them.
    public func peek(_ maximum: Int) -> ArraySlice<UInt8> { self.storage[self.start..<self.start + Swift.min(maximum, self.count)] }

    public mutating func take(_ maximum: Int) -> [UInt8] {
        let bytes = Array(self.peek(maximum))
        self.drop(bytes.count)
        return bytes
    }

    public mutating func drop(_ count: Int) {
        self.start += Swift.min(count, self.count)
        // Compacts once the dead front outweighs the rest: each byte moves at most once more.
        if self.start == self.storage.count {
            self.storage.removeAll(keepingCapacity: true)
            self.start = 0
        } else if self.start > 4096 && self.start * 2 > self.storage.count {
            self.storage.removeFirst(self.start)
            self.start = 0
        }
    }

    public mutating func removeAll() {
        self.storage.removeAll()
        self.start = 0
    }
}
