import NSAPI
import NetSockWire

extension SocketLayer {
    /// `socket.attach`: the socket's payload moves over `channel` from now on. TCP must be
    /// connected; a socket attaches once. Calls still waiting on it end with `PARAMETER`,
    /// as every JSON send and receive on it does from now on.
    func attach(owner: Int, id: Int, makeChannel: (ManagedSocket) throws(NSAPIError) -> SocketChannel) throws(NSAPIError) -> SocketChannel {
        let socket = try self.openSocket(owner, id)
        guard socket.channel == nil else { throw .parameter }
        if socket.proto.isStream && socket.state != .connected { throw .noConnection }
        let channel = try makeChannel(socket)
        socket.channel = channel
        for call in socket.readers.removeAll() + socket.writers.removeAll() {
            call.isFinished = true
            call.timer?.cancel()
            call.timer = nil
            call.abort(.parameter)
        }
        // Weak all round: the channel keeps this closure, and must not keep itself.
        channel.onEnd = { [weak self, weak socket, weak channel] end in
            guard let self, let socket, let channel, socket.channel === channel else { return }
            socket.channel = nil
            if end == .clientGone && socket.proto.isStream && socket.state == .connected, let stack = socket.stack {
                // The client closed its end with the stream unfinished (data it would
                // never read, or a reset of its own): the peer gets a reset, as a TCP
                // endpoint that closed with data arriving would send.
                stack.socketAbort(socket.handle)
                socket.state = .open
                socket.peer = nil
            }
            self.channelEndHandler?(socket.owner, socket.id, end)
        }
        // Whatever the stack holds already moves next turn, once the reply (and the
        // descriptor with it) has been queued: a socket that fails at once is reported
        // after its attach, not before.
        channel.start()
        return channel
    }

    /// What a datagram channel needs of its socket: the peer filter, and where refusals go.
    func datagramRoute(_ socket: ManagedSocket) -> DatagramRoute {
        DatagramRoute(
            peer: { [weak socket] in socket?.peer },
            refused: { [weak self, weak socket] error, detail in
                guard let self, let socket else { return }
                self.channelRefusalHandler?(socket.owner, socket.id, error, detail)
            })
    }
}
