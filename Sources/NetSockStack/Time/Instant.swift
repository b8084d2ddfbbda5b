/// A point in time on the stack's clock, in microseconds from an epoch the caller
/// chooses. The stack never reads a clock: every `poll(now:)` brings the time, so tests
/// step it by hand and replay exactly.
public struct Instant: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public static func milliseconds(_ value: Int64) -> Instant { Instant(microseconds: value * 1000) }
    public static func seconds(_ value: Int64) -> Instant { Instant(microseconds: value * 1_000_000) }
    public static let zero = Instant(microseconds: 0)

    public var milliseconds: Int64 { self.microseconds / 1000 }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.microseconds < rhs.microseconds }
    public static func + (lhs: Instant, rhs: TimeSpan) -> Instant { Instant(microseconds: lhs.microseconds + rhs.microseconds) }
    public static func - (lhs: Instant, rhs: TimeSpan) -> Instant { Instant(microseconds: lhs.microseconds - rhs.microseconds) }
    public static func - (lhs: Instant, rhs: Instant) -> TimeSpan { TimeSpan(microseconds: lhs.microseconds - rhs.microseconds) }
    public static func += (lhs: inout Instant, rhs: TimeSpan) { lhs = lhs + rhs }

    public var description: String { "\(Double(self.microseconds) / 1e6)s" }
}

/// A length of time, in microseconds.
public struct TimeSpan: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public static func milliseconds(_ value: Int64) -> TimeSpan { TimeSpan(microseconds: value * 1000) }
    public static func seconds(_ value: Int64) -> TimeSpan { TimeSpan(microseconds: value * 1_000_000) }
    public static let zero = TimeSpan(microseconds: 0)

    public var milliseconds: Int64 { self.microseconds / 1000 }

    public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.microseconds < rhs.microseconds }
    public static func + (lhs: TimeSpan, rhs: TimeSpan) -> TimeSpan { TimeSpan(microseconds: lhs.microseconds + rhs.microseconds) }
    public static func * (lhs: TimeSpan, rhs: Int64) -> TimeSpan { TimeSpan(microseconds: lhs.microseconds * rhs) }

    public var description: String { "\(Double(self.microseconds) / 1e6)s" }
}

extension Optional where Wrapped == Instant {
    /// The earlier of two optional deadlines; nil means "none".
    func earliest(_ other: Instant?) -> Instant? {
        switch (self, other) {
        case (nil, let other): other
        case (let mine, nil): mine
        case (let mine?, let other?): Swift.min(mine, other)
        }
    }
}
