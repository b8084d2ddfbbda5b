import NSAPI
import NetSockTLS

/// TLS sockets: a `TLSStack` over each stack that has one, and the TLS settings of a
/// socket (trust anchors, client certificate, host name), reached by socket id.
extension SocketLayer {
    /// The TLS layer over `stack`, made on first use. The stack's events come here
    /// from then on, so ciphertext moves even before any plain socket exists on it.
    public func tlsStack(over stack: any NetworkStack) -> any NetworkStack {
        let id = ObjectIdentifier(stack)
        if let tls = self.tlsStacks[id] { return tls }
        let tls = TLSStack(over: stack)
        self.tlsStacks[id] = tls
        self.listen(to: stack)
        return tls
    }

    /// The TLS layer and handle of an open TLS socket; another protocol is UNSUPPORTED.
    func tls(owner: Int, id: Int) throws(NSAPIError) -> (TLSStack, SocketHandle) {
        let socket = try self.openSocket(owner, id)
        guard socket.proto == .tls, let tls = socket.stack as? TLSStack else { throw .unsupported }
        return (tls, socket.handle)
    }

    /// Why the socket's last handshake failed, if it did.
    func tlsFailure(owner: Int, id: Int) -> TLSFailure? {
        guard let (tls, handle) = try? self.tls(owner: owner, id: id) else { return nil }
        return tls.failure(handle)
    }
}
