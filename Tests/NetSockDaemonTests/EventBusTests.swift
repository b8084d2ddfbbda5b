import NetSockDaemon
import NetSockJSON
import Testing

final class Recorder: EventSink {
    var events: [Event] = []
    func deliver(_ event: Event) { self.events.append(event) }
}

@Suite struct EventBusTests {
    @Test func seqIncreasesAndSinksSeeEveryEvent() {
        let bus = EventBus(historyLimit: 10, clock: { "t" })
        let recorder = Recorder()
        bus.attach(recorder)
        bus.publish(.stopping)
        bus.publish(.published(topic: .interface, name: "b", data: ["x": 1]))
        #expect(recorder.events.map(\.seq) == [1, 2])
        #expect(recorder.events[1].event.data == ["x": 1])
        #expect(recorder.events.map(\.topic) == [.daemon, .interface])
        bus.detach(recorder)
        bus.publish(.stopping)
        #expect(recorder.events.count == 2)
        #expect(bus.latestSeq == 3)
    }

    @Test func replayHonoursTheBoundedHistory() {
        let bus = EventBus(historyLimit: 3, clock: { "t" })
        #expect(bus.replay(after: 0) == [])
        for index in 0..<5 { bus.publish(.published(topic: .daemon, name: "e\(index)", data: [:])) }
        #expect(bus.oldestHeldSeq == 3)
        #expect(bus.replay(after: 2)?.map(\.seq) == [3, 4, 5])
        #expect(bus.replay(after: 4)?.map(\.seq) == [5])
        #expect(bus.replay(after: 5) == [])
        #expect(bus.replay(after: 99) == [])
        #expect(bus.replay(after: 1) == nil, "seq 2 is gone")
        #expect(bus.replay(after: 0) == nil)
        bus.historyLimit = 1
        #expect(bus.oldestHeldSeq == 5)
    }

    @Test func longRunsKeepMemoryBounded() {
        let bus = EventBus(historyLimit: 16, clock: { "t" })
        for _ in 0..<100_000 { bus.publish(.stopping) }
        #expect(bus.replay(after: 100_000 - 16)?.count == 16)
        #expect(bus.oldestHeldSeq == 100_000 - 15)
    }
}

/// Events become JSON in one place, with Mbed's names and API.md's members.
@Suite struct DaemonEventTests {
    @Test func eventsCarryTheirTopicNameAndData() {
        let change = DaemonEvent.statusChanged(interface: "eth0", status: .globalUp, previous: .connecting)
        #expect(change.topic == .interface)
        #expect(change.name == "status_changed")
        #expect(change.data == ["interface": "eth0", "status": "global_up", "previous": "connecting"])
        let reloaded = DaemonEvent.reloaded(interfaces: ["lo"], needsRestart: ["control.socket"])
        #expect(reloaded.topic == .daemon)
        #expect(reloaded.data == ["interfaces": ["lo"], "needs_restart": ["control.socket"]])
        #expect(DaemonEvent.started(pid: 7, version: "1").data == ["pid": 7, "version": "1"])
        #expect(DaemonEvent.published(topic: .wifi, name: "scan", data: ["n": 1]).topic == .wifi)
    }
}
