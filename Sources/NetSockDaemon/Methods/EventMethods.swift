import NSAPI
import NetSockJSON
import NetSockPOSIX
import NetSockRPC

/// `events.*`: subscriptions with seq numbers, replay, waiting and publishing.
enum EventMethods {
    /// The topics of API.md.
    static let topics = ["interface", "cellular", "wifi", "mesh", "daemon"]
    static let topicsSchema = Schema.array(.string(oneOf: topics), maxItems: 16)

    static func register(into table: inout MethodTable<Session>, _ daemon: @escaping DaemonAccess) {
        table.register(
            MethodSpec(
                "events.subscribe", summary: "Starts events.notify for the topics; replays held events after since.",
                description: """
                    The reply carries the current seq, so a client can read state, subscribe, and miss nothing. \
                    With since, the held events after it are sent first; -32002 when the bounded history no longer \
                    holds them. A client too slow to read gets one events.lost {from_seq, to_seq} instead of silent loss.
                    """,
                params: [
                    Field("topics", topicsSchema, "Topics to receive."),
                    .optional("since", .integer(minimum: 0), "Replay the held events with a greater seq."),
                ],
                result: .object([Field("subscription", .integer, "Subscription id."), Field("seq", .integer, "The latest seq now.")]),
                tags: ["events"])
        ) { call throws(RPCError) in
            let running = try daemon()
            let topics = Set(call.params.stringArray("topics") ?? [])
            guard !topics.isEmpty else { throw .invalidParams(param: "topics", "topics must name at least one topic") }
            let current = running.events.latestSeq
            let since = call.params.optionalInt("since")
            if let since, running.events.replay(after: since) == nil {
                throw .replayUnavailable(since: since, oldest: running.events.oldestHeldSeq)
            }
            let session = call.context
            let subscription = Subscription(id: running.makeSubscriptionID(), topics: topics, session: session)
            // Attach after the reply has gone out, replaying from `since` (or from now) so nothing falls between.
            running.reactor.deferToNextTick { [unowned session] in
                guard !session.isClosed else { return }
                for event in running.events.replay(after: since ?? current) ?? [] { subscription.deliver(event) }
                session.addSubscription(subscription)
            }
            return .result(["subscription": .integer(subscription.id), "seq": .integer(current)])
        }

        table.register(
            MethodSpec(
                "events.unsubscribe", summary: "Ends a subscription of this connection.",
                params: [Field("subscription", .integer(minimum: 1), "Id from events.subscribe.")], tags: ["events"])
        ) { call throws(RPCError) in
            let id = call.params.int("subscription")
            if call.context.removeSubscription(id) { return .result(.object([:])) }
            // The attach may still be queued behind this request.
            throw .invalidParams(param: "subscription", "no subscription \(id) on this connection")
        }

        table.register(
            MethodSpec(
                "events.wait", summary: "Waits for the next event of the topics after since (a blocking call).",
                description: "Answers with the first matching event whose seq is greater than since (default: now); NSAPI_ERROR_WOULD_BLOCK when timeout_ms passes first.",
                params: [
                    Field("topics", topicsSchema, "Topics to wait for."),
                    .optional("since", .integer(minimum: 0), "Only events with a greater seq count."),
                    .optional("timeout_ms", .integer(minimum: -1, maximum: 86_400_000), "-1 or absent: wait forever."),
                ],
                result: .object(
                    [
                        Field("seq", .integer, ""), Field("time", .string, ""), Field("topic", .string, ""),
                        Field("event", .string, ""), Field("data", .object([], open: true), ""),
                    ]),
                errors: [.wouldBlock], tags: ["events"])
        ) { call throws(RPCError) in
            let running = try daemon()
            let topics = Set(call.params.stringArray("topics") ?? [])
            let since = call.params.optionalInt("since") ?? running.events.latestSeq
            if let held = running.events.replay(after: since), let event = held.first(where: { topics.contains($0.topic) }) {
                return .result(EventWaiter.json(event))
            }
            let waiter = EventWaiter(topics: topics, responder: call.responder, bus: running.events)
            running.events.attach(waiter)
            let timeout = call.params.optionalInt("timeout_ms") ?? -1
            let timer = timeout >= 0 ? running.reactor.scheduleTimer(afterMilliseconds: Int(timeout)) { waiter.expire() } : nil
            let session = call.context
            let hook = session.onClose { waiter.cancel() }
            // However it ends, nothing of the wait is left behind: no timer, no close hook.
            waiter.onFinish = { [weak session] in
                timer?.cancel()
                session?.removeCloseHook(hook)
            }
            return .deferred
        }

        table.register(
            MethodSpec(
                "events.publish", summary: "Publishes an event, for testing clients and scripted notices.",
                params: [
                    Field("topic", .string(oneOf: topics), "Topic of the event."),
                    Field("event", .string(maxLength: 64), "Event name."),
                    .optional("data", .object([], open: true), "Event data."),
                ],
                result: .object([Field("seq", .integer, "Seq given to the event.")]), role: .admin, tags: ["events"])
        ) { call throws(RPCError) in
            let event = try daemon().events.publish(
                topic: call.params.string("topic"), event: call.params.string("event"),
                data: call.params["data"]?.objectValue ?? JSONObject())
            return .result(["seq": .integer(event.seq)])
        }
    }
}

/// A pending `events.wait`: answers on the first matching event, or WOULD_BLOCK on timeout.
final class EventWaiter: EventSink {
    let topics: Set<String>
    let responder: Responder
    unowned let bus: EventBus
    var onFinish: (() -> Void)?

    init(topics: Set<String>, responder: Responder, bus: EventBus) {
        self.topics = topics
        self.responder = responder
        self.bus = bus
    }

    static func json(_ event: Event) -> JSONValue {
        [
            "seq": .integer(event.seq), "time": .string(event.time), "topic": .string(event.topic),
            "event": .string(event.event), "data": .object(event.data),
        ]
    }

    func deliver(_ event: Event) {
        guard self.topics.contains(event.topic), !self.responder.isComplete else { return }
        self.finish()
        self.responder.succeed(Self.json(event))
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
