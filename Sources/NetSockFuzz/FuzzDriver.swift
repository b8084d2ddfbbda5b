#if canImport(Glibc)
import Glibc
#endif

/// One libFuzzer target: a parser fed arbitrary bytes, with the invariants it must keep.
///
/// Every target traps (a crash libFuzzer saves) on a broken invariant and on an input
/// that costs more than `maxMilliseconds` of CPU: slowness is a defect here, because a
/// slow parser on the event loop stalls every client. CPU time, not wall time, so that
/// a busy machine does not make an input look slow.
public struct FuzzTarget: Sendable {
    public let name: String
    let body: @Sendable (UnsafeBufferPointer<UInt8>) -> Void

    public static let maxMilliseconds = 100

    public init(name: String, _ body: @escaping @Sendable (UnsafeBufferPointer<UInt8>) -> Void) {
        self.name = name
        self.body = body
    }

    /// Runs one input under the time limit. An input over it runs once more and is a
    /// defect only if slow again: the kernel's work for the process (page faults as
    /// the sanitizer's heap grows) is charged to whichever input was running, and
    /// once in millions of runs that alone passes the limit.
    public func run(_ input: UnsafeBufferPointer<UInt8>) {
        let first = self.timed(input)
        guard first > UInt64(Self.maxMilliseconds) else { return }
        let second = self.timed(input)
        if second > UInt64(Self.maxMilliseconds) {
            fatalError("\(self.name): one input of \(input.count) bytes took \(first) and \(second) ms of CPU (limit \(Self.maxMilliseconds))")
        }
    }

    private func timed(_ input: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let start = Self.cpuNanoseconds()
        self.body(input)
        return (Self.cpuNanoseconds() - start) / 1_000_000
    }

    public func run(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { self.run($0) } }

    static func cpuNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    public static let all: [FuzzTarget] = [
        StreamFramerTarget.target, HTTPDecoderTarget.target, JSONCodecTarget.target, DNSCodecTarget.target,
        NetlinkCodecTarget.target, ConfigurationTarget.target, DatagramFrameTarget.target,
        WireFormatsTarget.target, StackFramesTarget.target, TLSSessionTarget.target, ATChannelTarget.target, ModemStackTarget.target, SimulatedModemTarget.target, WPAControlTarget.target,
    ]

    public static func named(_ name: String) -> FuzzTarget? { self.all.first { $0.name == name } }

    /// The target `$NETSOCK_FUZZ_TARGET` names; the fuzz binary runs only that one.
    public static let selected: FuzzTarget = {
        let name = getenv("NETSOCK_FUZZ_TARGET").map { String(cString: $0) } ?? ""
        guard let target = named(name) else {
            fatalError("set NETSOCK_FUZZ_TARGET to one of \(all.map(\.name).joined(separator: ", "))")
        }
        return target
    }()
}

/// Breaks a fuzz input into a chunking seed and the rest, so that the same bytes are also
/// tried split at many places (streams arrive in reads of any size).
struct Chunks: Sequence, IteratorProtocol {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position: Int
    private var seed: UInt32

    init(_ input: UnsafeBufferPointer<UInt8>) {
        self.seed = UInt32(input.first ?? 0) | 1
        self.bytes = input
        self.position = input.isEmpty ? 0 : 1
    }

    mutating func next() -> UnsafeBufferPointer<UInt8>? {
        guard self.position < self.bytes.count else { return nil }
        self.seed = self.seed &* 1_103_515_245 &+ 12345
        let size = 1 + Int(self.seed >> 16) % 600
        let end = Swift.min(self.bytes.count, self.position + size)
        defer { self.position = end }
        return UnsafeBufferPointer(rebasing: self.bytes[self.position..<end])
    }
}

func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError(message()) }
}
