/// The stack's source of randomness (ephemeral ports, IP identification, DHCP
/// transaction ids and backoff, fault injection): seeded, so a simulation replays
/// exactly; the daemon seeds it from the system's entropy.
public struct StackRandom: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { self.state = seed }

    /// SplitMix64: small, fast, and good enough for everything here that is not secret.
    public mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound` (the tiny modulo bias is irrelevant at these bounds).
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        return Int(self.next() % UInt64(bound))
    }

    /// True with probability `chance` (0...1).
    public mutating func chance(_ chance: Double) -> Bool {
        chance > 0 && Double(self.next() >> 11) / Double(1 << 53) < chance
    }
}
