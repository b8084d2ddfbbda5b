#if canImport(Glibc)
import Glibc
#endif
import NetSockPOSIX
import Synchronization

/// Drives request/response round trips over Unix stream sockets from N threads and
/// counts replies. The client side is the same for the daemon and for the ceiling,
/// and does no JSON work: it sends pre-encoded request lines and counts `\n`s, so
/// the figure measures the server and the transport, not the load generator.
enum LoadGenerator {
    struct Result {
        var roundTrips: Int
        var seconds: Double
        var perSecond: Double { Double(self.roundTrips) / self.seconds }
    }

    /// `clients` connections, each keeping `window` requests in flight (1 = ping-pong), for `seconds`.
    static func run(path: String, request: [UInt8], clients: Int, window: Int, seconds: Double) throws -> Result {
        let fds = try (0..<clients).map { _ in try UnixSocket.connect(path: path) }
        defer { fds.forEach { close($0) } }
        let total = Atomic<Int>(0)
        let start = MonotonicClock.nanoseconds()
        let deadline = start + UInt64(seconds * 1e9)
        let threads = fds.map { fd in
            spawn {
                let count = Self.drive(fd: fd, request: request, window: window, deadline: deadline)
                total.add(count, ordering: .relaxed)
            }
        }
        for thread in threads { pthread_join(thread, nil) }
        let elapsed = Double(MonotonicClock.nanoseconds() - start) / 1e9
        return Result(roundTrips: total.load(ordering: .relaxed), seconds: elapsed)
    }

    private static func drive(fd: Int32, request: [UInt8], window: Int, deadline: UInt64) -> Int {
        var completed = 0
        var outstanding = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let burst = [UInt8](Array(repeating: request, count: window).joined())
        var sending = true
        while true {
            if sending && outstanding == 0 {
                guard writeAll(fd, burst) else { return completed }
                outstanding = window
            }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { return completed }
            for index in 0..<count where buffer[index] == 0x0A {
                outstanding -= 1
                completed += 1
            }
            if outstanding == 0 {
                if MonotonicClock.nanoseconds() >= deadline { return completed }
                sending = true
            }
        }
    }
}

func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
        if written <= 0 {
            if written < 0 && errno == EINTR { continue }
            return false
        }
        offset += written
    }
    return true
}

private final class ThreadBody {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

/// Starts a joinable thread.
func spawn(_ body: @escaping () -> Void) -> pthread_t {
    var thread = pthread_t()
    pthread_create(&thread, nil, { raw in
        Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue().body()
        return nil
    }, Unmanaged.passRetained(ThreadBody(body)).toOpaque())
    return thread
}
