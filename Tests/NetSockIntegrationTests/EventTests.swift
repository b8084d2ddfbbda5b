import NetSockClient
import NetSockJSON
import NetSockRPC
import NetSockTestSupport
import Testing

@Suite struct EventTests {
    @Test func subscribeReportsSeqAndReplaysSince() throws {
        let daemon = try DaemonLauncher()
        let admin = try daemon.client()
        for index in 0..<3 { _ = try admin.call(API.EventsPublish.name, ["topic": "daemon", "event": .string("e\(index)")]) }
        let client = try daemon.client()
        let reply = try client.call(API.EventsSubscribe.name, ["topics": ["daemon"], "since": 2])
        #expect(reply["seq"] == 4, "started is seq 1, then three published")
        var seen: [Int64] = []
        while seen.count < 2, let notification = try client.nextNotification(timeoutMilliseconds: 5000) {
            #expect(notification.params["subscription"] == reply["subscription"])
            seen.append(notification.params["seq"]?.intValue ?? 0)
        }
        #expect(seen == [3, 4])
        _ = try admin.call(API.EventsPublish.name, ["topic": "daemon", "event": "live", "data": ["k": "v"]])
        let live = try #require(try client.nextNotification(timeoutMilliseconds: 5000))
        #expect(live.params["seq"] == 5)
        #expect(live.params["data"] == ["k": "v"])
        #expect(live.params["time"]?.stringValue?.hasSuffix("Z") == true)
        // Topics filter: an interface subscription sees none of this.
        let other = try daemon.client()
        _ = try other.call(API.EventsSubscribe.name, ["topics": ["interface"]])
        _ = try admin.call(API.EventsPublish.name, ["topic": "daemon", "event": "unseen"])
        #expect(try other.nextNotification(timeoutMilliseconds: 300) == nil)
        _ = try client.call(API.EventsUnsubscribe.name, ["subscription": reply["subscription"]!])
        _ = try admin.call(API.EventsPublish.name, ["topic": "daemon", "event": "after"])
        #expect(try client.nextNotification(timeoutMilliseconds: 300)?.params["event"] == "unseen")
        #expect(try client.nextNotification(timeoutMilliseconds: 300) == nil)
    }

    @Test func replayBeyondTheHistoryIsRefused() throws {
        let daemon = try DaemonLauncher(config: ["control": ["event_history": 4]])
        let client = try daemon.client()
        for _ in 0..<10 { _ = try client.call(API.EventsPublish.name, ["topic": "daemon", "event": "x"]) }
        let error = expectRPCError { try client.call(API.EventsSubscribe.name, ["topics": ["daemon"], "since": 1]) }
        #expect(error?.code == -32002)
        #expect(error?.data?["oldest"] == 8)
        #expect(try client.call(API.EventsSubscribe.name, ["topics": ["daemon"], "since": 7])["seq"] == 11)
    }

    @Test func aSlowSubscriberGetsEventsLostNotSilence() throws {
        let daemon = try DaemonLauncher(config: ["control": ["max_output_bytes": 8192]])
        let slow = try daemon.client()
        let subscription = try slow.call(API.EventsSubscribe.name, ["topics": ["daemon"]])["subscription"]
        let publisher = try daemon.client()
        let padding = JSONValue.string(String(repeating: "p", count: 1000))
        for round in 0..<30 {
            let batch: [JSONValue] = (0..<100).map { index in
                RPCRequest(method: API.EventsPublish.name, params: ["topic": "daemon", "event": "bulk", "data": ["pad": padding]],
                    id: .integer(Int64(round * 100 + index))).json
            }
            try publisher.send(.array(batch))
            _ = try publisher.readMessage(deadline: nil)
        }
        var lostRanges: [ClosedRange<Int64>] = []
        var seqs: [Int64] = []
        func drain(until stop: (RPCNotification) -> Bool) throws {
            while let notification = try slow.nextNotification(timeoutMilliseconds: 5000) {
                if notification.method == API.EventsLostNotification.method {
                    #expect(notification.params["subscription"] == subscription)
                    let from = notification.params["from_seq"]?.intValue ?? 0
                    let to = notification.params["to_seq"]?.intValue ?? 0
                    #expect(from <= to)
                    lostRanges.append(from...to)
                } else {
                    seqs.append(notification.params["seq"]?.intValue ?? 0)
                }
                if stop(notification) { return }
            }
        }
        try drain { $0.method == API.EventsLostNotification.method }
        #expect(!lostRanges.isEmpty, "the overflow is reported")
        // Delivery resumes once the client reads again.
        let resume = try publisher.call(API.EventsPublish.name, ["topic": "daemon", "event": "resume"])["seq"]?.intValue ?? 0
        try drain { $0.params["event"] == "resume" }
        #expect(seqs.last == resume)
        // Every seq is either delivered or inside a reported range: nothing vanishes silently.
        var accounted = Set(seqs)
        for range in lostRanges { accounted.formUnion(range) }
        #expect(Set(Int64(2)...resume).isSubset(of: accounted))
        #expect(seqs == seqs.sorted(), "in order")
    }

    @Test func waitReturnsTheNextEventOrWouldBlock() throws {
        let daemon = try DaemonLauncher()
        let waiter = try daemon.client()
        let error = expectRPCError { try waiter.call(API.EventsWait.name, ["topics": ["interface"], "timeout_ms": 100]) }
        #expect(error?.code == -3001)
        #expect(error?.message == "NSAPI_ERROR_WOULD_BLOCK")
        try waiter.send(RPCRequest(method: API.EventsWait.name, params: ["topics": ["daemon"], "timeout_ms": 10_000], id: 5).json)
        // Other requests on the same connection are served meanwhile (replies out of order).
        #expect(try waiter.call(API.DaemonInfo()).apiVersion == 1)
        _ = try daemon.client().call(API.EventsPublish.name, ["topic": "daemon", "event": "wake"])
        let woken = try waiter.awaitResponse(id: 5, timeoutMilliseconds: 5000)
        #expect(try woken.outcome.get()["event"] == "wake")
        #expect(try waiter.call(API.EventsWait.name, ["topics": ["daemon"], "since": 0])["event"] == "started")
    }
}
