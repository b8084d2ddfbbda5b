/// The retransmission timeout of RFC 6298: a smoothed round-trip time and its variance
/// from each sample (never one of a retransmitted segment, Karn's rule, which the
/// caller keeps), doubled on every timeout up to a maximum.
public struct RetransmissionTimer: Sendable, Equatable {
    public struct Settings: Sendable, Equatable {
        public var initial = TimeSpan.seconds(1)
        /// RFC 6298 asks for one second; Linux, and this stack, use 200 ms.
        public var minimum = TimeSpan.milliseconds(200)
        public var maximum = TimeSpan.seconds(60)
        /// The clock granularity G.
        public var granularity = TimeSpan.milliseconds(1)

        public init() {}
    }

    public let settings: Settings
    public private(set) var smoothed: TimeSpan?
    public private(set) var variance = TimeSpan.zero
    public private(set) var timeout: TimeSpan
    public private(set) var backoffs = 0

    public init(settings: Settings = Settings()) {
        self.settings = settings
        self.timeout = settings.initial
    }

    /// A new measurement (RFC 6298 §2.2, §2.3).
    public mutating func sample(_ rtt: TimeSpan) {
        let r = Swift.max(rtt.microseconds, 0)
        if let smoothed {
            let delta = abs(smoothed.microseconds - r)
            self.variance = TimeSpan(microseconds: (3 * self.variance.microseconds + delta) / 4)
            self.smoothed = TimeSpan(microseconds: (7 * smoothed.microseconds + r) / 8)
        } else {
            self.smoothed = TimeSpan(microseconds: r)
            self.variance = TimeSpan(microseconds: r / 2)
        }
        self.backoffs = 0
        self.timeout = self.computed
    }

    private var computed: TimeSpan {
        guard let smoothed else { return self.settings.initial }
        let candidate = smoothed.microseconds + Swift.max(self.settings.granularity.microseconds, 4 * self.variance.microseconds)
        return TimeSpan(microseconds: Swift.min(Swift.max(candidate, self.settings.minimum.microseconds), self.settings.maximum.microseconds))
    }

    /// The timer expired: back off (RFC 6298 §5.5).
    public mutating func backOff() {
        self.backoffs += 1
        self.timeout = TimeSpan(microseconds: Swift.min(self.timeout.microseconds * 2, self.settings.maximum.microseconds))
    }
}
