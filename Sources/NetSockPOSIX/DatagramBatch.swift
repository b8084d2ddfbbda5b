#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux
public import NSAPI

/// Datagrams moved in batches (recvmmsg/sendmmsg) through one preallocated buffer of
/// slots. An attached descriptor's frames are a 20-byte header and the payload, so a
/// datagram from the stack lands 20 bytes into its slot, gets its header written in
/// front, and leaves as a frame; a frame from the client leaves from 20 bytes in.
/// Nothing is copied between the two sockets.
public final class DatagramBatch {
    public let slots: Int
    public let stride: Int
    private var buffer: [UInt8]
    private var lengths: [Int32]
    private var addresses: [sockaddr_storage]
    private var addressLengths: [UInt32]
    /// Datagrams now in the batch.
    public private(set) var count = 0

    /// `slotBytes` holds the largest datagram plus any header in front of it.
    public init(slots: Int = 32, slotBytes: Int = 65536 + 20) {
        self.slots = min(slots, 64)
        self.stride = slotBytes
        self.buffer = [UInt8](repeating: 0, count: self.slots * self.stride)
        self.lengths = [Int32](repeating: 0, count: self.slots)
        self.addresses = [sockaddr_storage](repeating: sockaddr_storage(), count: self.slots)
        self.addressLengths = [UInt32](repeating: 0, count: self.slots)
    }

    /// Receives up to `slots` datagrams, each placed `offset` bytes into its slot,
    /// optionally with their sources.
    public func receive(from fd: Int32, at offset: Int, withSources: Bool) -> MoveResult {
        let capacity = Int32(self.stride - offset)
        let received = self.buffer.withUnsafeMutableBufferPointer { base in
            self.lengths.withUnsafeMutableBufferPointer { lengths in
                self.addresses.withUnsafeMutableBufferPointer { addresses in
                    self.addressLengths.withUnsafeMutableBufferPointer { addressLengths in
                        cnetsock_recvmmsg(
                            fd, base.baseAddress! + offset, Int32(self.stride), capacity, Int32(self.slots), lengths.baseAddress,
                            withSources ? addresses.baseAddress : nil, withSources ? addressLengths.baseAddress : nil)
                    }
                }
            }
        }
        guard received >= 0 else {
            self.count = 0
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? .wouldBlock : .failed(errno)
        }
        self.count = Int(received)
        return .moved(Int(received))
    }

    /// Bytes received into slot `index`.
    public func length(_ index: Int) -> Int { Int(self.lengths[index]) }

    public func setLength(_ index: Int, _ length: Int) { self.lengths[index] = Int32(length) }

    /// The source of datagram `index` (received with sources).
    public func source(_ index: Int) -> SocketAddress { KernelAddress.socketAddress(self.addresses[index]) }

    /// `length` bytes of slot `index` from `offset`.
    public func bytes(_ index: Int, from offset: Int, length: Int) -> ArraySlice<UInt8> {
        let start = index * self.stride + offset
        return self.buffer[start..<(start + length)]
    }

    /// Writes `header` at the start of slot `index`.
    public func writeHeader(_ index: Int, _ write: (inout [UInt8], Int) -> Void) {
        write(&self.buffer, index * self.stride)
    }

    /// Where datagram `index` goes, for a kernel socket of `family`; false when the
    /// address does not fit that socket.
    public func setDestination(_ index: Int, _ address: SocketAddress, family: Int32) -> Bool {
        // Most datagrams of a batch go where the one before went: convert once.
        if let last = self.lastDestination, last.address == address.address, last.port == address.port, last.family == family {
            self.addresses[index] = last.storage
            self.addressLengths[index] = last.length
            return true
        }
        guard let (storage, length) = KernelAddress.storage(address, family: family) else { return false }
        self.lastDestination = (address.address, address.port, family, storage, length)
        self.addresses[index] = storage
        self.addressLengths[index] = length
        return true
    }

    private var lastDestination: (address: IPAddress?, port: UInt16, family: Int32, storage: sockaddr_storage, length: socklen_t)?

    /// Sends the datagrams in `range`, each `lengths[i]` bytes from `offset` into its
    /// slot, in one sendmmsg (to their destinations, or to the connected peer when
    /// `addressed` is false); how many went.
    public func send(_ range: Range<Int>, to fd: Int32, from offset: Int, addressed: Bool) -> MoveResult {
        guard !range.isEmpty else { return .moved(0) }
        let sent = self.buffer.withUnsafeBufferPointer { base in
            self.lengths.withUnsafeBufferPointer { lengths in
                self.addresses.withUnsafeBufferPointer { addresses in
                    self.addressLengths.withUnsafeBufferPointer { addressLengths in
                        cnetsock_sendmmsg(
                            fd, base.baseAddress! + range.lowerBound * self.stride + offset, Int32(self.stride), Int32(range.count),
                            lengths.baseAddress! + range.lowerBound, addressed ? addresses.baseAddress! + range.lowerBound : nil,
                            addressed ? addressLengths.baseAddress! + range.lowerBound : nil)
                    }
                }
            }
        }
        guard sent >= 0 else { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? .wouldBlock : .failed(errno) }
        return .moved(Int(sent))
    }
}

/// Bytes and descriptors over a Unix socket (`SCM_RIGHTS`).
public enum DescriptorPassing {
    /// One sendmsg of `bytes` carrying `fds` (at most 16); bytes sent, or the failure.
    public static func send(_ socket: Int32, _ bytes: UnsafeRawBufferPointer, passing fds: [Int32]) -> MoveResult {
        let sent = fds.withUnsafeBufferPointer { cnetsock_send_with_fds(socket, bytes.baseAddress, UInt(bytes.count), $0.baseAddress, Int32($0.count)) }
        if sent >= 0 { return .moved(sent) }
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? .wouldBlock : .failed(errno)
    }

    public struct Received {
        public var result: MoveResult
        public var descriptors: [Int32]
        /// The kernel dropped descriptors that did not fit (`MSG_CTRUNC`): a protocol error.
        public var truncated: Bool
    }

    /// One recvmsg (`MSG_CMSG_CLOEXEC`) into `buffer`, with any descriptors that came.
    public static func receive(_ socket: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Received {
        var fds = [Int32](repeating: -1, count: 253)
        var count: Int32 = 0
        var truncated: Int32 = 0
        let received = fds.withUnsafeMutableBufferPointer {
            cnetsock_receive_with_fds(socket, buffer.baseAddress, UInt(buffer.count), $0.baseAddress, 253, &count, &truncated)
        }
        let result: MoveResult =
            received > 0 ? .moved(received) : received == 0 ? .endOfInput
            : (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? .wouldBlock : .failed(errno))
        return Received(result: result, descriptors: Array(fds.prefix(Int(count))), truncated: truncated != 0)
    }
}
