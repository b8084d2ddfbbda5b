#if canImport(Glibc)
import Glibc
#endif

/// A TCP congestion controller: the congestion window in bytes, grown by acknowledged
/// data and cut by loss. The connection tells it what happened; it keeps no timers.
public protocol CongestionControl: Sendable {
    var window: Int { get }
    var slowStartThreshold: Int { get }
    /// `bytes` newly acknowledged outside recovery.
    mutating func acknowledged(_ bytes: Int, rtt: TimeSpan?, at now: Instant)
    /// Loss found by duplicate ACKs or SACK (fast retransmit), once per window.
    mutating func lost(inFlight: Int, at now: Instant)
    /// The retransmission timer expired.
    mutating func timedOut(inFlight: Int, at now: Instant)
}

extension CongestionControl {
    /// RFC 6928: ten segments, within 14,600 bytes but at least two segments.
    static func initialWindow(_ segmentSize: Int) -> Int { Swift.min(10 * segmentSize, Swift.max(2 * segmentSize, 14_600)) }
}

/// RFC 5681 with appropriate byte counting (RFC 3465, L = 2 segments): slow start
/// below the threshold, one segment per window above it; halve on loss.
public struct NewReno: CongestionControl {
    public let segmentSize: Int
    public private(set) var window: Int
    public private(set) var slowStartThreshold = Int.max
    private var acknowledgedThisWindow = 0

    public init(segmentSize: Int) {
        self.segmentSize = segmentSize
        self.window = Self.initialWindow(segmentSize)
    }

    public mutating func acknowledged(_ bytes: Int, rtt: TimeSpan?, at now: Instant) {
        guard bytes > 0 else { return }
        if self.window < self.slowStartThreshold {
            self.window += Swift.min(bytes, 2 * self.segmentSize)
        } else {
            self.acknowledgedThisWindow += bytes
            if self.acknowledgedThisWindow >= self.window {
                self.acknowledgedThisWindow -= self.window
                self.window += self.segmentSize
            }
        }
    }

    public mutating func lost(inFlight: Int, at now: Instant) {
        self.slowStartThreshold = Swift.max(inFlight / 2, 2 * self.segmentSize)
        self.window = self.slowStartThreshold
        self.acknowledgedThisWindow = 0
    }

    public mutating func timedOut(inFlight: Int, at now: Instant) {
        self.slowStartThreshold = Swift.max(inFlight / 2, 2 * self.segmentSize)
        self.window = self.segmentSize
        self.acknowledgedThisWindow = 0
    }
}

/// CUBIC (RFC 9438): after a loss the window follows C·(t − K)³ + W_max, concave up
/// to the window where the loss happened and convex past it, never below what Reno
/// would reach in the same time; β = 0.7, C = 0.4, with fast convergence.
public struct Cubic: CongestionControl {
    public static let beta = 0.7
    public static let c = 0.4

    public let segmentSize: Int
    public private(set) var window: Int
    public private(set) var slowStartThreshold = Int.max
    /// In segments, as the RFC's formulas take them.
    private var maximumWindow = 0.0
    private var previousMaximum = 0.0
    private var epochStart: Instant?
    private var k = 0.0
    private var renoEstimate = 0.0
    private var smoothedRTT = TimeSpan.milliseconds(100)
    private var pendingGrowth = 0.0

    public init(segmentSize: Int) {
        self.segmentSize = segmentSize
        self.window = Self.initialWindow(segmentSize)
    }

    var segments: Double { Double(self.window) / Double(self.segmentSize) }

    /// W_cubic(t), in segments, `t` seconds into the epoch.
    func cubicWindow(_ t: Double) -> Double { Self.c * (t - self.k) * (t - self.k) * (t - self.k) + self.maximumWindow }

    public mutating func acknowledged(_ bytes: Int, rtt: TimeSpan?, at now: Instant) {
        guard bytes > 0 else { return }
        if let rtt { self.smoothedRTT = rtt }
        if self.window < self.slowStartThreshold {
            self.window += Swift.min(bytes, 2 * self.segmentSize)
            return
        }
        if self.epochStart == nil {
            // A new epoch without a loss just now (slow start ended at the threshold, as
            // after a timeout): K from the window we start at (RFC 9438 eq. 2).
            self.epochStart = now
            self.maximumWindow = Swift.max(self.maximumWindow, self.segments)
            self.k = cbrt((self.maximumWindow - self.segments) / Self.c)
            self.renoEstimate = self.segments
        }
        let acked = Double(bytes) / Double(self.segmentSize)
        let t = Double((now - self.epochStart!).microseconds) / 1e6
        let target = Swift.min(self.cubicWindow(t + Double(self.smoothedRTT.microseconds) / 1e6), 1.5 * self.segments)
        // The Reno-friendly estimate (§4.3): what a Reno flow would have by now.
        let alpha = 3 * (1 - Self.beta) / (1 + Self.beta)
        self.renoEstimate += alpha * acked / self.segments
        let growth: Double
        if target > self.segments {
            growth = (target - self.segments) / self.segments * acked
        } else {
            growth = acked / (100 * self.segments)  // Plateau: barely grow (the RFC's 1/100 per RTT).
        }
        let cubicNext = self.segments + growth
        let next = Swift.max(cubicNext, self.renoEstimate)
        self.pendingGrowth += (next - self.segments) * Double(self.segmentSize)
        if self.pendingGrowth >= 1 {
            let whole = Int(self.pendingGrowth)
            self.window += whole
            self.pendingGrowth -= Double(whole)
        }
    }

    public mutating func lost(inFlight: Int, at now: Instant) {
        let current = self.segments
        // Fast convergence: a flow losing below its last maximum leaves room for others.
        self.maximumWindow = current < self.previousMaximum ? current * (1 + Self.beta) / 2 : current
        self.previousMaximum = current
        let reduced = Swift.max(current * Self.beta, 2)
        self.window = Int(reduced * Double(self.segmentSize))
        self.slowStartThreshold = self.window
        self.k = cbrt(self.maximumWindow * (1 - Self.beta) / Self.c)
        self.epochStart = now
        self.renoEstimate = reduced
        self.pendingGrowth = 0
    }

    public mutating func timedOut(inFlight: Int, at now: Instant) {
        self.lost(inFlight: inFlight, at: now)
        self.window = self.segmentSize
        self.epochStart = nil
    }
}
