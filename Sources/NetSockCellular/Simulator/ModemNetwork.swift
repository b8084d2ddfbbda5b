/// The operator's network behind a simulated modem's sockets: `netsock-modem-sim`
/// backs it with the host's kernel sockets; tests back it with memory.
public protocol ModemNetwork: AnyObject {
    /// A new socket, or nil when the network has none to give.
    func open(tcp: Bool, localPort: Int?) -> Int?
    /// Connects a TCP socket; false when refused or unreachable.
    func connect(_ socket: Int, host: String, port: Int) -> Bool
    /// Sends what the network takes now (TCP) or one datagram; the count taken, -1 on a broken socket.
    func send(_ socket: Int, _ bytes: [UInt8], to remote: (host: String, port: Int)?) -> Int
    func close(_ socket: Int)
}
