/// Big-endian field reads and writes at byte offsets. The checked views only call these
/// after their `init(checking:)` has proved the offsets in bounds, so the reads
/// themselves carry no second check beyond the buffer's own debug assertion.
extension UnsafeRawBufferPointer {
    @inline(__always) func u16(at offset: Int) -> UInt16 {
        UInt16(bigEndian: self.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always) func u32(at offset: Int) -> UInt32 {
        UInt32(bigEndian: self.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// `count` bytes from `offset` as a slice of this buffer (still borrowed).
    @inline(__always) func bytes(at offset: Int, count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: self[offset..<(offset + count)])
    }
}

extension UnsafeMutableRawBufferPointer {
    @inline(__always) func setU16(_ value: UInt16, at offset: Int) {
        self.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
    }

    @inline(__always) func setU32(_ value: UInt32, at offset: Int) {
        self.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
    }

    @inline(__always) func setBytes(_ bytes: some Collection<UInt8>, at offset: Int) {
        var index = offset
        for byte in bytes {
            self[index] = byte
            index += 1
        }
    }
}

/// Emits a header into a fresh array: for tests, tools and anything off the fast path.
@inline(__always) func emitted(_ count: Int, _ body: (UnsafeMutableRawBufferPointer) -> Void) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    bytes.withUnsafeMutableBytes { body($0) }
    return bytes
}
