#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux
import Logging
import NetSockPOSIX

/// A wpa_supplicant that netsockd starts for a device and keeps running, as
/// NetworkManager's does: its own control directory, restarted with back-off when it
/// exits, terminated with the daemon. Only the driver is chosen; the networks are the
/// daemon's, made over the control interface.
final class SupplicantProcess {
    let device: String
    let driver: String
    let directory: String
    private(set) var pid: pid_t?
    private var restartDelay = 1
    private var timer: Cancellation?
    private let reactor: Reactor
    private let logger: Logger
    /// The process exited (the daemon will start another): the control sockets are stale.
    var onExit: (() -> Void)?

    static let binaries = ["/usr/sbin/wpa_supplicant", "/sbin/wpa_supplicant"]

    init(device: String, driver: String, reactor: Reactor, logger: Logger) throws(SystemError) {
        var template = Array("/tmp/netsockd-wpa.XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else { throw SystemError.last("mkdtemp") }
        self.directory = String(cString: made)
        self.device = device
        self.driver = driver
        self.reactor = reactor
        self.logger = logger
    }

    var controlPath: String { self.directory + "/" + self.device }

    /// Starts it and watches it.
    func start() {
        let conf = self.directory + "/wpa_supplicant.conf"
        // The wired driver associates without scanning (ap_scan=0); radios scan.
        let text = "ctrl_interface=\(self.directory)\n" + (self.driver == "wired" ? "ap_scan=0\n" : "")
        try? FileDescriptorIO.writeFile(conf, Array(text.utf8), mode: 0o600)
        guard let binary = Self.binaries.first(where: { access($0, X_OK) == 0 }) else {
            self.logger.error("wpa_supplicant is not installed (apt-get install wpasupplicant)")
            return
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, self.directory + "/log", O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        cnetsock_spawn_close_from(&actions, 3)
        let words: [String] = [binary, "-D\(self.driver)", "-i\(self.device)", "-c", conf]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, binary, &actions, nil, argv, environ) == 0 else {
            self.logger.error("cannot start \(binary) for \(self.device)")
            return
        }
        self.pid = pid
        self.logger.info("started wpa_supplicant (pid \(pid)) for \(self.device), driver \(self.driver)")
        self.watch()
    }

    /// Checks once a second that it still runs; restarts it with back-off (1 … 30 s) when not.
    private func watch() {
        self.timer = self.reactor.scheduleTimer(afterMilliseconds: 1000) { [weak self] in
            guard let self, let pid = self.pid else { return }
            var status: Int32 = 0
            guard waitpid(pid, &status, WNOHANG) == pid else {
                self.restartDelay = 1
                return self.watch()
            }
            self.pid = nil
            self.logger.warning("wpa_supplicant for \(self.device) exited; starting it again in \(self.restartDelay) s")
            self.onExit?()
            let delay = self.restartDelay
            self.restartDelay = min(30, self.restartDelay * 2)
            self.timer = self.reactor.scheduleTimer(afterMilliseconds: delay * 1000) { [weak self] in self?.start() }
        }
    }

    /// Terminates it (SIGTERM, then SIGKILL after a second) and removes its directory.
    func stop() {
        self.timer?.cancel()
        self.timer = nil
        if let pid = self.pid {
            kill(pid, SIGTERM)
            var status: Int32 = 0
            for _ in 0..<100 where waitpid(pid, &status, WNOHANG) != pid { usleep(10_000) }
            if waitpid(pid, &status, WNOHANG) == 0 {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
            }
        }
        self.pid = nil
        for name in [self.device, "wpa_supplicant.conf", "log"] { unlink(self.directory + "/" + name) }
        rmdir(self.directory)
    }

    deinit { if self.pid != nil { self.stop() } }
}
