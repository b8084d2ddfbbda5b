#if canImport(Glibc)
import Glibc
#endif
import NetSockClient
import NetSockJSON
import NetSockPOSIX
import NetSockRPC

/// Moves bytes between standard input/output and a TCP socket of the daemon, as
/// netcat does, over one control connection: stdin is read in large chunks and
/// sent with several `socket.send` requests in flight (the daemon keeps them in
/// order), and several `socket.recv` requests wait at once; replies are written
/// to stdout in request order. End of stdin half-closes the socket; the peer's
/// close (a receive of size 0) ends the pump.
final class SocketPump {
    private let client: RPCClient
    private let socket: Int
    private let chunk: Int
    private let sendWindow = 4
    private let receiveWindow = 2
    private var inputOpen: Bool
    private var pendingSends: Set<Int64> = []
    private var pendingReceives: [Int64] = []
    private var received: [Int64: [UInt8]] = [:]
    private var peerClosed = false
    private var shutdownSent = false
    private(set) var bytesIn = 0
    private(set) var bytesOut = 0

    init(client: RPCClient, socket: Int, chunk: Int = 192 * 1024, readInput: Bool = true) {
        self.client = client
        self.socket = socket
        self.chunk = chunk
        self.inputOpen = readInput
    }

    func run() throws(ClientError) {
        var buffer = [UInt8](repeating: 0, count: self.chunk)
        while true {
            while !self.peerClosed && self.pendingReceives.count < self.receiveWindow {
                self.pendingReceives.append(try self.request(API.SocketRecv(socket: self.socket, size: self.chunk)))
            }
            if !self.inputOpen && self.pendingSends.isEmpty && !self.shutdownSent {
                self.shutdownSent = true
                _ = try self.request(API.SocketShutdown(socket: self.socket, how: .write))
            }
            if self.peerClosed && self.pendingSends.isEmpty { return }

            let watchInput = self.inputOpen && self.pendingSends.count < self.sendWindow
            var descriptors = [pollfd(fd: self.client.fileDescriptor, events: Int16(POLLIN), revents: 0)]
            if watchInput { descriptors.append(pollfd(fd: 0, events: Int16(POLLIN), revents: 0)) }
            let timeout: Int32 = self.client.hasBufferedMessage ? 0 : -1
            if poll(&descriptors, nfds_t(descriptors.count), timeout) < 0 && errno != EINTR {
                throw ClientError.system("poll failed")
            }
            if watchInput && descriptors[1].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                if count > 0 {
                    self.bytesOut += count
                    self.pendingSends.insert(try self.request(API.SocketSend(socket: self.socket, data: ByteEncoding.base64(buffer[0..<count]))))
                } else if count == 0 || errno != EINTR {
                    self.inputOpen = false
                }
            }
            if descriptors[0].revents != 0 || self.client.hasBufferedMessage {
                for message in try self.client.pollMessages(timeoutMilliseconds: 0) { try self.handle(message) }
            }
            try self.flushReceived()
        }
    }

    private var nextID: Int64 = 1_000_000

    private func request<Method: APIMethod>(_ method: Method) throws(ClientError) -> Int64 {
        self.nextID += 1
        try self.client.send(method.request(id: self.nextID).json)
        return self.nextID
    }

    private func handle(_ message: JSONValue) throws(ClientError) {
        guard let response = RPCResponse(json: message), let id = response.id.intValue else { return }
        switch response.outcome {
        case .failure(let error):
            // A shutdown after the peer already went away is not worth failing for.
            if self.peerClosed && error.code == -3004 { return }
            throw .rpc(error)
        case .success(let result):
            if self.pendingSends.remove(id) != nil { return }
            if self.pendingReceives.contains(id) {
                self.received[id] = ByteEncoding.decodeBase64(try API.SocketRecv.read(result).data) ?? []
            }
        }
    }

    /// Writes received data in request order; a size-0 receive is the peer's close.
    private func flushReceived() throws(ClientError) {
        while let first = self.pendingReceives.first, let bytes = self.received.removeValue(forKey: first) {
            self.pendingReceives.removeFirst()
            if bytes.isEmpty {
                self.peerClosed = true
                self.inputOpen = false
                continue
            }
            guard !self.peerClosed else { continue }
            self.bytesIn += bytes.count
            guard FileDescriptorIO.writeAll(1, bytes) else { throw .system("cannot write to stdout") }
        }
    }
}
