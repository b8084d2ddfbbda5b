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
        bus.publish(topic: "daemon", event: "a")
        bus.publish(topic: "interface", event: "b", data: ["x": 1])
        #expect(recorder.events.map(\.seq) == [1, 2])
        #expect(recorder.events[1].data == ["x": 1])
        bus.detach(recorder)
        bus.publish(topic: "daemon", event: "c")
        #expect(recorder.events.count == 2)
        #expect(bus.latestSeq == 3)
    }

    @Test func replayHonoursTheBoundedHistory() {
        let bus = EventBus(historyLimit: 3, clock: { "t" })
        #expect(bus.replay(after: 0) == [])
        for index in 0..<5 { bus.publish(topic: "daemon", event: "e\(index)") }
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
        for _ in 0..<100_000 { bus.publish(topic: "daemon", event: "x") }
        #expect(bus.replay(after: 100_000 - 16)?.count == 16)
        #expect(bus.oldestHeldSeq == 100_000 - 15)
    }
}
