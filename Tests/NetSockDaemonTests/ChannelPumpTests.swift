#if canImport(Glibc)
import Glibc
#endif
import NSAPI
@testable import NetSockDaemon
import NetSockPOSIX
import NetSockWire
import Testing

/// The pumps that serve attached sockets on stacks other than the kernel's, through the
/// stack contract alone: what `ip` and `modem` sockets will get. The client's end is a
/// real socketpair; the stack is scripted.
@Suite struct ChannelPumpTests {
    let stack = FakeStack()

    /// A socketpair: the daemon's end (nonblocking) and the client's, closed with the test.
    final class Pair {
        let local: Int32
        let remote: Int32
        private var remoteOpen = true
        init(_ type: Int32) throws {
            (self.local, self.remote) = try LocalIO.socketPair(type: type)
            UnixSocket.setNonblocking(self.remote)
        }
        deinit {
            close(self.local)
            if self.remoteOpen { close(self.remote) }
        }

        func closeClient() {
            close(self.remote)
            self.remoteOpen = false
        }

        func clientWrite(_ bytes: [UInt8]) -> Int { bytes.withUnsafeBytes { send(self.remote, $0.baseAddress, $0.count, 0) } }

        /// Everything readable now; nil at end of input.
        func clientRead() -> [UInt8]? {
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            let count = buffer.withUnsafeMutableBytes { recv(self.remote, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count == 0 { return nil }
            return count < 0 ? [] : Array(buffer[0..<count])
        }
    }

    func streamPump() throws -> (CopiedStreamPump, Pair, SocketHandle) {
        let handle = try self.stack.socketOpen(.tcp)
        let pair = try Pair(Int32(SOCK_STREAM.rawValue))
        return (CopiedStreamPump(stack: self.stack, handle: handle, local: pair.local), pair, handle)
    }

    @Test func streamBytesMoveBothWaysAndEndsFollowInOrder() throws {
        let (pump, pair, handle) = try self.streamPump()
        let source = SocketAddress(parsing: "192.0.2.1", port: 80)!
        self.stack[handle].received = [(source, Array("from the peer".utf8))]
        #expect(pump.pump() == .running)
        #expect(pair.clientRead() == Array("from the peer".utf8))

        #expect(pair.clientWrite(Array("from the client".utf8)) == 15)
        #expect(pump.pump() == .running)
        #expect(self.stack[handle].sent == Array("from the client".utf8))

        // The client's EOF is shutdown(write) on the socket; the stream goes on the other way.
        shutdown(pair.remote, Int32(SHUT_WR))
        #expect(pump.pump() == .running)
        #expect(self.stack[handle].shutdowns == [.write])
        self.stack[handle].received = [(source, Array("late reply".utf8))]
        #expect(pump.pump() == .running)
        #expect(pair.clientRead() == Array("late reply".utf8))

        // The peer's orderly close is EOF for the client, and the channel has finished.
        self.stack[handle].received = [(source, [])]
        #expect(pump.pump() == .ended(.finished))
        #expect(pair.clientRead() == nil)
    }

    @Test func aStackThatTakesLittleAtATimeGetsEveryByteInOrder() throws {
        let (pump, pair, handle) = try self.streamPump()
        let payload = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var offset = 0
        self.stack[handle].sendCapacity = 1000
        while offset < payload.count || self.stack[handle].sent.count < payload.count {
            if offset < payload.count {
                let written = pair.clientWrite(Array(payload[offset..<min(offset + 65536, payload.count)]))
                if written > 0 { offset += written }
            }
            #expect(pump.pump() != .ended(.clientGone))
            self.stack[handle].sendCapacity = 1000  // The stack frees room a little at a time.
        }
        #expect(self.stack[handle].sent == payload)
    }

    @Test func aStackFailureEndsTheChannelWithItsError() throws {
        let (pump, _, handle) = try self.streamPump()
        self.stack[handle].failure = .connectionLost
        #expect(pump.pump() == .ended(.failed(.connectionLost)))
    }

    @Test func aClientThatClosedWithDataArrivingIsGone() throws {
        let (pump, pair, handle) = try self.streamPump()
        pair.closeClient()
        self.stack[handle].received = [(SocketAddress(parsing: "192.0.2.1", port: 80)!, Array("unread".utf8))]
        #expect(pump.pump() == .ended(.clientGone))
    }

    // MARK: Datagrams

    @Test func datagramsTravelAsFramesBothWays() throws {
        let handle = try self.stack.socketOpen(.udp)
        let pair = try Pair(Int32(SOCK_SEQPACKET.rawValue))
        var refusals: [NSAPIError] = []
        let peer = SocketAddress(parsing: "198.51.100.9", port: 5353)!
        var connected: SocketAddress?
        let route = DatagramRoute(peer: { connected }, refused: { error, _ in refusals.append(error) })
        let pump = CopiedDatagramPump(stack: self.stack, handle: handle, local: pair.local, route: route)

        self.stack[handle].received = [(peer, Array("one".utf8)), (peer, [])]
        #expect(pump.pump() == .running)
        let first = try #require(pair.clientRead())
        #expect(try DatagramFrame.destination(first) == peer)
        #expect(Array(first.dropFirst(DatagramFrame.headerLength)) == Array("one".utf8))
        let empty = try #require(pair.clientRead())
        #expect(empty.count == DatagramFrame.headerLength, "an empty datagram is a header alone")

        #expect(pair.clientWrite(DatagramFrame.header(peer) + Array("two".utf8)) > 0)
        #expect(pump.pump() == .running)
        #expect(self.stack[handle].datagrams.count == 1)
        #expect(self.stack[handle].datagrams.first?.0 == peer)
        #expect(self.stack[handle].datagrams.first?.1 == Array("two".utf8))

        // All zeros means the connected peer; without one the frame is refused, not sent.
        #expect(pair.clientWrite([UInt8](repeating: 0, count: DatagramFrame.headerLength) + [1]) > 0)
        #expect(pump.pump() == .running)
        #expect(refusals == [.noAddress])
        connected = peer
        #expect(pair.clientWrite([UInt8](repeating: 0, count: DatagramFrame.headerLength) + [2]) > 0)
        #expect(pair.clientWrite([9, 9, 9]) > 0)  // Shorter than a header.
        #expect(pump.pump() == .running)
        #expect(self.stack[handle].datagrams.last?.1 == [2])
        #expect(refusals == [.noAddress, .parameter])

        // Connected, datagrams from elsewhere are dropped.
        self.stack[handle].received = [(SocketAddress(parsing: "203.0.113.1", port: 1)!, [7]), (peer, [8])]
        #expect(pump.pump() == .running)
        #expect(pair.clientRead().map { Array($0.dropFirst(DatagramFrame.headerLength)) } == [8])
        #expect(pair.clientRead() == [])

        shutdown(pair.remote, Int32(SHUT_WR))
        #expect(pump.pump() == .ended(.finished))
    }

    // MARK: Through the socket layer

    /// Attached, JSON I/O is PARAMETER; a client that closes its end with the stream
    /// unfinished leaves the peer a reset and the socket unconnected.
    @Test func theLayerRefusesJSONWhileAttachedAndAbortsWhenTheClientGoes() throws {
        let layer = SocketLayer(scheduler: ManualScheduler(), maxSocketsPerOwner: 4)
        let reactor = try Reactor()
        var ends: [SocketChannel.End] = []
        layer.channelEndHandler = { _, _, end in ends.append(end) }
        let id = try layer.open(owner: 1, protocol: .tcp, stack: self.stack, interface: "eth0")
        let handle = self.stack.lastHandle
        #expect(throws: NSAPIError.noConnection) {
            try layer.attach(owner: 1, id: id) { _ throws(NSAPIError) in throw .unsupported }
        }
        self.stack[handle].connectResults = [nil]
        let connected = Outcome<Void>()
        layer.connect(owner: 1, id: id, address: SocketAddress(parsing: "192.0.2.7", port: 7)!) { connected($0) }
        #expect(connected.success != nil)

        let waiting = Outcome<[UInt8]>()
        layer.receive(owner: 1, id: id, maxBytes: 10) { waiting($0) }
        #expect(waiting.isPending)
        let channel = try layer.attach(owner: 1, id: id) { _ throws(NSAPIError) in
            try SocketChannel(kind: .stream, reactor: reactor) { local in CopiedStreamPump(stack: self.stack, handle: handle, local: local) }
        }
        #expect(waiting.error == .parameter, "a receive waiting when the socket was attached ends")
        let send = Outcome<Int>()
        layer.send(owner: 1, id: id, data: [1], completion: { send($0) })
        #expect(send.error == .parameter)
        #expect(throws: NSAPIError.parameter) {
            try layer.attach(owner: 1, id: id) { _ throws(NSAPIError) in throw .unsupported }
        }

        let remote = try #require(channel.takeRemote())
        close(remote)
        self.stack[handle].received = [(SocketAddress(parsing: "192.0.2.7", port: 7)!, Array("never read".utf8))]
        channel.run()
        #expect(ends == [.clientGone])
        #expect(self.stack[handle].aborted)
        #expect(layer.socket(1, id)?.state == .open, "after the reset the socket is no longer connected")
        #expect(layer.socket(1, id)?.channel == nil)
    }
}
