#if canImport(Glibc)
import Glibc
#endif
import NSAPI
import NetSockPOSIX

/// The payload of one socket moved over a descriptor its client holds
/// (`socket.attach`): one end of an `AF_UNIX` socketpair goes to the client, and the
/// daemon pumps between the other end and the stack's socket, with no JSON in between.
///
/// TCP gets `SOCK_STREAM`: the client's EOF is shutdown(write) on the socket, the peer's
/// FIN is EOF for the client. UDP gets `SOCK_SEQPACKET`, each message a
/// ``DatagramFrame``. How the bytes move is the ``ChannelPump``'s business: splice and
/// batched datagrams on kernel sockets, the stack's own calls on any other stack.
final class SocketChannel {
    /// How a channel ended.
    enum End: Equatable {
        /// Both directions finished in order (TCP), or the client closed its end (UDP).
        case finished
        /// The client closed its descriptor (or stopped reading for good) before the socket finished.
        case clientGone
        /// The socket failed: a reset, an unreachable peer.
        case failed(NSAPIError)
        /// The socket was closed (`socket.close`, or its client went).
        case socketClosed
    }

    /// What a pump reports after moving what it could.
    enum State: Equatable {
        case running
        /// The budget of one turn ran out with more to move: continue next turn.
        case more
        case ended(End)
    }

    let local: Int32
    /// The client's end until it has been handed over.
    private(set) var remote: Int32?
    let kind: Kind
    private let pump: any ChannelPump
    private unowned let reactor: Reactor
    private var continuationScheduled = false
    private(set) var isClosed = false
    /// Told once, when the channel ends by itself (not when the socket layer closes it).
    var onEnd: ((End) -> Void)?

    enum Kind: String {
        case stream
        case seqpacket
    }

    init(kind: Kind, reactor: Reactor, makePump: (Int32) throws(NSAPIError) -> any ChannelPump) throws(NSAPIError) {
        let pair: (local: Int32, remote: Int32)
        do {
            pair = try LocalIO.socketPair(type: kind == .stream ? Int32(SOCK_STREAM.rawValue) : Int32(SOCK_SEQPACKET.rawValue))
        } catch {
            throw .noMemory
        }
        self.kind = kind
        self.local = pair.local
        self.remote = pair.remote
        self.reactor = reactor
        do {
            self.pump = try makePump(pair.local)
        } catch {
            Glibc.close(pair.local)
            Glibc.close(pair.remote)
            throw error
        }
        do {
            try reactor.register(pair.local, interest: [.readable, .writable, .edgeTriggered]) { [weak self] events in
                self?.run(local: events)
            }
        } catch {
            Glibc.close(pair.local)
            Glibc.close(pair.remote)
            throw .noMemory
        }
    }

    deinit {
        if !self.isClosed {
            self.reactor.unregister(self.local)
            Glibc.close(self.local)
        }
        if let remote { Glibc.close(remote) }
    }

    /// The client's end, once: the caller passes it on and closes its copy.
    func takeRemote() -> Int32? {
        defer { self.remote = nil }
        return self.remote
    }

    /// The first run, in the next turn of the loop.
    func start() {
        self.reactor.deferToNextTick { [weak self] in self?.run() }
    }

    /// Moves what can move now; called on every event of either side (`local`: the
    /// local end's readiness when it was the one that changed; empty for the stack's).
    func run(local events: Reactor.Events = []) {
        guard !self.isClosed else { return }
        if events.isEmpty { self.pump.socketChanged() } else { self.pump.localChanged(events) }
        switch self.pump.pump() {
        case .running:
            break
        case .more:
            guard !self.continuationScheduled else { return }
            self.continuationScheduled = true
            self.reactor.deferToNextTick { [weak self] in
                self?.continuationScheduled = false
                self?.run()
            }
        case .ended(let end):
            self.close()
            self.onEnd?(end)
            self.onEnd = nil
        }
    }

    /// Closes the daemon's end (the client sees EOF or a reset); nothing more moves.
    func close() {
        guard !self.isClosed else { return }
        self.isClosed = true
        self.reactor.unregister(self.local)
        Glibc.close(self.local)
        if let remote {
            Glibc.close(remote)
            self.remote = nil
        }
    }
}

/// Moves a channel's payload between its local end and the stack's socket.
protocol ChannelPump: AnyObject {
    func pump() -> SocketChannel.State
    /// The stack reported a change on the socket (which direction, it does not say).
    func socketChanged()
    /// The local end became readable, writable or hung up.
    func localChanged(_ events: Reactor.Events)
}

extension ChannelPump {
    func socketChanged() {}
    func localChanged(_ events: Reactor.Events) {}
}

/// What each side of an edge-triggered channel may do without a failed attempt: set by
/// events, cleared when an attempt would block. Saves a wasted system call per wake-up.
struct Readiness {
    var socketReadable = true
    var socketWritable = true
    var localReadable = true
    var localWritable = true

    mutating func socketChanged() {
        self.socketReadable = true
        self.socketWritable = true
    }

    mutating func localChanged(_ events: Reactor.Events) {
        if events.contains(.readable) || events.contains(.hangup) { self.localReadable = true }
        if events.contains(.writable) || events.contains(.hangup) { self.localWritable = true }
    }
}
