import NetSockPOSIX

/// A one-shot timer that can be cancelled.
public struct Cancellation {
    private let action: () -> Void
    public init(_ action: @escaping () -> Void) { self.action = action }
    public func cancel() { self.action() }
}

/// Where timers come from: the reactor in the daemon, a manual clock in tests, so
/// every timeout rule is testable without sleeping.
public protocol TimerScheduler: AnyObject {
    /// Milliseconds on a monotonic clock, for expiry times (DNS cache TTLs).
    var nowMilliseconds: Int { get }

    @discardableResult
    func scheduleTimer(afterMilliseconds milliseconds: Int, _ task: @escaping () -> Void) -> Cancellation
}

extension Reactor: TimerScheduler {
    public var nowMilliseconds: Int { Int(MonotonicClock.nanoseconds() / 1_000_000) }

    @discardableResult
    public func scheduleTimer(afterMilliseconds milliseconds: Int, _ task: @escaping () -> Void) -> Cancellation {
        let id: Reactor.TimerID = self.schedule(afterNanoseconds: UInt64(max(0, milliseconds)) * 1_000_000, task)
        return Cancellation { [unowned self] in self.cancel(id) }
    }
}
