public import NSAPI
public import NetSockJSON
public import NetSockRPC

/// The topics of API.md.
public enum EventTopic: String, Sendable, CaseIterable, APIEnumeration {
    case interface
    case cellular
    case wifi
    case mesh
    case daemon

    public var apiName: String { self.rawValue }
}

/// What the daemon announces, by Mbed's names where Mbed has them. Domain code
/// publishes these; they become JSON only when they leave for a subscriber (``data``).
public enum DaemonEvent: Sendable, Equatable {
    case started(pid: Int32, version: String)
    case stopping
    /// `needsRestart` names the settings that take effect only at the next start.
    case reloaded(interfaces: [String], needsRestart: [String])
    case reloadFailed(error: String)
    /// Mbed's `NSAPI_EVENT_CONNECTION_STATUS_CHANGE`.
    case statusChanged(interface: String, status: ConnectionStatus, previous: ConnectionStatus)
    case defaultChanged(interface: String)
    /// Another station answered for an `ip` interface's address (RFC 5227).
    case addressConflict(interface: String, address: String, mac: String)
    /// An interface's device moved, on the device's own topic: a cellular modem by Mbed's
    /// `cellular_connection_status_t` names (`device_ready`, `registration_status_changed`,
    /// ...), a Wi-Fi station (`associated`, `disconnected`, ...). The data carries `interface`.
    case device(topic: EventTopic, interface: String, name: String, data: JSONObject)
    /// Published by an admin through `events.publish`.
    case published(topic: EventTopic, name: String, data: JSONObject)

    public var topic: EventTopic {
        switch self {
        case .started, .stopping, .reloaded, .reloadFailed: .daemon
        case .statusChanged, .defaultChanged, .addressConflict: .interface
        case .device(let topic, _, _, _): topic
        case .published(let topic, _, _): topic
        }
    }

    public var name: String {
        switch self {
        case .started: "started"
        case .stopping: "stopping"
        case .reloaded: "reloaded"
        case .reloadFailed: "reload_failed"
        case .statusChanged: "status_changed"
        case .defaultChanged: "default_changed"
        case .addressConflict: "address_conflict"
        case .device(_, _, let name, _): name
        case .published(_, let name, _): name
        }
    }

    /// The event's details as subscribers receive them.
    public var data: JSONObject {
        switch self {
        case .started(let pid, let version): ["pid": .integer(Int64(pid)), "version": .string(version)]
        case .stopping: [:]
        case .reloaded(let interfaces, let needsRestart): ["interfaces": interfaces.json, "needs_restart": needsRestart.json]
        case .reloadFailed(let error): ["error": .string(error)]
        case .statusChanged(let interface, let status, let previous):
            ["interface": .string(interface), "status": status.json, "previous": previous.json]
        case .defaultChanged(let interface): ["interface": .string(interface)]
        case .addressConflict(let interface, let address, let mac):
            ["interface": .string(interface), "address": .string(address), "mac": .string(mac)]
        case .device(_, let interface, _, let data):
            JSONObject([("interface", JSONValue.string(interface))] + data.members.map { ($0.key, $0.value) })
        case .published(_, _, let data): data
        }
    }
}

/// One published event.
public struct Event: Sendable, Equatable {
    public var seq: Int64
    /// RFC 3339 UTC time of publication.
    public var time: String
    public var event: DaemonEvent

    public var topic: EventTopic { self.event.topic }
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
    public func publish(_ event: DaemonEvent) -> Event {
        self.latestSeq += 1
        let record = Event(seq: self.latestSeq, time: self.clock(), event: event)
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
