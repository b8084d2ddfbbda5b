import NSAPI
import NetSockJSON
import NetSockPOSIX
import NetSockRPC

/// `events.*`: subscriptions with seq numbers, replay, waiting and publishing.
enum EventMethods {
    static let all: [any DaemonMethod.Type] = [EventsSubscribe.self, EventsUnsubscribe.self, EventsWait.self, EventsPublish.self]

    static let topicsSchema = Schema.array(EventTopic.schema, maxItems: 16)
}

/// An event as events.wait answers and events.notify carries it.
struct EventRecord: APIObject {
    var seq: Int64
    var time: String
    var topic: EventTopic
    var name: String
    var data: JSONObject

    init(_ event: Event) {
        self.seq = event.seq
        self.time = event.time
        self.topic = event.topic
        self.name = event.event.name
        self.data = event.event.data
    }

    static let members: [APIMember<EventRecord>] = [
        APIMember("seq", \.seq, "Daemon-wide increasing sequence number."),
        APIMember("time", \.time, "RFC 3339 UTC time.", schema: .string(format: "date-time")),
        APIMember("topic", \.topic, ""), APIMember("event", \.name, "Event name, e.g. status_changed."),
        APIMember("data", \.data, "Event details."),
    ]
}

/// An event on a subscribed topic.
struct EventNotification: DaemonNotification {
    static let method = "events.notify"
    static let summary = "An event on a subscribed topic."
    var subscription: Int64
    var record: EventRecord

    static let members: [APIMember<EventNotification>] =
        [APIMember("subscription", \.subscription, "Id from events.subscribe.")]
        + EventRecord.members.map { $0.nested(in: \EventNotification.record) }
}

/// Events of a subscription were dropped because the client read too slowly.
struct EventsLostNotification: DaemonNotification {
    static let method = "events.lost"
    static let summary = "Events of a subscription were dropped because the client read too slowly."
    var subscription: Int64
    var fromSeq: Int64
    var toSeq: Int64

    static let members: [APIMember<EventsLostNotification>] = [
        APIMember("subscription", \.subscription, ""), APIMember("from_seq", \.fromSeq, "First dropped seq."),
        APIMember("to_seq", \.toSeq, "Last dropped seq."),
    ]
}

/// A new subscription and the seq it starts after.
struct Subscribed: APIObject {
    var subscription: Int64
    var seq: Int64

    static let members: [APIMember<Subscribed>] = [
        APIMember("subscription", \.subscription, "Subscription id."), APIMember("seq", \.seq, "The latest seq now."),
    ]
}

struct EventsSubscribe: DaemonMethod {
    typealias Result = Subscribed
    static let name = "events.subscribe"
    static let summary = "Starts events.notify for the topics; replays held events after since."
    static let description = """
        The reply carries the current seq, so a client can read state, subscribe, and miss nothing. \
        With since, the held events after it are sent first; -32002 when the bounded history no longer \
        holds them. A client too slow to read gets one events.lost {from_seq, to_seq} instead of silent loss.
        """
    static let tags = ["events"]

    @Param("topics", EventMethods.topicsSchema, "Topics to receive.") var topics: [EventTopic]
    @Param("since", .integer(minimum: 0), "Replay the held events with a greater seq.") var since: Int64?

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<Subscribed> {
        let topics = Set(call.params.topics)
        guard !topics.isEmpty else { throw .invalidParams(param: "topics", "topics must name at least one topic") }
        let current = daemon.events.latestSeq
        let since = call.params.since
        if let since, daemon.events.replay(after: since) == nil {
            throw .replayUnavailable(since: since, oldest: daemon.events.oldestHeldSeq)
        }
        let session = call.context
        let subscription = Subscription(id: daemon.makeSubscriptionID(), topics: topics, session: session)
        // Attach after the reply has gone out, replaying from `since` (or from now) so nothing falls between.
        daemon.reactor.deferToNextTick { [unowned session] in
            guard !session.isClosed else { return }
            for event in daemon.events.replay(after: since ?? current) ?? [] { subscription.deliver(event) }
            session.addSubscription(subscription)
        }
        return .result(Subscribed(subscription: subscription.id, seq: current))
    }
}

struct EventsUnsubscribe: DaemonMethod {
    typealias Result = NoResult
    static let name = "events.unsubscribe"
    static let summary = "Ends a subscription of this connection."
    static let tags = ["events"]

    @Param("subscription", .integer(minimum: 1), "Id from events.subscribe.") var subscription: Int64

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        let id = call.params.subscription
        if call.context.removeSubscription(id) { return .result(NoResult()) }
        // The attach may still be queued behind this request.
        throw .invalidParams(param: "subscription", "no subscription \(id) on this connection")
    }
}

struct EventsWait: DaemonMethod {
    typealias Result = EventRecord
    static let name = "events.wait"
    static let summary = "Waits for the next event of the topics after since (a blocking call)."
    static let description = "Answers with the first matching event whose seq is greater than since (default: now); NSAPI_ERROR_WOULD_BLOCK when timeout_ms passes first."
    static let errors: [NSAPIError] = [.wouldBlock]
    static let tags = ["events"]

    @Param("topics", EventMethods.topicsSchema, "Topics to wait for.") var topics: [EventTopic]
    @Param("since", .integer(minimum: 0), "Only events with a greater seq count.") var since: Int64?
    @Param("timeout_ms", .integer(minimum: -1, maximum: 86_400_000), "-1 or absent: wait forever.") var timeout = -1

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<EventRecord> {
        let topics = Set(call.params.topics)
        let since = call.params.since ?? daemon.events.latestSeq
        if let held = daemon.events.replay(after: since), let event = held.first(where: { topics.contains($0.topic) }) {
            return .result(EventRecord(event))
        }
        let waiter = EventWaiter(topics: topics, responder: call.responder, bus: daemon.events)
        daemon.events.attach(waiter)
        let timeout = call.params.timeout
        let timer = timeout >= 0 ? daemon.reactor.scheduleTimer(afterMilliseconds: timeout) { waiter.expire() } : nil
        let session = call.context
        let hook = session.onClose { waiter.cancel() }
        // However it ends, nothing of the wait is left behind: no timer, no close hook.
        waiter.onFinish = { [weak session] in
            timer?.cancel()
            session?.removeCloseHook(hook)
        }
        return .deferred
    }
}

/// The seq an event was given.
struct Published: APIObject {
    var seq: Int64
    static let members: [APIMember<Published>] = [APIMember("seq", \.seq, "Seq given to the event.")]
}

struct EventsPublish: DaemonMethod {
    typealias Result = Published
    static let name = "events.publish"
    static let summary = "Publishes an event, for testing clients and scripted notices."
    static let role = MethodRole.admin
    static let tags = ["events"]

    @Param("topic", "Topic of the event.") var topic: EventTopic
    @Param("event", .string(maxLength: 64), "Event name.") var event: String
    @Param("data", "Event data.") var data = JSONObject()

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<Published> {
        let params = call.params
        return .result(Published(seq: daemon.events.publish(.published(topic: params.topic, name: params.event, data: params.data)).seq))
    }
}

/// A pending `events.wait`: answers on the first matching event, or WOULD_BLOCK on timeout.
final class EventWaiter: EventSink {
    let topics: Set<EventTopic>
    let responder: TypedResponder<EventRecord>
    unowned let bus: EventBus
    var onFinish: (() -> Void)?

    init(topics: Set<EventTopic>, responder: TypedResponder<EventRecord>, bus: EventBus) {
        self.topics = topics
        self.responder = responder
        self.bus = bus
    }

    func deliver(_ event: Event) {
        guard self.topics.contains(event.topic), !self.responder.isComplete else { return }
        self.finish()
        self.responder.succeed(EventRecord(event))
    }

    func expire() {
        guard !self.responder.isComplete else { return }
        self.finish()
        self.responder.fail(.wouldBlock, "no matching event before the timeout")
    }

    func cancel() {
        self.finish()
        self.responder.abandon()
    }

    private func finish() {
        self.bus.detach(self)
        self.onFinish?()
        self.onFinish = nil
    }
}
