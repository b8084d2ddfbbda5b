import NSAPI
import NetSockWire

extension SocketLayer {
    /// `socket.attach`: the socket's payload moves over `channel` from now on. TCP must be
    /// connected; a socket attaches once. Calls still waiting on it end with `PARAMETER`,
    /// as every JSON send and receive on it does from now on.
    func attach(owner: Int, id: Int, makeChannel: (ManagedSocket) throws(NSAPIError) -> SocketChannel) throws(NSAPIError) -> SocketChannel {
        let socket = try self.openSocket(owner, id)
        guard socket.channel == nil else { throw .parameter }
        if socket.proto == .tcp && socket.state != .connected { throw .noConnection }
        let channel = try makeChannel(socket)
        socket.channel = channel
        for call in socket.readers.removeAll() + socket.writers.removeAll() {
            call.isFinished = true
            call.timer?.cancel()
            call.timer = nil
            call.abort(.parameter)
        }
        channel.onEnd = { [weak self, weak socket] end in
            guard let self, let socket, socket.channel === channel else { return }
            socket.channel = nil
            self.channelEndHandler?(socket.owner, socket.id, end)
        }
        // Whatever the stack holds already moves at once.
        channel.run()
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
