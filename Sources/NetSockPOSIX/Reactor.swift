#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux
import Synchronization

/// A single-threaded epoll event loop: file-descriptor readiness, timers, and
/// tasks posted from other threads.
///
/// Everything registered with the reactor runs on its thread, one callback at a
/// time, so the state those callbacks touch needs no locks. Only ``execute(_:)``,
/// ``stop()`` and ``isRunning`` may be called from other threads.
public final class Reactor: @unchecked Sendable {
    /// Readiness the reactor reports, and interest a registration asks for.
    public struct Events: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let readable = Events(rawValue: 1)
        public static let writable = Events(rawValue: 2)
        /// Hang-up or error; always reported, never needs asking for.
        public static let hangup = Events(rawValue: 4)
        /// Interest only: report changes once (EPOLLET) rather than while the state lasts.
        /// Sockets the application drains at its own pace use it, as Mbed stacks signal edges.
        public static let edgeTriggered = Events(rawValue: 8)
    }

    public typealias Handler = (Events) -> Void

    /// Identifies a timer for ``cancel(_:)``.
    public struct TimerID: Hashable, Sendable {
        fileprivate let value: UInt64
    }

    private struct Registration {
        var generation: UInt32
        var interest: Events
        var handler: Handler
    }

    private struct Timer: Comparable {
        var deadline: UInt64
        var id: UInt64
        static func < (lhs: Timer, rhs: Timer) -> Bool { (lhs.deadline, lhs.id) < (rhs.deadline, rhs.id) }
    }

    private let epollFD: Int32
    private let wakeFD: Int32
    private var registrations: [Int32: Registration] = [:]
    private var nextGeneration: UInt32 = 1
    private var timerHeap = BinaryHeap<Timer>()
    private var timerTasks: [UInt64: () -> Void] = [:]
    /// Heap entries whose timer was cancelled; past half the heap they are swept out,
    /// so cancelling never grows the heap without bound.
    private var cancelledTimers = 0
    private var nextTimerID: UInt64 = 1
    private let posted = Mutex<[@Sendable () -> Void]>([])
    private var localTasks: [() -> Void] = []
    /// Callbacks that run longer than this (0: not measured) are reported to
    /// ``onSlowCallback``: every other client waits while one runs, so they are stalls.
    public var slowCallbackNanoseconds: UInt64 = 0
    /// Told what ran long ("fd 12", "tasks", "timers") and for how many nanoseconds.
    public var onSlowCallback: ((String, UInt64) -> Void)?
    /// The longest callback seen since start, when measuring.
    public private(set) var longestCallbackNanoseconds: UInt64 = 0
    private let running = Atomic<Bool>(false)
    private let stopRequested = Atomic<Bool>(false)
    private var loopThread: pthread_t?

    public init() throws(SystemError) {
        let epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw .last("epoll_create1") }
        let wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeFD >= 0 else {
            close(epollFD)
            throw .last("eventfd")
        }
        self.epollFD = epollFD
        self.wakeFD = wakeFD
        var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(u64: UInt64.max))
        epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event)
    }

    deinit {
        close(self.epollFD)
        close(self.wakeFD)
    }

    /// True on the reactor's own thread while it runs.
    public var inReactorThread: Bool {
        guard let loopThread else { return false }
        return pthread_equal(loopThread, pthread_self()) != 0
    }

    public var isRunning: Bool { self.running.load(ordering: .acquiring) }

    // MARK: File descriptors

    /// Watches `fd` for `interest`; `handler` runs on the reactor thread with what is ready.
    public func register(_ fd: Int32, interest: Events, handler: @escaping Handler) throws(SystemError) {
        precondition(self.registrations[fd] == nil, "fd \(fd) registered twice")
        let generation = self.nextGeneration
        self.nextGeneration &+= 1
        var event = epoll_event(events: Self.epollBits(interest), data: epoll_data_t(u64: Self.key(fd, generation)))
        guard epoll_ctl(self.epollFD, EPOLL_CTL_ADD, fd, &event) == 0 else { throw .last("epoll_ctl(ADD)") }
        self.registrations[fd] = Registration(generation: generation, interest: interest, handler: handler)
    }

    /// Changes what `fd` is watched for; a no-op when unchanged.
    public func setInterest(_ fd: Int32, _ interest: Events) {
        guard var registration = self.registrations[fd], registration.interest != interest else { return }
        registration.interest = interest
        self.registrations[fd] = registration
        var event = epoll_event(
            events: Self.epollBits(interest), data: epoll_data_t(u64: Self.key(fd, registration.generation)))
        epoll_ctl(self.epollFD, EPOLL_CTL_MOD, fd, &event)
    }

    public func interest(of fd: Int32) -> Events? { self.registrations[fd]?.interest }

    /// Stops watching `fd`. Call before closing it.
    public func unregister(_ fd: Int32) {
        guard self.registrations.removeValue(forKey: fd) != nil else { return }
        epoll_ctl(self.epollFD, EPOLL_CTL_DEL, fd, nil)
    }

    private static func key(_ fd: Int32, _ generation: UInt32) -> UInt64 {
        UInt64(generation) << 32 | UInt64(UInt32(bitPattern: fd))
    }

    private static func epollBits(_ interest: Events) -> UInt32 {
        var bits: UInt32 = 0
        if interest.contains(.readable) { bits |= EPOLLIN.rawValue | EPOLLRDHUP.rawValue }
        if interest.contains(.writable) { bits |= EPOLLOUT.rawValue }
        if interest.contains(.edgeTriggered) { bits |= EPOLLET.rawValue }
        return bits
    }

    // MARK: Timers

    /// Runs `task` on the reactor thread after `nanoseconds`.
    @discardableResult
    public func schedule(afterNanoseconds nanoseconds: UInt64, _ task: @escaping () -> Void) -> TimerID {
        let id = self.nextTimerID
        self.nextTimerID += 1
        self.timerHeap.insert(Timer(deadline: MonotonicClock.nanoseconds() &+ nanoseconds, id: id))
        self.timerTasks[id] = task
        return TimerID(value: id)
    }

    /// Cancels a timer that has not fired; harmless otherwise.
    public func cancel(_ timer: TimerID) {
        guard self.timerTasks.removeValue(forKey: timer.value) != nil else { return }
        self.cancelledTimers += 1
        if self.cancelledTimers > 64 && self.cancelledTimers * 2 > self.timerHeap.count {
            self.timerHeap.removeAll { self.timerTasks[$0.id] == nil }
            self.cancelledTimers = 0
        }
    }

    /// Timers waiting in the heap, cancelled ones not yet swept included (for tests).
    public var timerHeapCount: Int { self.timerHeap.count }

    /// Runs `task` on this thread in the next iteration of the loop, once the descriptors
    /// ready now have been served. Only from the reactor thread; unlike ``execute(_:)``
    /// the task need not be `Sendable`.
    public func deferToNextTick(_ task: @escaping () -> Void) {
        self.localTasks.append(task)
        self.wake()
    }

    // MARK: Cross-thread

    /// Runs `task` on the reactor thread soon. Safe from any thread.
    public func execute(_ task: @escaping @Sendable () -> Void) {
        self.posted.withLock { $0.append(task) }
        self.wake()
    }

    /// Makes ``run()`` return after the current iteration. Safe from any thread.
    public func stop() {
        self.stopRequested.store(true, ordering: .releasing)
        self.wake()
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(self.wakeFD, &one, 8)
    }

    // MARK: Loop

    /// Runs the loop on the calling thread until ``stop()``.
    public func run() {
        self.loopThread = pthread_self()
        self.running.store(true, ordering: .releasing)
        defer { self.running.store(false, ordering: .releasing) }
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        while !self.stopRequested.load(ordering: .acquiring) {
            let timeout = self.nextTimeoutMilliseconds()
            let count = events.withUnsafeMutableBufferPointer {
                epoll_wait(self.epollFD, $0.baseAddress, Int32($0.count), timeout)
            }
            if count < 0 {
                if errno == EINTR { continue }
                break
            }
            for index in 0..<Int(count) {
                let key = events[index].data.u64
                if key == UInt64.max {
                    var value: UInt64 = 0
                    _ = read(self.wakeFD, &value, 8)
                    continue
                }
                let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: key))
                guard let registration = self.registrations[fd],
                    registration.generation == UInt32(truncatingIfNeeded: key >> 32)
                else { continue }  // Unregistered earlier in this batch.
                let bits = events[index].events
                var ready: Events = []
                if bits & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue) != 0 { ready.insert(.readable) }
                if bits & EPOLLOUT.rawValue != 0 { ready.insert(.writable) }
                if bits & (EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 { ready.insert(.hangup) }
                self.measured({ "fd \(fd)" }) { registration.handler(ready) }
            }
            self.measured({ "deferred tasks" }) { self.runPostedTasks() }
            self.measured({ "timers" }) { self.runDueTimers() }
        }
        self.runPostedTasks()
    }

    private func measured(_ what: () -> String, _ body: () -> Void) {
        guard self.slowCallbackNanoseconds > 0 else { return body() }
        let start = MonotonicClock.nanoseconds()
        body()
        let spent = MonotonicClock.nanoseconds() - start
        if spent > self.longestCallbackNanoseconds { self.longestCallbackNanoseconds = spent }
        if spent > self.slowCallbackNanoseconds { self.onSlowCallback?(what(), spent) }
    }

    private func runPostedTasks() {
        // Tasks deferred by these tasks wait for the next iteration, after other
        // descriptors have had their turn: a client that defers its own continuation
        // cannot keep the loop.
        if !self.localTasks.isEmpty {
            let tasks = self.localTasks
            self.localTasks.removeAll()
            for task in tasks { task() }
        }
        while true {
            let tasks = self.posted.withLock { queue -> [@Sendable () -> Void] in
                let taken = queue
                queue.removeAll(keepingCapacity: true)
                return taken
            }
            if tasks.isEmpty { return }
            for task in tasks { task() }
        }
    }

    private func runDueTimers() {
        let now = MonotonicClock.nanoseconds()
        while let first = self.timerHeap.min, first.deadline <= now {
            self.timerHeap.removeMin()
            if let task = self.timerTasks.removeValue(forKey: first.id) {
                task()
            } else {
                self.cancelledTimers -= 1
            }
        }
    }

    private func nextTimeoutMilliseconds() -> Int32 {
        if !self.localTasks.isEmpty { return 0 }
        // Drop cancelled timers from the top so they do not cause early wake-ups.
        while let first = self.timerHeap.min, self.timerTasks[first.id] == nil {
            self.timerHeap.removeMin()
            self.cancelledTimers -= 1
        }
        guard let first = self.timerHeap.min else { return -1 }
        let now = MonotonicClock.nanoseconds()
        guard first.deadline > now else { return 0 }
        return Int32(min((first.deadline - now + 999_999) / 1_000_000, 60_000))
    }
}

/// A minimal binary min-heap for the timer queue.
struct BinaryHeap<Element: Comparable> {
    private var storage: [Element] = []

    var min: Element? { self.storage.first }
    var count: Int { self.storage.count }

    /// Removes every element matching `predicate` and restores heap order, in O(n).
    mutating func removeAll(where predicate: (Element) -> Bool) {
        self.storage.removeAll(where: predicate)
        var parent = self.storage.count / 2
        while parent > 0 {
            parent -= 1
            self.siftDown(from: parent)
        }
    }

    mutating func insert(_ element: Element) {
        self.storage.append(element)
        var child = self.storage.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard self.storage[child] < self.storage[parent] else { break }
            self.storage.swapAt(child, parent)
            child = parent
        }
    }

    mutating func removeMin() {
        guard !self.storage.isEmpty else { return }
        self.storage.swapAt(0, self.storage.count - 1)
        self.storage.removeLast()
        self.siftDown(from: 0)
    }

    private mutating func siftDown(from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < self.storage.count && self.storage[left] < self.storage[smallest] { smallest = left }
            if right < self.storage.count && self.storage[right] < self.storage[smallest] { smallest = right }
            if smallest == parent { return }
            self.storage.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
