#if canImport(Glibc)
import Glibc
#endif
import NetSockJSON
import NetSockPOSIX
import NetSockRPC

/// Undoes one thing a subsystem did for a client, when the client goes; removable
/// once the thing is over, so hooks never pile up for the life of a connection.
public struct CloseHook: Hashable, Sendable {
    fileprivate let token: Int
}

/// How much reply a payload call (recv, recvfrom) may produce now.
enum ReplyRoom: Equatable {
    /// This many more encoded bytes fit under `control.max_output_bytes`.
    case bytes(Int)
    /// The output queue is full; room comes when the client reads. Wait.
    case later
    /// The bound is filled by replies held for this connection's own batches or HTTP
    /// pipeline, which waiting could deadlock on: fail with `NSAPI_ERROR_NO_MEMORY`.
    case refuse
}

/// The RPC-level state of one client connection: who it is, what it subscribed
/// to, which requests are still waiting, and what must be undone when it goes.
///
/// Lives on the reactor thread, like everything in the control plane.
public final class Session: RPCCaller {
    public let id: Int
    public let credentials: PeerCredentials
    public let isAdmin: Bool
    weak var connection: ControlConnection?
    unowned let daemon: Daemon

    private(set) var subscriptions: [Int64: Subscription] = [:]
    /// Requests whose reply has not gone yet, by token; each removes itself when it ends.
    private var pending: [Int: Responder] = [:]
    /// Descriptors to pass with the reply to a message, by the message's token.
    private var outgoingDescriptors: [Int: [Int32]] = [:]
    /// The message being dispatched now, whose reply a handler may attach descriptors to.
    private var currentMessage: Int?
    /// Undo actions registered by subsystems, by token (registration order).
    private var closeHooks: [Int: () -> Void] = [:]
    private var nextToken = 1
    private(set) var isClosed = false
    /// The caller's login name once looked up (`daemon.whoami`); the name itself may be
    /// nil (a uid with no account), which is worth remembering too.
    var userName: String??

    init(id: Int, credentials: PeerCredentials, isAdmin: Bool, daemon: Daemon) {
        self.id = id
        self.credentials = credentials
        self.isAdmin = isAdmin
        self.daemon = daemon
    }

    public func permits(_ role: MethodRole) -> Bool {
        switch role {
        case .user: true
        case .admin: self.isAdmin
        }
    }

    public var roles: [MethodRole] { self.isAdmin ? [.user, .admin] : [.user] }

    private func makeToken() -> Int {
        defer { self.nextToken += 1 }
        return self.nextToken
    }

    // MARK: Requests

    func track(_ responder: Responder) {
        let token = self.makeToken()
        self.pending[token] = responder
        responder.onFinish = { [weak self] in self?.pending.removeValue(forKey: token) }
    }

    var hasPendingRequests: Bool { !self.pending.isEmpty }
    var pendingCount: Int { self.pending.count }

    /// Answers every waiting request with `error` (graceful shutdown).
    func failPending(_ error: RPCError) {
        let waiting = self.pending.sorted { $0.key < $1.key }.map(\.value)
        self.pending.removeAll()
        for responder in waiting { responder.fail(error) }
    }

    /// Past `control.max_pending_requests` waiting requests, or with the output bound
    /// filled by held replies, a new request is refused with -32004 instead of queued.
    public func admissionError() -> RPCError? {
        let limits = self.daemon.configuration.control
        if self.pending.count >= limits.maxPendingRequests {
            return .limitExceeded(
                "\(limits.maxPendingRequests) requests of this connection are waiting already (control.max_pending_requests)")
        }
        if let connection, connection.committedBytes >= limits.maxOutputBytes {
            return .limitExceeded("replies waiting for this connection fill control.max_output_bytes; read them first")
        }
        return nil
    }

    public func heldReplyBytesChanged(by bytes: Int) { self.connection?.heldBytes += bytes }

    public var discardsReplies: Bool { self.connection?.peerGone ?? true }

    /// Room for a payload reply now (a closed connection has none, for good).
    func replyRoom() -> ReplyRoom { self.connection?.replyRoom() ?? .refuse }

    /// Registers an undo action for when the client goes; remove it when its work ends.
    @discardableResult
    public func onClose(_ hook: @escaping () -> Void) -> CloseHook {
        let token = self.makeToken()
        self.closeHooks[token] = hook
        return CloseHook(token: token)
    }

    public func removeCloseHook(_ hook: CloseHook) { self.closeHooks.removeValue(forKey: hook.token) }

    var closeHookCount: Int { self.closeHooks.count }

    // MARK: Descriptors

    /// Whether descriptors can reach the client (a stream-mode connection that is still there).
    var canReceiveDescriptors: Bool { self.connection?.isStreamMode ?? false }

    /// A message is being dispatched; descriptors handlers pass go with its reply.
    func beginMessage() -> Int {
        let token = self.makeToken()
        self.currentMessage = token
        return token
    }

    func endMessage() { self.currentMessage = nil }

    /// Sends `fd` to the client with the reply of the message being dispatched, and
    /// closes the daemon's copy once it has gone (or when it never can).
    func passWithReply(_ fd: Int32) {
        guard let message = self.currentMessage, !self.isClosed else {
            Glibc.close(fd)
            return
        }
        self.outgoingDescriptors[message, default: []].append(fd)
    }

    /// The descriptors for a message's reply, taken out.
    func takeDescriptors(_ message: Int) -> [Int32] { self.outgoingDescriptors.removeValue(forKey: message) ?? [] }

    // MARK: Notifications

    /// Whether a notification can be queued now without exceeding the output bound.
    var hasRoomForNotifications: Bool { self.connection?.acceptsNotifications ?? false }

    /// Queues a server notification; `false` when it was dropped (no room, HTTP mode, closed).
    @discardableResult
    func notify<Notification: DaemonNotification>(_ notification: Notification) -> Bool {
        guard let connection, connection.acceptsNotifications else { return false }
        connection.sendMessage(Self.message(notification))
        return true
    }

    /// Queues a notification even past the output bound (tiny, rare control messages).
    func notifyUnconditionally<Notification: DaemonNotification>(_ notification: Notification) {
        guard let connection, connection.isStreamMode else { return }
        connection.sendMessage(Self.message(notification))
    }

    private static func message<Notification: DaemonNotification>(_ notification: Notification) -> JSONValue {
        RPCNotification(method: Notification.method, params: notification.json.objectValue ?? [:]).json
    }

    // MARK: Subscriptions

    func addSubscription(_ subscription: Subscription) {
        self.subscriptions[subscription.id] = subscription
        self.daemon.events.attach(subscription)
    }

    @discardableResult
    func removeSubscription(_ id: Int64) -> Bool {
        guard let subscription = self.subscriptions.removeValue(forKey: id) else { return false }
        self.daemon.events.detach(subscription)
        return true
    }

    /// The connection has room again: report what was dropped meanwhile.
    func outputDrained() {
        for subscription in self.subscriptions.values { subscription.reportLoss() }
    }

    /// The client has gone: undo everything it owned. Replies are no longer possible.
    func close() {
        guard !self.isClosed else { return }
        self.isClosed = true
        for fds in self.outgoingDescriptors.values { for fd in fds { Glibc.close(fd) } }
        self.outgoingDescriptors.removeAll()
        for id in Array(self.subscriptions.keys) { self.removeSubscription(id) }
        let waiting = self.pending.values
        self.pending.removeAll()
        for responder in waiting { responder.abandon() }
        let hooks = self.closeHooks.sorted { $0.key < $1.key }.map(\.value)
        self.closeHooks.removeAll()
        for hook in hooks { hook() }
    }
}

/// One `events.subscribe`: a topic filter delivering `events.notify` to a session,
/// and reporting what it had to drop as one `events.lost` range.
final class Subscription: EventSink {
    let id: Int64
    let topics: Set<EventTopic>
    unowned let session: Session
    /// Events dropped since the last delivery, as an inclusive seq range.
    private var lost: (from: Int64, to: Int64)?

    init(id: Int64, topics: Set<EventTopic>, session: Session) {
        self.id = id
        self.topics = topics
        self.session = session
    }

    func matches(_ event: Event) -> Bool { self.topics.contains(event.topic) }

    func deliver(_ event: Event) {
        guard self.matches(event) else { return }
        guard self.session.hasRoomForNotifications else {
            self.lost = (self.lost?.from ?? event.seq, event.seq)
            return
        }
        self.reportLoss()
        self.session.notify(EventNotification(subscription: self.id, record: EventRecord(event)))
    }

    /// Sends the pending `events.lost` notice, if any, when there is room.
    func reportLoss() {
        guard let lost = self.lost, self.session.hasRoomForNotifications else { return }
        self.lost = nil
        self.session.notifyUnconditionally(EventsLostNotification(subscription: self.id, fromSeq: lost.from, toSeq: lost.to))
    }
}
