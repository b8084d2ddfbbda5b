#if canImport(Glibc)
import Glibc
#endif
import NSAPI
import NetSockPOSIX

/// How much one pump call may move in each direction before it yields the loop to
/// other clients (it continues in the next turn).
let streamBytesPerTurn = 8 << 20

/// TCP on a kernel socket: splice(2) through a pipe each way, so the payload never
/// enters the daemon's memory. The socket and the local end are both watched
/// edge-triggered, so every call moves until something would block.
final class SplicedStreamPump: ChannelPump {
    private let socket: Int32
    private let local: Int32
    private let up: SplicePipe
    private let down: SplicePipe
    private var peerEnded = false
    private var clientEnded = false
    private var localWriteShut = false
    private var socketWriteShut = false
    private var ready = Readiness()

    func socketChanged() { self.ready.socketChanged() }
    func localChanged(_ events: Reactor.Events) { self.ready.localChanged(events) }

    init(socket: Int32, local: Int32) throws(NSAPIError) {
        do {
            self.up = try SplicePipe()
            self.down = try SplicePipe()
        } catch {
            throw .noMemory
        }
        self.socket = socket
        self.local = local
    }

    func pump() -> SocketChannel.State {
        var budget = streamBytesPerTurn
        // The socket towards the client.
        upward: while budget > 0 {
            if self.up.buffered > 0 {
                guard self.ready.localWritable else { break upward }
                switch self.up.drain(into: self.local) {
                case .moved(let count):
                    budget -= count
                    continue
                case .wouldBlock:
                    self.ready.localWritable = false
                    break upward
                case .endOfInput, .failed: return .ended(.clientGone)
                }
            }
            if self.peerEnded || !self.ready.socketReadable { break }
            switch self.up.fill(from: self.socket) {
            case .moved: continue
            case .endOfInput: self.peerEnded = true
            case .wouldBlock:
                self.ready.socketReadable = false
                break upward
            case .failed(let code): return .ended(.failed(KernelErrno.nsapiError(code)))
            }
        }
        if self.peerEnded && self.up.buffered == 0 && !self.localWriteShut {
            self.localWriteShut = true
            shutdown(self.local, Int32(SHUT_WR))
        }
        // The client towards the socket.
        downward: while budget > 0 {
            if self.down.buffered > 0 {
                guard self.ready.socketWritable else { break downward }
                switch self.down.drain(into: self.socket) {
                case .moved(let count):
                    budget -= count
                    continue
                case .wouldBlock, .endOfInput:
                    self.ready.socketWritable = false
                    break downward
                case .failed(let code): return .ended(.failed(KernelErrno.nsapiError(code)))
                }
            }
            if self.clientEnded || !self.ready.localReadable { break }
            switch self.down.fill(from: self.local) {
            case .moved: continue
            case .endOfInput: self.clientEnded = true
            case .wouldBlock:
                self.ready.localReadable = false
                break downward
            case .failed: return .ended(.clientGone)
            }
        }
        if self.clientEnded && self.down.buffered == 0 && !self.socketWriteShut {
            self.socketWriteShut = true
            shutdown(self.socket, Int32(SHUT_WR))
        }
        if self.peerEnded && self.clientEnded && self.up.buffered == 0 && self.down.buffered == 0 { return .ended(.finished) }
        return budget <= 0 ? .more : .running
    }
}

/// TCP on any stack, through the stack's own nonblocking calls (Mbed's
/// `socket_recv`/`socket_send`): one buffer each way.
final class CopiedStreamPump: ChannelPump {
    private let stack: any NetworkStack
    private let handle: SocketHandle
    private let local: Int32
    private var upPending: [UInt8] = []
    private var upStart = 0
    private var down = [UInt8](repeating: 0, count: 256 << 10)
    private var downRange = 0..<0
    private var peerEnded = false
    private var clientEnded = false
    private var localWriteShut = false
    private var socketWriteShut = false

    init(stack: any NetworkStack, handle: SocketHandle, local: Int32) {
        self.stack = stack
        self.handle = handle
        self.local = local
    }

    func pump() -> SocketChannel.State {
        var budget = streamBytesPerTurn
        upward: while budget > 0 {
            if self.upStart < self.upPending.count {
                let result = self.upPending.withUnsafeBytes { LocalIO.write(self.local, UnsafeRawBufferPointer(rebasing: $0[self.upStart...])) }
                switch result {
                case .moved(let count):
                    self.upStart += count
                    budget -= count
                    continue
                case .wouldBlock: break upward
                case .endOfInput, .failed: return .ended(.clientGone)
                }
            }
            if self.peerEnded { break }
            do throws(NSAPIError) {
                let bytes = try self.stack.socketReceive(self.handle, maxBytes: 256 << 10)
                if bytes.isEmpty {
                    self.peerEnded = true
                } else {
                    self.upPending = bytes
                    self.upStart = 0
                }
            } catch .wouldBlock {
                break upward
            } catch {
                return .ended(.failed(error))
            }
        }
        if self.peerEnded && self.upStart >= self.upPending.count && !self.localWriteShut {
            self.localWriteShut = true
            shutdown(self.local, Int32(SHUT_WR))
        }
        downward: while budget > 0 {
            if !self.downRange.isEmpty {
                do throws(NSAPIError) {
                    let sent = try self.stack.socketSend(self.handle, self.down[self.downRange])
                    self.downRange = (self.downRange.lowerBound + sent)..<self.downRange.upperBound
                    budget -= sent
                    if sent == 0 { break downward }
                    continue
                } catch .wouldBlock {
                    break downward
                } catch {
                    return .ended(.failed(error))
                }
            }
            if self.clientEnded { break }
            switch self.down.withUnsafeMutableBytes({ LocalIO.read(self.local, into: $0) }) {
            case .moved(let count): self.downRange = 0..<count
            case .endOfInput: self.clientEnded = true
            case .wouldBlock: break downward
            case .failed: return .ended(.clientGone)
            }
        }
        if self.clientEnded && self.downRange.isEmpty && !self.socketWriteShut {
            self.socketWriteShut = true
            try? self.stack.socketShutdown(self.handle, .write)
        }
        let drained = self.upStart >= self.upPending.count && self.downRange.isEmpty
        if self.peerEnded && self.clientEnded && drained { return .ended(.finished) }
        return budget <= 0 ? .more : .running
    }
}
