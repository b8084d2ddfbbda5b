import Dispatch
import NetSockPOSIX

/// A value carried across threads by code that guarantees only one thread touches it
/// at a time (handed to a worker, then back to the reactor).
struct Handoff<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Work that may block (reading files, NSS look-ups that a slow LDAP source can stall)
/// runs on one worker thread, never on the event loop; its result comes back on the
/// reactor. The queue is bounded: past it, `run` refuses and the caller answers without.
final class BlockingWork: @unchecked Sendable {
    static let maxQueued = 256
    private let queue = DispatchQueue(label: "netsockd-blocking")
    private let reactor: Reactor
    /// Jobs not yet back; touched on the reactor thread only.
    private var queued = 0

    init(reactor: Reactor) { self.reactor = reactor }

    /// Runs `work` on the worker, then `then` on the reactor thread; false when the queue is full.
    @discardableResult
    func run<Result>(_ work: @escaping @Sendable () -> Result, then: @escaping (Result) -> Void) -> Bool {
        guard self.queued < Self.maxQueued else { return false }
        self.queued += 1
        let back = Handoff(then)
        self.queue.async { [reactor] in
            let result = Handoff(work())
            reactor.execute { [self] in
                self.queued -= 1
                back.value(result.value)
            }
        }
        return true
    }
}
