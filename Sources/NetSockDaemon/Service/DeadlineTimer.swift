import NetSockPOSIX
import NetSockStack

/// One reactor timer at a driver's next deadline (a stack's `nextPoll`, a modem's
/// `nextDeadline`), moved only when that deadline changes: the drivers ask after every
/// turn, and most turns leave it where it was.
final class DeadlineTimer {
    private let reactor: Reactor
    private var timer: Reactor.TimerID?
    private var deadline: Instant?

    init(reactor: Reactor) { self.reactor = reactor }

    static var now: Instant { Instant(microseconds: Int64(MonotonicClock.nanoseconds() / 1000)) }

    /// Runs `action` at `next` (nil: never); a timer already at `next` stays.
    func move(to next: Instant?, _ action: @escaping () -> Void) {
        guard next != self.deadline else { return }
        if let timer { self.reactor.cancel(timer) }
        self.timer = nil
        self.deadline = next
        guard let next else { return }
        let wait = max(0, (next - Self.now).microseconds)
        self.timer = self.reactor.schedule(afterNanoseconds: UInt64(wait) * 1000) { [weak self] in
            self?.timer = nil
            self?.deadline = nil
            action()
        }
    }
}
