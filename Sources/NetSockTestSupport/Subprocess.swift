#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux
import NetSockPOSIX
import Synchronization

/// Everything a test process started that must not outlive it: child processes and
/// network namespaces. An `atexit` handler kills and removes what is left, pass or fail,
/// even what static fixtures (shared daemons, peers) hold; `make test` then checks that
/// nothing survived a crash either (`Tests/check-leftovers.sh`).
public enum TestResources {
    private static let children = Mutex<Set<pid_t>>([])
    private static let namespaces = Mutex<Set<String>>([])
    private static let installed: Void = {
        atexit {
            // SIGTERM first, so that children clean up their own (the peers stop dnsmasq),
            // then SIGKILL whatever has not gone after a few seconds.
            var left = TestResources.children.withLock { $0 }
            for pid in left { kill(pid, SIGTERM) }
            for _ in 0..<300 where !left.isEmpty {
                left = left.filter { pid in
                    var status: Int32 = 0
                    return waitpid(pid, &status, WNOHANG) == 0
                }
                if !left.isEmpty { usleep(10_000) }
            }
            for pid in left { kill(pid, SIGKILL) }
            for name in TestResources.namespaces.withLock({ $0 }) {
                TestResources.killProcesses(inNamespace: name)
                var pid: pid_t = 0
                let words: [String] = ["/sbin/ip", "netns", "del", name]
                let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
                if posix_spawn(&pid, "/sbin/ip", nil, nil, argv, environ) == 0 {
                    var status: Int32 = 0
                    waitpid(pid, &status, 0)
                }
                argv.forEach { free($0) }
            }
        }
    }()

    static func started(_ pid: pid_t) {
        _ = self.installed
        self.children.withLock { _ = $0.insert(pid) }
    }

    static func ended(_ pid: pid_t) { self.children.withLock { _ = $0.remove(pid) } }

    /// A namespace this process created; removed at exit unless `released` first.
    public static func created(namespace: String) {
        _ = self.installed
        self.namespaces.withLock { _ = $0.insert(namespace) }
    }

    public static func released(namespace: String) { self.namespaces.withLock { _ = $0.remove(namespace) } }

    /// SIGKILLs every process inside a network namespace (`ip netns pids`).
    public static func killProcesses(inNamespace name: String) {
        guard let listing = try? Subprocess.run("/sbin/ip", ["netns", "pids", name], directory: "/tmp") else { return }
        for pid in listing.stdout.split(separator: "\n").compactMap({ pid_t($0) }) { kill(pid, SIGKILL) }
    }
}

/// A child process for black-box tests: posix_spawn with files for its standard
/// streams and optional extra descriptors (for socket activation).
public final class Subprocess {
    public let pid: pid_t
    public let stdoutPath: String
    public let stderrPath: String
    private var exitStatus: Int32?

    /// Spawns `executable` with `arguments`; `stdin` bytes are fed from a temporary file.
    /// `descriptors` maps child fd numbers to fds of ours.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, stdin: [UInt8] = [],
        directory: String, descriptors: [Int32: Int32] = [:]
    ) throws {
        let tag = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        self.stdoutPath = "\(directory)/out-\(tag)"
        self.stderrPath = "\(directory)/err-\(tag)"
        let stdinPath = "\(directory)/in-\(tag)"
        try writeFile(stdinPath, stdin)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdinPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, self.stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, self.stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        for (child, ours) in descriptors { posix_spawn_file_actions_adddup2(&actions, ours, child) }
        // Nothing else of ours: a test's sockets and pipes (left without CLOEXEC, or
        // opened by another test at the same moment) would stay open in the child, keep
        // connections alive past their test, and make the child's descriptor count vary.
        cnetsock_spawn_close_from(&actions, (descriptors.keys.max() ?? 2) + 1)


        let env = environment ?? ProcessEnvironment.current
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        // Children start with default signal handling.
        let status = ChildProcess.withFreshSignals { attributes in posix_spawn(&pid, executable, &actions, attributes, argv, envp) }
        guard status == 0 else { throw SubprocessError(description: "posix_spawn \(executable): \(String(cString: strerror(status)))") }
        self.pid = pid
        TestResources.started(pid)
    }

    /// Waits up to `timeoutSeconds`; returns the exit code (128+signal when killed), or `nil` on timeout.
    @discardableResult
    public func wait(timeoutSeconds: Double = 30) -> Int32? {
        if let exitStatus { return exitStatus }
        let deadline = nowSeconds() + timeoutSeconds
        while true {
            var status: Int32 = 0
            let result = waitpid(self.pid, &status, WNOHANG)
            if result == self.pid {
                let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
                self.exitStatus = code
                TestResources.ended(self.pid)
                return code
            }
            if result < 0 { return nil }
            if nowSeconds() > deadline { return nil }
            usleep(5000)
        }
    }

    public func signal(_ number: Int32) { kill(self.pid, number) }

    /// SIGTERM, so it can clean up after itself; SIGKILL when it has not gone within
    /// `timeoutSeconds`. The exit code it gave, or nil when it had to be killed.
    @discardableResult
    public func stop(timeoutSeconds: Double = 10) -> Int32? {
        self.signal(SIGTERM)
        let status = self.wait(timeoutSeconds: timeoutSeconds)
        if status == nil { self.terminate() }
        return status
    }

    /// Kills the process if it still runs and reaps it.
    public func terminate() {
        guard self.exitStatus == nil else { return }
        kill(self.pid, SIGKILL)
        self.wait(timeoutSeconds: 5)
    }

    public var stdout: String { (try? readText(self.stdoutPath)) ?? "" }
    public var stderr: String { (try? readText(self.stderrPath)) ?? "" }

    /// Runs to completion and returns (exit code, stdout, stderr).
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, stdin: [UInt8] = [],
        directory: String, timeoutSeconds: Double = 60
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = try Subprocess(executable, arguments, environment: environment, stdin: stdin, directory: directory)
        guard let status = process.wait(timeoutSeconds: timeoutSeconds) else {
            process.terminate()
            throw SubprocessError(description: "\(executable) \(arguments) did not finish in \(timeoutSeconds) s")
        }
        return (status, process.stdout, process.stderr)
    }
}

public struct SubprocessError: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

func nowSeconds() -> Double { Double(MonotonicClock.nanoseconds()) / 1e9 }

public func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    do {
        try FileDescriptorIO.writeFile(path, bytes)
    } catch {
        throw SubprocessError(description: "\(error)")
    }
}

public func readText(_ path: String) throws -> String {
    String(decoding: try FileDescriptorIO.readFile(path, limit: 1 << 30), as: UTF8.self)
}

/// Waits until `condition` holds, looking again every few milliseconds, for at most
/// `timeoutSeconds` (a bound for a broken build, not a timing expectation); returns
/// whether it came to hold.
@discardableResult
public func waitUntil(timeoutSeconds: Double = 20, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = nowSeconds() + timeoutSeconds
    while true {
        if try condition() { return true }
        if nowSeconds() > deadline { return false }
        usleep(5_000)
    }
}
