#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux

/// Runs a long-lived loop on its own pthread with a generous stack.
///
/// The reactor runs here rather than on a Swift concurrency thread: it blocks in
/// `epoll_wait`, which a cooperative pool thread must never do.
public enum DedicatedThread {
    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Lowers (or, with privilege, raises) the calling thread's scheduling priority alone.
    @discardableResult
    public static func setCurrentThreadNice(_ nice: Int32) -> Bool { cnetsock_set_thread_nice(nice) == 0 }

    /// Runs `body` on a new detached thread and returns at once.
    public static func detach(name: String, _ body: @escaping @Sendable () -> Void) {
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        guard pthread_create(&thread, nil, { raw in
            Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
            return nil
        }, box) == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            return
        }
        _ = cnetsock_set_thread_name(thread, String(name.prefix(15)))
        pthread_detach(thread)
    }

    /// Runs `body` on a new thread and returns when it has finished.
    public static func run(name: String, stackBytes: Int = 16 << 20, _ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let box = Box {
                body()
                continuation.resume()
            }
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            pthread_attr_setstacksize(&attributes, stackBytes)
            var thread = pthread_t()
            let started = pthread_create(&thread, &attributes, { raw in
                let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
                box.body()
                return nil
            }, Unmanaged.passRetained(box).toOpaque())
            pthread_attr_destroy(&attributes)
            if started != 0 {
                // No thread: run inline rather than never finishing.
                box.body()
            } else {
                _ = cnetsock_set_thread_name(thread, String(name.prefix(15)))
                pthread_detach(thread)
            }
        }
    }
}
