import NSAPI
import NetSockStack

/// One socket of the `modem` stack: what the client sees (its buffers, its state) and
/// which socket of the modem's own IP stack carries it.
final class ModemSocket {
    enum State: Equatable {
        /// Nothing asked of the modem yet (UDP until the first send; TCP until connect).
        case idle
        /// The modem is opening (and for TCP connecting) it.
        case opening
        case open
        /// The connect failed or the connection broke; told to the client once as this error.
        case failed(NSAPIError)
    }

    let proto: SocketProtocol
    var state = State.idle
    /// The modem's number for it, once it has one.
    var modemID: Int?
    var localPort: UInt16?
    var remote: SocketAddress?
    /// TCP bytes the client sent that the modem has not taken yet.
    var transmit = ByteQueue()
    /// TCP bytes the modem gave that the client has not read yet.
    var receive = ByteQueue()
    /// Datagrams (UDP, NIDD) waiting to go and waiting to be read, each bounded in count.
    var outgoing: [(SocketAddress?, [UInt8])] = []
    var incoming: [(SocketAddress, [UInt8])] = []
    /// The peer closed (TCP): once the modem has nothing left, `recv` gives the end.
    var peerClosed = false
    var endOfStream = false
    /// The modem said (or may have) data for it that we have not read.
    var modemHasData = false
    /// The client ended its sending (shutdown write); the modem has no half-close, so the
    /// socket closes once its bytes are out and the peer has been quiet a while.
    var writeShut = false
    /// When the modem last gave data for it (for the close after a write shutdown).
    var lastData = Instant.zero
    /// A send found no room: the next space freed is news for the writer (only then, so
    /// a socket's sigio is not spent on sends nobody waits for).
    var writerBlocked = false
    /// Data came in a chain of reads that is still going: the reader hears once, at its end.
    var unannounced = false
    var sendQueued = false
    var receiveQueued = false

    init(proto: SocketProtocol) { self.proto = proto }

    var isDatagram: Bool { self.proto != .tcp }
}
