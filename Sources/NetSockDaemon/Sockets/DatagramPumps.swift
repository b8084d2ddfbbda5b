import NSAPI
import NetSockPOSIX
import NetSockWire

/// Datagrams one pump call moves in each direction before it yields the loop.
let datagramsPerTurn = 512

/// What a datagram pump needs of its socket besides bytes.
struct DatagramRoute {
    /// The `connect` filter and default destination (nil: none).
    var peer: () -> SocketAddress?
    /// A frame from the client that could not be sent: reported, then dropped.
    var refused: (NSAPIError, String) -> Void
}

/// UDP on a kernel socket: recvmmsg/sendmmsg in batches of 32, each datagram received
/// 20 bytes into its slot so that its frame header is written in front of it and the
/// frame leaves from the same buffer.
final class BatchedDatagramPump: ChannelPump {
    private let socket: Int32
    private let family: Int32
    private let local: Int32
    private let route: DatagramRoute
    private let up = DatagramBatch()
    private let down = DatagramBatch()
    /// Frames of `up` waiting for room in the local end, as runs of slot indices.
    private var upRuns: [Range<Int>] = []
    private var downRuns: [Range<Int>] = []
    private var clientEnded = false

    init(socket: Int32, family: Int32, local: Int32, route: DatagramRoute) {
        self.socket = socket
        self.family = family
        self.local = local
        self.route = route
    }

    func pump() -> SocketChannel.State {
        var budget = datagramsPerTurn
        // The socket towards the client.
        upward: while budget > 0 {
            if let run = self.upRuns.first {
                switch self.up.send(run, to: self.local, from: 0, addressed: false) {
                case .moved(let count):
                    budget -= max(1, count)
                    self.upRuns[0] = (run.lowerBound + count)..<run.upperBound
                    if self.upRuns[0].isEmpty { self.upRuns.removeFirst() }
                    continue
                case .wouldBlock: break upward
                case .endOfInput, .failed: return .ended(.clientGone)
                }
            }
            switch self.up.receive(from: self.socket, at: DatagramFrame.headerLength, withSources: true) {
            case .moved(let count):
                let peer = self.route.peer()
                var kept: [Int] = []
                for index in 0..<count {
                    let source = self.up.source(index)
                    // With a peer set, datagrams from elsewhere are dropped (Mbed's UDP connect).
                    if let peer, !source.isSameEndpoint(as: peer) { continue }
                    self.up.writeHeader(index) { buffer, offset in DatagramFrame.writeHeader(source, into: &buffer, at: offset) }
                    self.up.setLength(index, DatagramFrame.headerLength + self.up.length(index))
                    kept.append(index)
                }
                self.upRuns = Self.runs(kept)
            case .endOfInput, .wouldBlock: break upward
            case .failed(let code):
                // An ICMP error queued on the socket: reported, and the socket stays usable.
                self.route.refused(KernelErrno.nsapiError(code), "the network refused an earlier datagram (errno \(code))")
            }
        }
        // The client towards the socket.
        downward: while budget > 0 {
            if let run = self.downRuns.first {
                switch self.down.send(run, to: self.socket, from: DatagramFrame.headerLength, addressed: true) {
                case .moved(let count):
                    budget -= max(1, count)
                    self.downRuns[0] = (run.lowerBound + count)..<run.upperBound
                    if self.downRuns[0].isEmpty { self.downRuns.removeFirst() }
                    continue
                case .wouldBlock: break downward
                case .endOfInput: break downward
                case .failed(let code):
                    // This datagram cannot go (too large, no route): drop it, keep the rest.
                    self.route.refused(KernelErrno.nsapiError(code), "a datagram could not be sent (errno \(code))")
                    self.downRuns[0] = (run.lowerBound + 1)..<run.upperBound
                    if self.downRuns[0].isEmpty { self.downRuns.removeFirst() }
                    continue
                }
            }
            if self.clientEnded { break }
            switch self.down.receive(from: self.local, at: 0, withSources: false) {
            case .moved(let count):
                var kept: [Int] = []
                for index in 0..<count {
                    let length = self.down.length(index)
                    // A frame is at least its header, so an empty read is the client's EOF.
                    if length == 0 {
                        self.clientEnded = true
                        break
                    }
                    let frame = self.down.bytes(index, from: 0, length: length)
                    do throws(DatagramFrame.Failure) {
                        guard let destination = try DatagramFrame.destination(frame) ?? self.route.peer() else {
                            self.route.refused(.noAddress, "a frame named no destination and the socket has no peer")
                            continue
                        }
                        guard self.down.setDestination(index, destination, family: self.family) else {
                            self.route.refused(.parameter, "\(destination) does not fit this socket")
                            continue
                        }
                        self.down.setLength(index, length - DatagramFrame.headerLength)
                        kept.append(index)
                    } catch {
                        self.route.refused(.parameter, error.description)
                    }
                }
                self.downRuns = Self.runs(kept)
            case .endOfInput: self.clientEnded = true
            case .wouldBlock: break downward
            case .failed: return .ended(.clientGone)
            }
        }
        if self.clientEnded && self.downRuns.isEmpty { return .ended(.finished) }
        return budget <= 0 ? .more : .running
    }

    /// Consecutive indices grouped, so each group goes in one sendmmsg.
    static func runs(_ indices: [Int]) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        for index in indices {
            if let last = runs.last, last.upperBound == index {
                runs[runs.count - 1] = last.lowerBound..<(index + 1)
            } else {
                runs.append(index..<(index + 1))
            }
        }
        return runs
    }
}

/// Datagrams on any stack, through its own nonblocking calls (Mbed's
/// `socket_recvfrom`/`socket_sendto`), one at a time.
final class CopiedDatagramPump: ChannelPump {
    private let stack: any NetworkStack
    private let handle: SocketHandle
    private let local: Int32
    private let route: DatagramRoute
    private var upFrame: [UInt8]?
    private var downFrame = [UInt8](repeating: 0, count: 65536 + DatagramFrame.headerLength)
    private var downPending: (SocketAddress, Range<Int>)?
    private var clientEnded = false

    init(stack: any NetworkStack, handle: SocketHandle, local: Int32, route: DatagramRoute) {
        self.stack = stack
        self.handle = handle
        self.local = local
        self.route = route
    }

    func pump() -> SocketChannel.State {
        var budget = datagramsPerTurn
        upward: while budget > 0 {
            if let frame = self.upFrame {
                switch frame.withUnsafeBytes({ LocalIO.write(self.local, $0) }) {
                case .moved:
                    self.upFrame = nil
                    budget -= 1
                    continue
                case .wouldBlock: break upward
                case .endOfInput, .failed: return .ended(.clientGone)
                }
            }
            do throws(NSAPIError) {
                let (source, bytes) = try self.stack.socketReceiveFrom(self.handle, maxBytes: 65536)
                if let peer = self.route.peer(), !source.isSameEndpoint(as: peer) { continue }
                self.upFrame = DatagramFrame.header(source) + bytes
            } catch .wouldBlock {
                break upward
            } catch {
                self.route.refused(error, "the stack refused to receive")
                break upward
            }
        }
        downward: while budget > 0 {
            if let (destination, range) = self.downPending {
                do throws(NSAPIError) {
                    _ = try self.stack.socketSendTo(self.handle, destination, self.downFrame[range])
                    self.downPending = nil
                    budget -= 1
                    continue
                } catch .wouldBlock {
                    break downward
                } catch {
                    self.route.refused(error, "a datagram could not be sent")
                    self.downPending = nil
                    continue
                }
            }
            if self.clientEnded { break }
            switch self.downFrame.withUnsafeMutableBytes({ LocalIO.read(self.local, into: $0) }) {
            case .moved(let length):
                do throws(DatagramFrame.Failure) {
                    guard let destination = try DatagramFrame.destination(self.downFrame[0..<length]) ?? self.route.peer() else {
                        self.route.refused(.noAddress, "a frame named no destination and the socket has no peer")
                        continue
                    }
                    self.downPending = (destination, DatagramFrame.headerLength..<length)
                } catch {
                    self.route.refused(.parameter, error.description)
                }
            case .endOfInput: self.clientEnded = true
            case .wouldBlock: break downward
            case .failed: return .ended(.clientGone)
            }
        }
        if self.clientEnded && self.downPending == nil { return .ended(.finished) }
        return budget <= 0 ? .more : .running
    }
}
