#if canImport(Glibc)
import Glibc
#endif
import NetSockClient
import NetSockJSON
import NetSockPOSIX
import NetSockRPC

/// Where the package's executables were built: beside the test binary.
public enum BuiltProducts {
    public static var directory: String {
        if let override = getenv("NETSOCK_BIN_DIR") { return String(cString: override) }
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let exe = count > 0 ? String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "."
        // …/debug/netsockPackageTests.xctest (a file on Linux) → …/debug
        var path = exe
        while let slash = path.lastIndex(of: "/") {
            path = String(path[..<slash])
            if access(path + "/netsockd", X_OK) == 0 { return path }
            if path.isEmpty { break }
        }
        return "."
    }

    public static var netsockd: String { self.directory + "/netsockd" }
    public static var netsockctl: String { self.directory + "/netsockctl" }
}

/// A scratch directory removed on `remove()`.
public final class TemporaryDirectory {
    public let path: String

    public init(_ prefix: String = "netsock") throws {
        var template = Array("/tmp/\(prefix).XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw SubprocessError(description: "mkdtemp failed") }
        self.path = String(cString: made)
        chmod(self.path, 0o755)  // Unprivileged test clients must reach the socket inside.
    }

    public func remove() {
        var info = stat()
        guard stat(self.path, &info) == 0 else { return }
        if let process = try? Subprocess("/bin/rm", ["-rf", self.path], directory: "/tmp") { process.wait() }
    }

    deinit { self.remove() }
}

/// A `netsockd` started for one test, on a socket in its own temporary directory.
public final class DaemonLauncher {
    public let directory: TemporaryDirectory
    public let socketPath: String
    public let configPath: String?
    public let process: Subprocess

    /// Starts the daemon with `config` (written to a file) or the embedded default,
    /// and waits until its socket answers `daemon.info`.
    /// `launcher` runs before the daemon's own command line (`prlimit --nofile=64:64`, say);
    /// it must exec the daemon, so that the process is the daemon itself.
    public init(
        config: JSONValue? = nil, arguments: [String] = [], environment: [String: String] = [:],
        descriptors: [Int32: Int32] = [:], waitForSocket: Bool = true, directory: TemporaryDirectory? = nil,
        launcher: [String] = []
    ) throws {
        self.directory = try directory ?? TemporaryDirectory("netsockd")
        self.socketPath = self.directory.path + "/netsockd.sock"
        var args = ["--socket", self.socketPath, "--log-level", "debug"] + arguments
        if let config {
            let path = self.directory.path + "/netsockd.json"
            try writeFile(path, JSONCodec.encode(config, style: .pretty))
            self.configPath = path
            args += ["--config", path]
        } else {
            self.configPath = nil
        }
        var env = ProcessEnvironment.current
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "LISTEN_FDS")
        env.removeValue(forKey: "LISTEN_PID")
        for (key, value) in environment { env[key] = value }
        let command = launcher + [BuiltProducts.netsockd] + args
        self.process = try Subprocess(
            command[0], Array(command.dropFirst()), environment: env, directory: self.directory.path, descriptors: descriptors)
        if waitForSocket { try self.waitUntilServing() }
    }

    public func waitUntilServing(timeoutSeconds: Double = 20) throws {
        let deadline = nowSeconds() + timeoutSeconds
        while nowSeconds() < deadline {
            if let status = self.process.wait(timeoutSeconds: 0) {
                throw SubprocessError(description: "netsockd exited with \(status): \(self.process.stderr)")
            }
            if let client = try? RPCClient(path: self.socketPath), (try? client.call(API.DaemonInfo(), timeoutMilliseconds: 2000)) != nil {
                return
            }
            usleep(20_000)
        }
        throw SubprocessError(description: "netsockd did not start serving: \(self.process.stderr)")
    }

    public func client() throws -> RPCClient { try RPCClient(path: self.socketPath) }

    private var status: ProcessStatus? { ProcessStatus(pid: self.process.pid) }

    /// Resident memory now, and its high-water mark since start.
    public var residentBytes: Int { self.status?.residentBytes ?? 0 }
    public var peakResidentBytes: Int { self.status?.peakResidentBytes ?? 0 }

    /// Descriptors the daemon holds open.
    public var descriptorCount: Int { self.status?.descriptors ?? -1 }

    /// What each open descriptor is (`socket:[inode]`, `pipe:[inode]`, a path), by number:
    /// for the message of a test that finds one too many.
    public var descriptorTargets: [Int32: String] {
        let directory = "/proc/\(self.process.pid)/fd"
        guard let listing = opendir(directory) else { return [:] }
        defer { closedir(listing) }
        var targets: [Int32: String] = [:]
        while let entry = readdir(listing) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let fd = Int32(name) else { continue }
            var target = [CChar](repeating: 0, count: 256)
            let length = readlink("\(directory)/\(name)", &target, target.count - 1)
            targets[fd] = length < 0 ? "?" : String(decoding: target.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return targets
    }

    /// User plus system CPU time the daemon has used, in clock ticks.
    public var cpuTicks: Int { self.status?.cpuTicks ?? 0 }

    /// Lines of the daemon's log (stderr) that contain `text`.
    public func logLines(containing text: String) -> Int {
        self.process.stderr.split(separator: "\n").filter { $0.contains(text) }.count
    }

    /// Runs `netsockctl` against this daemon.
    public func ctl(_ arguments: [String], stdin: [UInt8] = [], environment: [String: String] = [:])
        throws -> (status: Int32, stdout: String, stderr: String)
    {
        var env = ProcessEnvironment.current
        env["NETSOCKD_SOCKET"] = self.socketPath
        for (key, value) in environment { env[key] = value }
        return try Subprocess.run(BuiltProducts.netsockctl, arguments, environment: env, stdin: stdin, directory: self.directory.path)
    }

    /// SIGTERM, then the exit code.
    @discardableResult
    public func stop() -> Int32? { self.process.stop(timeoutSeconds: 15) }

    deinit { self.process.terminate() }
}

/// Tests that need root skip outside CI with a message, and must run in CI (`CI=true`).
public enum Privilege {
    public static var isRoot: Bool { geteuid() == 0 }
    public static var inCI: Bool { getenv("CI").map { String(cString: $0) == "true" } ?? false }

    /// True when a root-only test should run; prints why when it is skipped.
    public static func rootTestsEnabled(_ name: String) -> Bool {
        if self.isRoot { return true }
        if self.inCI { return true }  // Run anyway, so the failure shows in CI.
        print("skipping \(name): needs root (CI runs it as root)")
        return false
    }
}

/// The error reply of a call that must fail; `nil` when it succeeded or failed otherwise.
public func expectRPCError(_ body: () throws -> JSONValue) -> RPCError? {
    do {
        _ = try body()
        return nil
    } catch let error as ClientError {
        if case .rpc(let rpcError) = error { return rpcError }
        return nil
    } catch {
        return nil
    }
}

extension DaemonLauncher {
    /// Runs `netsockctl` on a pseudo-terminal (util-linux `script`), as a person at a
    /// terminal would: stdout and stderr both go to the terminal and come back merged.
    public func ctlOnTerminal(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        var env = ProcessEnvironment.current
        env["NETSOCKD_SOCKET"] = self.socketPath
        env.removeValue(forKey: "NO_COLOR")
        env["TERM"] = "xterm"
        for (key, value) in environment { env[key] = value }
        let command = ([BuiltProducts.netsockctl] + arguments).map(shellQuoted).joined(separator: " ")
        let result = try Subprocess.run(
            "/usr/bin/script", ["-qefc", command, "/dev/null"], environment: env, directory: self.directory.path)
        return (result.status, result.stdout.replacingCRLF())
    }
}

/// Quotes a word for /bin/sh.
public func shellQuoted(_ word: String) -> String {
    "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
}

extension String {
    /// Terminal output uses CRLF; tests compare lines.
    func replacingCRLF() -> String {
        String(decoding: Array(self.utf8).filter { $0 != 0x0D }, as: UTF8.self)
    }
}
