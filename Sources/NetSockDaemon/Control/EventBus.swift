public import NetSockJSON
import NetSockRPC

/// One published event.
public struct Event: Sendable, Equatable {
    public var seq: Int64
    /// RFC 3339 UTC time of publication.
    public var time: String
    public var topic: String
    public var event: String
    public var data: JSONObject
}

/// Daemon-wide event numbering, bounded history and fan-out to subscriptions.
///
/// Every event gets the next `seq`; the last `historyLimit` are kept so a client can
/// list state, then subscribe with `since` and miss nothing in between. Delivery
/// itself belongs to the subscriber (``EventSink``), which may drop under pressure
/// and must then report the gap as `events.lost`.
public final class EventBus {
    public private(set) var latestSeq: Int64 = 0
    private var history: [Event] = []
    private var historyStart = 0
    public var historyLimit: Int {
        didSet { self.trimHistory() }
    }
    private var sinks: [ObjectIdentifier: any EventSink] = [:]
    private let clock: () -> String

    public init(historyLimit: Int, clock: @escaping () -> String) {
        self.historyLimit = max(1, historyLimit)
        self.clock = clock
    }

    /// The oldest seq the history still holds (`latestSeq + 1` when empty).
    public var oldestHeldSeq: Int64 {
        self.historyStart < self.history.count ? self.history[self.historyStart].seq : self.latestSeq + 1
    }

    @discardableResult
    public func publish(topic: String, event: String, data: JSONObject = JSONObject()) -> Event {
        self.latestSeq += 1
        let record = Event(seq: self.latestSeq, time: self.clock(), topic: topic, event: event, data: data)
        self.history.append(record)
        self.trimHistory()
        for sink in self.sinks.values { sink.deliver(record) }
        return record
    }

    private func trimHistory() {
        let held = self.history.count - self.historyStart
        if held > self.historyLimit { self.historyStart += held - self.historyLimit }
        if self.historyStart > 1024 && self.historyStart * 2 > self.history.count {
            self.history.removeFirst(self.historyStart)
            self.historyStart = 0
        }
    }

    /// The held events after `since`, or `nil` when some of them are no longer held.
    public func replay(after since: Int64) -> [Event]? {
        if since >= self.latestSeq { return [] }
        guard since + 1 >= self.oldestHeldSeq else { return nil }
        return self.history[self.historyStart...].filter { $0.seq > since }
    }

    public func attach(_ sink: any EventSink) { self.sinks[ObjectIdentifier(sink)] = sink }
    public func detach(_ sink: any EventSink) { self.sinks.removeValue(forKey: ObjectIdentifier(sink)) }
}

/// Something that receives every published event (a subscription, a waiter).
public protocol EventSink: AnyObject {
    func deliver(_ event: Event)
}
