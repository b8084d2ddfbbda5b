#if canImport(Glibc)
import Glibc
#endif
import NetSockPOSIX
import Synchronization
import Testing

@Suite struct ReactorTests {
    @Test func timersFireInDeadlineOrderAndCancelledOnesDoNot() throws {
        let reactor = try Reactor()
        let order = Mutex<[Int]>([])
        reactor.execute {
            reactor.schedule(afterNanoseconds: 30_000_000) { order.withLock { $0.append(3) } }
            reactor.schedule(afterNanoseconds: 10_000_000) { order.withLock { $0.append(1) } }
            let cancelled = reactor.schedule(afterNanoseconds: 20_000_000) { order.withLock { $0.append(99) } }
            reactor.schedule(afterNanoseconds: 20_000_000) { order.withLock { $0.append(2) } }
            reactor.cancel(cancelled)
            reactor.schedule(afterNanoseconds: 50_000_000) { reactor.stop() }
        }
        reactor.run()
        #expect(order.withLock { $0 } == [1, 2, 3])
    }

    @Test func readinessIsReportedAndInterestCanChange() throws {
        let reactor = try Reactor()
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        let (left, right) = (fds[0], fds[1])
        defer {
            close(left)
            close(right)
        }
        let seen = Mutex<[String]>([])
        reactor.execute {
            try? reactor.register(left, interest: .writable) { events in
                if events.contains(.writable) {
                    seen.withLock { $0.append("writable") }
                    reactor.setInterest(left, .readable)
                    _ = write(right, "x", 1)
                }
                if events.contains(.readable) {
                    var byte: UInt8 = 0
                    _ = read(left, &byte, 1)
                    seen.withLock { $0.append("read \(Character(UnicodeScalar(byte)))") }
                    reactor.unregister(left)
                    reactor.stop()
                }
            }
        }
        reactor.run()
        #expect(seen.withLock { $0 } == ["writable", "read x"])
    }

    /// A task deferred by a deferred task waits for the next iteration, after the
    /// descriptors that became ready meanwhile: a connection that continues its own
    /// work a slice per turn cannot keep the loop from everybody else.
    @Test func aTaskDeferredByADeferredTaskRunsAfterReadyDescriptors() throws {
        let reactor = try Reactor()
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        let (left, right) = (fds[0], fds[1])
        defer {
            close(left)
            close(right)
        }
        let order = Mutex<[String]>([])
        reactor.execute {
            try? reactor.register(left, interest: .readable) { _ in
                var byte: UInt8 = 0
                _ = read(left, &byte, 1)
                order.withLock { $0.append("descriptor") }
            }
            reactor.deferToNextTick {
                order.withLock { $0.append("first slice") }
                _ = write(right, "x", 1)
                reactor.deferToNextTick {
                    order.withLock { $0.append("second slice") }
                    reactor.stop()
                }
            }
        }
        reactor.run()
        #expect(order.withLock { $0 } == ["first slice", "descriptor", "second slice"])
    }

    /// Callbacks that hold the loop past the threshold are named, with their duration.
    @Test func slowCallbacksAreReported() throws {
        let reactor = try Reactor()
        reactor.slowCallbackNanoseconds = 5_000_000
        let reports = Mutex<[String]>([])
        reactor.onSlowCallback = { what, nanoseconds in reports.withLock { $0.append(what) } }
        reactor.execute {
            reactor.deferToNextTick {
                let start = MonotonicClock.nanoseconds()
                while MonotonicClock.nanoseconds() - start < 10_000_000 {}
                reactor.stop()
            }
        }
        reactor.run()
        #expect(reports.withLock { $0 }.contains("deferred tasks"))
        #expect(reactor.longestCallbackNanoseconds >= 10_000_000)
    }

    @Test func tasksPostedFromOtherThreadsRunOnTheLoop() async throws {
        let reactor = try Reactor()
        let tally = Tally()
        let loop = Task.detached { reactor.run() }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask { [tally] in
                    for _ in 0..<100 { reactor.execute { tally.bump() } }
                }
            }
        }
        reactor.execute { reactor.stop() }
        await loop.value
        #expect(tally.value == 800)
    }
}

final class Tally: Sendable {
    private let count = Mutex(0)
    func bump() { self.count.withLock { $0 += 1 } }
    var value: Int { self.count.withLock { $0 } }
}

@Suite struct UnixSocketTests {
    @Test func probeTellsAbsentStaleLiveAndForeign() throws {
        var template = Array("/tmp/netsock-posix.XXXXXX".utf8CString)
        let directory = String(cString: mkdtemp(&template)!)
        let path = directory + "/s.sock"
        #expect(UnixSocket.probe(path: path) == .absent)
        let listener = try UnixSocket.listen(path: path, mode: 0o600, group: nil)
        #expect(UnixSocket.probe(path: path) == .live)
        var info = stat()
        stat(path, &info)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(UnixSocket.isListeningUnixStream(listener))
        close(listener)
        #expect(UnixSocket.probe(path: path) == .stale)
        unlink(path)
        let fd = open(path, O_CREAT | O_WRONLY, 0o600)
        close(fd)
        #expect(UnixSocket.probe(path: path) == .notASocket)
        unlink(path)
        rmdir(directory)
    }

    @Test func overlongPathsAreRefused() {
        #expect(throws: SystemError.self) {
            _ = try UnixSocket.listen(path: "/tmp/" + String(repeating: "x", count: 200), mode: 0o600, group: nil)
        }
    }

    @Test func activationAndWatchdogEnvironment() {
        #expect(SocketActivation.listenDescriptors(environment: ["LISTEN_PID": "42", "LISTEN_FDS": "2"], pid: 42) == [3, 4])
        #expect(SocketActivation.listenDescriptors(environment: ["LISTEN_PID": "41", "LISTEN_FDS": "2"], pid: 42) == [])
        #expect(SocketActivation.listenDescriptors(environment: ["LISTEN_PID": "42", "LISTEN_FDS": "x"], pid: 42) == [])
        #expect(SystemdNotifier.watchdogMicroseconds(environment: ["WATCHDOG_USEC": "500"], pid: 1) == 500)
        #expect(SystemdNotifier.watchdogMicroseconds(environment: ["WATCHDOG_USEC": "500", "WATCHDOG_PID": "2"], pid: 1) == nil)
        #expect(SystemdNotifier.watchdogMicroseconds(environment: ["WATCHDOG_USEC": "0"], pid: 1) == nil)
        #expect(!SystemdNotifier(environment: [:]).notify("READY=1"))
    }

    @Test func wallClockIsRFC3339() {
        let text = WallClock.rfc3339()
        #expect(text.count == 24)
        #expect(text.hasSuffix("Z"))
        #expect(Array(text)[10] == "T")
    }
}

@Suite struct FileDescriptorIOTests {
    @Test func wholeFilesRoundTripAndOversizeIsRefused() throws {
        var template = Array("/tmp/netsock-io.XXXXXX".utf8CString)
        let directory = String(cString: mkdtemp(&template)!)
        defer { rmdir(directory) }
        let path = directory + "/f"
        defer { unlink(path) }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 * 31) }
        #expect(FileDescriptorIO.writeAll(fd, bytes))
        close(fd)
        #expect(try FileDescriptorIO.readFile(path) == bytes)
        #expect(throws: SystemError.self) { try FileDescriptorIO.readFile(path, limit: 1000) }
        #expect(throws: SystemError.self) { try FileDescriptorIO.readFile(directory + "/missing") }
        #expect(!FileDescriptorIO.writeAll(-1, [1]))
    }
}

/// Regression: cancelled timers stayed in the heap until their deadline, so re-arming
/// long timers grew it without bound.
@Suite struct ReactorTimerHeapTests {
    @Test func cancelledTimersAreSweptFromTheHeap() throws {
        let reactor = try Reactor()
        var live: [Reactor.TimerID] = []
        for round in 0..<100_000 {
            let id = reactor.schedule(afterNanoseconds: 3_600_000_000_000) {}
            if round % 1000 == 0 { live.append(id) } else { reactor.cancel(id) }
        }
        #expect(reactor.timerHeapCount < 1000, "\(reactor.timerHeapCount) entries for \(live.count) live timers")
    }
}
