import NSAPI
@testable import NetSockDaemon
import Testing

/// Every Mbed socket rule the layer implements, on a scripted stack with a manual clock.
@Suite struct SocketLayerTests {
    let scheduler = ManualScheduler()
    let stack = FakeStack()
    let layer: SocketLayer
    let peer = SocketAddress(parsing: "192.0.2.7", port: 7)!

    init() {
        self.layer = SocketLayer(scheduler: self.scheduler, maxSocketsPerOwner: 4)
    }

    func open(_ proto: SocketProtocol = .tcp, owner: Int = 1) throws -> Int {
        try self.layer.open(owner: owner, protocol: proto, stack: self.stack, interface: "eth0")
    }

    func connectedTCP() throws -> (Int, SocketHandle) {
        let id = try self.open()
        let handle = self.stack.lastHandle
        self.stack[handle].connectResults = [nil]
        let outcome = Outcome<Void>()
        self.layer.connect(owner: 1, id: id, address: self.peer) { outcome($0) }
        #expect(outcome.success != nil)
        return (id, handle)
    }

    // MARK: Ownership, open, close

    @Test func idsArePerOwnerAndForeignIdsAreNoSocket() throws {
        #expect(try self.open(owner: 1) == 1)
        #expect(try self.open(owner: 1) == 2)
        #expect(try self.open(owner: 2) == 1)
        #expect(throws: NSAPIError.noSocket) { try self.layer.close(owner: 3, id: 1) }
        #expect(throws: NSAPIError.noSocket) { try self.layer.bind(owner: 2, id: 2, address: SocketAddress(port: 1024)) }
        try self.layer.close(owner: 1, id: 1)
        #expect(throws: NSAPIError.noSocket) { try self.layer.close(owner: 1, id: 1) }
    }

    @Test func openTwiceIsParameterAndAClosedObjectReopens() throws {
        let id = try self.open()
        #expect(throws: NSAPIError.parameter) {
            try self.layer.open(owner: 1, protocol: .tcp, stack: self.stack, interface: "eth0", reopen: id)
        }
        try self.layer.close(owner: 1, id: id)
        #expect(try self.layer.open(owner: 1, protocol: .tcp, stack: self.stack, interface: "eth0", reopen: id) == id)
        #expect(throws: NSAPIError.noSocket) {
            try self.layer.open(owner: 1, protocol: .tcp, stack: self.stack, interface: "eth0", reopen: 99)
        }
    }

    @Test func theOpenLimitGivesNoSocketAndClosingFreesASlot() throws {
        for _ in 0..<4 { _ = try self.open() }
        #expect(throws: NSAPIError.noSocket) { try self.open() }
        #expect(try self.open(owner: 2) == 1, "the limit is per owner")
        try self.layer.close(owner: 1, id: 2)
        #expect(try self.open() == 5)
    }

    @Test func closeAllReleasesEveryStackSocket() throws {
        _ = try self.open()
        _ = try self.open(.udp)
        self.layer.closeAll(owner: 1)
        #expect(self.stack.sockets.values.allSatisfy { $0.closed })
        #expect(self.layer.openCount(owner: 1) == 0)
        #expect(try self.open() == 1, "ids start again for a new owner")
    }

    // MARK: Bind, listen, options

    @Test func bindTwiceIsParameterAndStackErrorsPassThrough() throws {
        let id = try self.open()
        try self.layer.bind(owner: 1, id: id, address: SocketAddress(port: 1024))
        #expect(throws: NSAPIError.parameter) { try self.layer.bind(owner: 1, id: id, address: SocketAddress(port: 1025)) }
        let other = try self.open()
        self.stack[self.stack.lastHandle].failure = .parameter
        #expect(throws: NSAPIError.parameter) { try self.layer.bind(owner: 1, id: other, address: SocketAddress(port: 1024)) }
    }

    @Test func udpRefusesListenAndAccept() throws {
        let id = try self.open(.udp)
        #expect(throws: NSAPIError.unsupported) { try self.layer.listen(owner: 1, id: id, backlog: 1) }
        let outcome = Outcome<(Int, SocketAddress)>()
        self.layer.accept(owner: 1, id: id) { outcome($0) }
        #expect(outcome.error == .unsupported)
    }

    @Test func optionsReachTheStackOrAreUnsupported() throws {
        let id = try self.open()
        try self.layer.setOption(owner: 1, id: id, option: .keepAlive, value: .integer(1))
        #expect(try self.layer.getOption(owner: 1, id: id, option: .keepAlive) == .integer(1))
        #expect(throws: NSAPIError.unsupported) { try self.layer.setOption(owner: 1, id: id, option: .linger, value: .integer(1)) }
        try self.layer.close(owner: 1, id: id)
        #expect(throws: NSAPIError.noSocket) { try self.layer.setOption(owner: 1, id: id, option: .keepAlive, value: .integer(1)) }
    }

    // MARK: Blocking and timeouts

    @Test func blockingReceiveWaitsForAnEvent() throws {
        let (id, handle) = try self.connectedTCP()
        let outcome = Outcome<[UInt8]>()
        self.layer.receive(owner: 1, id: id, maxBytes: 10) { outcome($0) }
        #expect(outcome.isPending)
        self.scheduler.advance(by: 3_600_000)
        #expect(outcome.isPending, "no timeout by default: blocks forever")
        self.stack[handle].received.append((self.peer, [1, 2, 3]))
        self.stack.signal(handle)
        #expect(outcome.success == [1, 2, 3])
    }

    @Test func timeoutIsIdleTimeBetweenEventsAndGivesWouldBlock() throws {
        let (id, handle) = try self.connectedTCP()
        try self.layer.setTimeout(owner: 1, id: id, milliseconds: 100)
        let outcome = Outcome<[UInt8]>()
        self.layer.receive(owner: 1, id: id, maxBytes: 10) { outcome($0) }
        self.scheduler.advance(by: 60)
        self.stack.signal(handle)  // A spurious event: the wait restarts.
        self.scheduler.advance(by: 99)
        #expect(outcome.isPending)
        self.scheduler.advance(by: 1)
        #expect(outcome.error == .wouldBlock, "timeouts are WOULD_BLOCK, never TIMEOUT")
        #expect(self.scheduler.pendingTimers == 0)
    }

    @Test func nonblockingCallsReturnAtOnce() throws {
        let (id, _) = try self.connectedTCP()
        try self.layer.setBlocking(owner: 1, id: id, blocking: false)
        let outcome = Outcome<[UInt8]>()
        self.layer.receive(owner: 1, id: id, maxBytes: 10) { outcome($0) }
        #expect(outcome.error == .wouldBlock)
        try self.layer.setBlocking(owner: 1, id: id, blocking: true)
        let blocked = Outcome<[UInt8]>()
        self.layer.receive(owner: 1, id: id, maxBytes: 10) { blocked($0) }
        #expect(blocked.isPending)
    }

    @Test func orderlyCloseIsAnEmptyReceiveAndResetIsNoConnection() throws {
        let (id, handle) = try self.connectedTCP()
        self.stack[handle].received.append((self.peer, []))
        let eof = Outcome<[UInt8]>()
        self.layer.receive(owner: 1, id: id, maxBytes: 10) { eof($0) }
        #expect(eof.success == [])
        self.stack[handle].failure = .noConnection
        let reset = Outcome<[UInt8]>()
        self.layer.receive(owner: 1, id: id, maxBytes: 10) { reset($0) }
        #expect(reset.error == .noConnection)
    }

    @Test func closeWakesBlockedCallsWithNoSocket() throws {
        let (id, _) = try self.connectedTCP()
        let outcome = Outcome<[UInt8]>()
        self.layer.receive(owner: 1, id: id, maxBytes: 10) { outcome($0) }
        try self.layer.close(owner: 1, id: id)
        #expect(outcome.error == .noSocket)
        let after = Outcome<[UInt8]>()
        self.layer.receive(owner: 1, id: id, maxBytes: 10) { after($0) }
        #expect(after.error == .noSocket)
    }

    // MARK: Connect

    @Test func nonblockingConnectGoesInProgressAlreadyIsConnected() throws {
        let id = try self.open()
        let handle = self.stack.lastHandle
        self.stack[handle].connectResults = [.inProgress, .already, .isConnected]
        try self.layer.setBlocking(owner: 1, id: id, blocking: false)
        var results: [NSAPIError?] = []
        for _ in 0..<3 {
            let outcome = Outcome<Void>()
            self.layer.connect(owner: 1, id: id, address: self.peer) { outcome($0) }
            results.append(outcome.error)
        }
        #expect(results == [.inProgress, .already, .isConnected])
        #expect(try self.layer.peerName(owner: 1, id: id) == self.peer)
    }

    @Test func blockingConnectTurnsIsConnectedIntoSuccess() throws {
        let id = try self.open()
        let handle = self.stack.lastHandle
        self.stack[handle].connectResults = [.inProgress, .isConnected]
        let outcome = Outcome<Void>()
        self.layer.connect(owner: 1, id: id, address: self.peer) { outcome($0) }
        #expect(outcome.isPending)
        self.stack.signal(handle)
        #expect(outcome.success != nil)
        let again = Outcome<Void>()
        self.layer.connect(owner: 1, id: id, address: self.peer) { again($0) }
        #expect(again.error == .isConnected, "connect on a connected socket")
    }

    @Test func blockingConnectTimeoutReturnsTheLastInProgressOrAlready() throws {
        let id = try self.open()
        let handle = self.stack.lastHandle
        self.stack[handle].connectResults = [.inProgress, .already]
        try self.layer.setTimeout(owner: 1, id: id, milliseconds: 500)
        let outcome = Outcome<Void>()
        self.layer.connect(owner: 1, id: id, address: self.peer) { outcome($0) }
        self.stack.signal(handle)
        self.scheduler.advance(by: 500)
        #expect(outcome.error == .already)
    }

    @Test func refusedConnectIsNoConnection() throws {
        let id = try self.open()
        let handle = self.stack.lastHandle
        self.stack[handle].connectResults = [.inProgress, .noConnection]
        let outcome = Outcome<Void>()
        self.layer.connect(owner: 1, id: id, address: self.peer) { outcome($0) }
        self.stack.signal(handle)
        #expect(outcome.error == .noConnection)
    }

    // MARK: Send

    @Test func blockingSendWritesEverything() throws {
        let (id, handle) = try self.connectedTCP()
        self.stack[handle].sendCapacity = 3
        let outcome = Outcome<Int>()
        self.layer.send(owner: 1, id: id, data: Array(0..<10)) { outcome($0) }
        #expect(outcome.isPending)
        self.stack[handle].sendCapacity = 4
        self.stack.signal(handle)
        #expect(outcome.isPending)
        self.stack[handle].sendCapacity = 100
        self.stack.signal(handle)
        #expect(outcome.success == 10)
        #expect(self.stack[handle].sent == Array(0..<10))
    }

    @Test func nonblockingOrTimedOutSendReturnsThePartialCount() throws {
        let (id, handle) = try self.connectedTCP()
        try self.layer.setBlocking(owner: 1, id: id, blocking: false)
        self.stack[handle].sendCapacity = 3
        let partial = Outcome<Int>()
        self.layer.send(owner: 1, id: id, data: Array(0..<10)) { partial($0) }
        #expect(partial.success == 3)
        let nothing = Outcome<Int>()
        self.layer.send(owner: 1, id: id, data: [1]) { nothing($0) }
        #expect(nothing.error == .wouldBlock, "WOULD_BLOCK only when nothing was written")

        try self.layer.setTimeout(owner: 1, id: id, milliseconds: 50)
        self.stack[handle].sendCapacity = 2
        let timed = Outcome<Int>()
        self.layer.send(owner: 1, id: id, data: Array(0..<10)) { timed($0) }
        self.scheduler.advance(by: 50)
        #expect(timed.success == 2)
    }

    @Test func hardErrorWinsOverAPartialWrite() throws {
        let (id, handle) = try self.connectedTCP()
        self.stack[handle].sendCapacity = 3
        let outcome = Outcome<Int>()
        self.layer.send(owner: 1, id: id, data: Array(0..<10)) { outcome($0) }
        self.stack[handle].failure = .noConnection
        self.stack.signal(handle)
        #expect(outcome.error == .noConnection)
    }

    @Test func emptySendIsZero() throws {
        let (id, _) = try self.connectedTCP()
        let outcome = Outcome<Int>()
        self.layer.send(owner: 1, id: id, data: []) { outcome($0) }
        #expect(outcome.success == 0)
    }

    // MARK: UDP

    @Test func udpConnectOnlySetsAPeerAndIsAlwaysOK() throws {
        let id = try self.open(.udp)
        let noPeer = Outcome<Int>()
        self.layer.send(owner: 1, id: id, data: [1]) { noPeer($0) }
        #expect(noPeer.error == .noAddress)
        #expect(throws: NSAPIError.noConnection) { try self.layer.peerName(owner: 1, id: id) }
        try self.layer.close(owner: 1, id: id)
        let onClosed = Outcome<Void>()
        self.layer.connect(owner: 1, id: id, address: self.peer) { onClosed($0) }
        #expect(onClosed.success != nil, "OK even on an unopened socket")
        _ = try self.layer.open(owner: 1, protocol: .udp, stack: self.stack, interface: "eth0", reopen: id)
        let connected = Outcome<Void>()
        self.layer.connect(owner: 1, id: id, address: self.peer) { connected($0) }
        let sent = Outcome<Int>()
        self.layer.send(owner: 1, id: id, data: [9, 9]) { sent($0) }
        #expect(sent.success == 2)
        #expect(self.stack[self.stack.lastHandle].datagrams.last?.0 == self.peer)
        let cleared = Outcome<Void>()
        self.layer.connect(owner: 1, id: id, address: SocketAddress()) { cleared($0) }
        #expect(throws: NSAPIError.noConnection) { try self.layer.peerName(owner: 1, id: id) }
    }

    @Test func aPeerFiltersOtherSourcesEvenWhenNonblocking() throws {
        let id = try self.open(.udp)
        let handle = self.stack.lastHandle
        let connected = Outcome<Void>()
        self.layer.connect(owner: 1, id: id, address: self.peer) { connected($0) }
        try self.layer.setBlocking(owner: 1, id: id, blocking: false)
        let stranger = SocketAddress(parsing: "192.0.2.99", port: 7)!
        let wrongPort = SocketAddress(parsing: "192.0.2.7", port: 8)!
        self.stack[handle].received = [(stranger, [1]), (wrongPort, [2]), (self.peer, [3]), (stranger, [4])]
        let first = Outcome<(SocketAddress, [UInt8])>()
        self.layer.receiveFrom(owner: 1, id: id, maxBytes: 100) { first($0) }
        #expect(first.success?.1 == [3])
        #expect(first.success?.0 == self.peer)
        let second = Outcome<(SocketAddress, [UInt8])>()
        self.layer.receiveFrom(owner: 1, id: id, maxBytes: 100) { second($0) }
        #expect(second.error == .wouldBlock, "the stranger's datagram was dropped")
    }

    // MARK: sigio

    @Test func sigioIsCoalescedUntilTheNextIOCall() throws {
        let (id, handle) = try self.connectedTCP()
        var signals = 0
        self.layer.sigioHandler = { owner, socket in
            #expect(owner == 1 && socket == id)
            signals += 1
        }
        try self.layer.setSigio(owner: 1, id: id, enabled: true)
        self.stack.signal(handle)
        self.stack.signal(handle)
        self.stack.signal(handle)
        #expect(signals == 1)
        try self.layer.setBlocking(owner: 1, id: id, blocking: false)
        let outcome = Outcome<[UInt8]>()
        self.layer.receive(owner: 1, id: id, maxBytes: 1) { outcome($0) }
        self.stack.signal(handle)
        #expect(signals == 2, "an I/O call re-arms it")
        try self.layer.close(owner: 1, id: id)
        #expect(signals == 3, "close fires it too")
        #expect(throws: NSAPIError.noSocket, "a closed socket has no sigio to set") {
            try self.layer.setSigio(owner: 1, id: id, enabled: false)
        }
    }

    // MARK: Accept

    @Test func acceptGivesANewBlockingSocketThatCloseDeletes() throws {
        let id = try self.open()
        let listener = self.stack.lastHandle
        try self.layer.listen(owner: 1, id: id, backlog: 4)
        let outcome = Outcome<(Int, SocketAddress)>()
        self.layer.accept(owner: 1, id: id) { outcome($0) }
        #expect(outcome.isPending)
        self.stack[listener].pendingAccepts.append(self.peer)
        self.stack.signal(listener)
        let (accepted, address) = try #require(outcome.success)
        #expect(accepted == 2)
        #expect(address == self.peer)
        #expect(try self.layer.peerName(owner: 1, id: accepted) == self.peer)
        try self.layer.close(owner: 1, id: accepted)
        #expect(throws: NSAPIError.noSocket) {
            try self.layer.open(owner: 1, protocol: .tcp, stack: self.stack, interface: "eth0", reopen: accepted)
        }
        try self.layer.setBlocking(owner: 1, id: id, blocking: false)
        let none = Outcome<(Int, SocketAddress)>()
        self.layer.accept(owner: 1, id: id) { none($0) }
        #expect(none.error == .wouldBlock)
    }

    @Test func listShowsStatePeerAndInterface() throws {
        let (id, _) = try self.connectedTCP()
        let udp = try self.open(.udp)
        try self.layer.close(owner: 1, id: udp)
        let summaries = self.layer.list(owner: 1)
        #expect(summaries.map(\.id) == [id, udp])
        #expect(summaries[0].state == .connected)
        #expect(summaries[0].peer == self.peer)
        #expect(summaries[0].interface == "eth0")
        #expect(summaries[1].state == .closed)
    }
}

@Suite struct PipelinedCallTests {
    let scheduler = ManualScheduler()
    let stack = FakeStack()

    @Test func sendsOfOneSocketFinishInTheOrderTheyCame() throws {
        let layer = SocketLayer(scheduler: self.scheduler)
        let id = try layer.open(owner: 1, protocol: .tcp, stack: self.stack, interface: "eth0")
        let handle = self.stack.lastHandle
        self.stack[handle].connectResults = [nil]
        layer.connect(owner: 1, id: id, address: SocketAddress(parsing: "192.0.2.7", port: 7)!) { _ in }
        self.stack[handle].sendCapacity = 3
        let first = Outcome<Int>()
        let second = Outcome<Int>()
        layer.send(owner: 1, id: id, data: Array(0..<10)) { first($0) }
        layer.send(owner: 1, id: id, data: Array(100..<105)) { second($0) }
        #expect(self.stack[handle].sent == [0, 1, 2], "the second waits behind the first")
        self.stack[handle].sendCapacity = 100
        self.stack.signal(handle)
        #expect(first.success == 10 && second.success == 5)
        #expect(self.stack[handle].sent == Array(0..<10) + Array(100..<105))
    }

    @Test func receivesAreAnsweredInOrderAndATimeoutPassesTheTurnOn() throws {
        let layer = SocketLayer(scheduler: self.scheduler)
        let id = try layer.open(owner: 1, protocol: .tcp, stack: self.stack, interface: "eth0")
        let handle = self.stack.lastHandle
        let first = Outcome<[UInt8]>()
        let second = Outcome<[UInt8]>()
        try layer.setTimeout(owner: 1, id: id, milliseconds: 100)
        layer.receive(owner: 1, id: id, maxBytes: 2) { first($0) }
        try layer.setTimeout(owner: 1, id: id, milliseconds: 500)
        layer.receive(owner: 1, id: id, maxBytes: 2) { second($0) }
        self.stack[handle].received = [(SocketAddress(), [1, 2, 3])]
        self.scheduler.advance(by: 100)
        #expect(first.error == .wouldBlock)
        #expect(second.success == [1, 2], "the next in line runs when the first gives up")
        let third = Outcome<[UInt8]>()
        layer.receive(owner: 1, id: id, maxBytes: 2) { third($0) }
        #expect(third.success == [3])
    }
}

/// Regression: waiting calls had no bound, and every event re-armed a timer for each
/// of them (80,000 pipelined recv froze the daemon for 2.3 s per datagram).
@Suite struct WaitingCallBoundsTests {
    let scheduler = ManualScheduler()
    let stack = FakeStack()

    @Test func pastTheQueueBoundCallsFailWithNoMemory() throws {
        let layer = SocketLayer(scheduler: self.scheduler, maxQueuedCallsPerSocket: 8)
        let id = try layer.open(owner: 1, protocol: .udp, stack: self.stack, interface: "eth0")
        let outcomes = (0..<20).map { _ in Outcome<(SocketAddress, [UInt8])>() }
        for outcome in outcomes { layer.receiveFrom(owner: 1, id: id, maxBytes: 10) { outcome($0) } }
        #expect(outcomes.prefix(8).allSatisfy { $0.isPending })
        #expect(outcomes.dropFirst(8).allSatisfy { $0.error == .noMemory })
        // The queue drains, and frees room for new calls.
        let handle = self.stack.lastHandle
        self.stack[handle].received = (0..<8).map { (SocketAddress(), [UInt8($0)]) }
        self.stack.signal(handle)
        #expect(outcomes.prefix(8).map { $0.success?.1 } == (0..<8).map { [UInt8($0)] })
        let later = Outcome<(SocketAddress, [UInt8])>()
        layer.receiveFrom(owner: 1, id: id, maxBytes: 10) { later($0) }
        #expect(later.isPending)
    }

    @Test func anEventCostsOneTryAndNoTimerHoweverManyWait() throws {
        let layer = SocketLayer(scheduler: self.scheduler, maxQueuedCallsPerSocket: 5000)
        let id = try layer.open(owner: 1, protocol: .udp, stack: self.stack, interface: "eth0")
        try layer.setTimeout(owner: 1, id: id, milliseconds: 1000)
        let handle = self.stack.lastHandle
        let outcomes = (0..<2000).map { _ in Outcome<(SocketAddress, [UInt8])>() }
        for outcome in outcomes { layer.receiveFrom(owner: 1, id: id, maxBytes: 10) { outcome($0) } }
        let timers = self.scheduler.scheduledCount
        let tries = self.stack.receiveCalls
        for _ in 0..<50 {
            self.scheduler.advance(by: 10)
            self.stack.signal(handle)
        }
        #expect(self.stack.receiveCalls - tries == 50, "only the head of the queue tries")
        #expect(self.scheduler.scheduledCount - timers <= 1, "events move a deadline, they schedule nothing")
        #expect(self.scheduler.pendingTimers <= 1)
        self.stack[handle].received = (0..<2000).map { (SocketAddress(), [UInt8($0 % 256)]) }
        self.stack.signal(handle)
        #expect(outcomes.allSatisfy { $0.success != nil }, "every call completes, in order")
        #expect(outcomes.map { $0.success?.1.first } == (0..<2000).map { UInt8($0 % 256) })
    }

    @Test func queuedCallsTimeOutOneAfterAnotherAsMbedsWould() throws {
        let layer = SocketLayer(scheduler: self.scheduler)
        let id = try layer.open(owner: 1, protocol: .udp, stack: self.stack, interface: "eth0")
        try layer.setTimeout(owner: 1, id: id, milliseconds: 100)
        let first = Outcome<(SocketAddress, [UInt8])>()
        let second = Outcome<(SocketAddress, [UInt8])>()
        layer.receiveFrom(owner: 1, id: id, maxBytes: 10) { first($0) }
        layer.receiveFrom(owner: 1, id: id, maxBytes: 10) { second($0) }
        self.scheduler.advance(by: 100)
        #expect(first.error == .wouldBlock)
        #expect(second.isPending, "its wait starts when its turn comes")
        self.scheduler.advance(by: 100)
        #expect(second.error == .wouldBlock)
        #expect(self.scheduler.pendingTimers == 0)
    }
}
