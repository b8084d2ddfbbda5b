/// A token bucket: `rate` tokens a second, at most `burst` saved. Rate-limits the ICMP
/// errors the stack sends, as hosts must (RFC 1812 §4.3.2.8; Linux: 1,000 a second,
/// burst 50).
public struct TokenBucket: Sendable, Equatable {
    public var rate: Int
    public var burst: Int
    private var tokens: Int
    private var refilledAt: Instant?

    public init(rate: Int, burst: Int) {
        self.rate = rate
        self.burst = burst
        self.tokens = burst
    }

    public mutating func take(at now: Instant) -> Bool {
        if let refilledAt {
            let earned = (now - refilledAt).microseconds * Int64(self.rate) / 1_000_000
            if earned > 0 {
                self.tokens = min(self.burst, self.tokens + Int(min(earned, Int64(self.burst))))
                self.refilledAt = now
            }
        } else {
            self.refilledAt = now
        }
        guard self.tokens > 0 else { return false }
        self.tokens -= 1
        return true
    }
}
