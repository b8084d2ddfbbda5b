#if canImport(Glibc)
import Glibc
#endif
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
    private(set) var process: ChildProcess?
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
        let process: ChildProcess
        do {
            process = try ChildProcess.spawn([binary, "-D\(self.driver)", "-i\(self.device)", "-c", conf], output: self.directory + "/log")
        } catch {
            self.logger.error("cannot start \(binary) for \(self.device): \(error)")
            return
        }
        self.process = process
        self.logger.info("started wpa_supplicant (pid \(process.pid)) for \(self.device), driver \(self.driver)")
        self.watch()
    }

    /// Checks once a second that it still runs; restarts it with back-off (1 … 30 s) when not.
    private func watch() {
        self.timer = self.reactor.scheduleTimer(afterMilliseconds: 1000) { [weak self] in
            guard let self, let process = self.process else { return }
            guard process.exitCode() != nil else {
                self.restartDelay = 1
                return self.watch()
            }
            self.process = nil
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
        self.process?.stop()
        self.process = nil
        for name in [self.device, "wpa_supplicant.conf", "log"] { unlink(self.directory + "/" + name) }
        rmdir(self.directory)
    }

    deinit { if self.process != nil { self.stop() } }
}
