#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux

/// A program the daemon or a tool starts beside itself (wpa_supplicant, dnsmasq, `ip`):
/// stdin from /dev/null, stdout and stderr to one file (or /dev/null), none of our other
/// descriptors, default signal handling. The caller reaps it.
public struct ChildProcess: Sendable {
    public let pid: pid_t

    /// Starts `argv[0]` (an absolute path) with `argv`; `output` receives stdout and stderr.
    public static func spawn(_ argv: [String], output: String = "/dev/null") throws(SystemError) -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        cnetsock_spawn_close_from(&actions, 3)
        let arguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        let status = Self.withFreshSignals { attributes in posix_spawn(&pid, argv.first ?? "", &actions, attributes, arguments, environ) }
        guard status == 0 else { throw SystemError("posix_spawn \(argv.first ?? "")", errno: status) }
        return ChildProcess(pid: pid)
    }

    /// posix_spawn attributes for a child that starts afresh: every signal at its default
    /// action and none blocked, whatever the parent (a daemon, a test runner) set.
    public static func withFreshSignals<T>(_ body: (UnsafePointer<posix_spawnattr_t>) -> T) -> T {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        return body(&attributes)
    }

    /// Runs `argv` to its end: its exit code (128 + the signal when killed).
    @discardableResult
    public static func run(_ argv: [String], output: String = "/dev/null") throws(SystemError) -> Int32 {
        try self.spawn(argv, output: output).waitForExit()
    }

    /// The exit code, or nil while it runs (-1 when it was reaped elsewhere). Once it
    /// has answered, the pid is no longer ours: ask no more.
    public func exitCode() -> Int32? {
        var status: Int32 = 0
        let result = waitpid(self.pid, &status, WNOHANG)
        if result == self.pid { return Self.code(status) }
        if result < 0 && errno == ECHILD { return -1 }
        return nil
    }

    public func waitForExit() -> Int32 {
        var status: Int32 = 0
        while waitpid(self.pid, &status, 0) < 0 && errno == EINTR {}
        return Self.code(status)
    }

    /// SIGTERM, then SIGKILL when it is still there a second later; reaped either way,
    /// and never signalled again once reaped (its pid may be another process's by then).
    public func stop() {
        kill(self.pid, SIGTERM)
        for _ in 0..<100 {
            if self.exitCode() != nil { return }
            usleep(10_000)
        }
        kill(self.pid, SIGKILL)
        _ = self.waitForExit()
    }

    private static func code(_ status: Int32) -> Int32 { (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F) }
}
