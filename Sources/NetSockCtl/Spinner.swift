#if canImport(Glibc)
import Glibc
#endif
import NetSockPOSIX
import Synchronization

/// A spinner with the current stage on stderr, for long operations on a terminal;
/// silent when stderr is not one (scripts see nothing).
final class Spinner: Sendable {
    private let stage: Mutex<String>
    private let running = Atomic<Bool>(false)
    private let enabled: Bool
    private let label: String

    init(_ label: String, stage: String) {
        self.label = label
        self.stage = Mutex(stage)
        self.enabled = isatty(2) == 1
    }

    func start() {
        guard self.enabled else { return }
        self.running.store(true, ordering: .releasing)
        let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
        DedicatedThread.detach(name: "netsockctl-spin") { [self] in
            var frame = 0
            while self.running.load(ordering: .acquiring) {
                let text = "\r\u{1B}[2K\(frames[frame % frames.count]) \(self.label): \(self.stage.withLock { $0 })"
                _ = text.withCString { write(2, $0, strlen($0)) }
                frame += 1
                usleep(100_000)
            }
        }
    }

    func update(_ stage: String) { self.stage.withLock { $0 = stage } }

    func stop() {
        guard self.enabled, self.running.exchange(false, ordering: .acquiringAndReleasing) else { return }
        usleep(110_000)
        _ = "\r\u{1B}[2K".withCString { write(2, $0, strlen($0)) }
    }
}
