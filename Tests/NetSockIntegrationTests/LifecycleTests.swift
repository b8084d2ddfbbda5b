#if canImport(Glibc)
import Glibc
#endif
import NetSockClient
import NetSockJSON
import NetSockRPC
import NetSockTestSupport
import Testing

@Suite struct LifecycleTests {
    @Test func sigtermNotifiesAnswersPendingRemovesTheSocketAndExitsZero() throws {
        let daemon = try DaemonLauncher()
        let subscriber = try daemon.client()
        _ = try subscriber.call(API.EventsSubscribe.name, ["topics": ["daemon"]])
        let waiter = try daemon.client()
        try waiter.send(RPCRequest(method: API.EventsWait.name, params: ["topics": ["interface"]], id: 42).json)
        _ = try waiter.call(API.DaemonInfo())  // The wait is now pending behind it.
        #expect(daemon.stop() == 0)
        var sawStopping = false
        var sawEvent = false
        while let notification = try? subscriber.nextNotification(timeoutMilliseconds: 2000) {
            if notification.method == API.StoppingNotification.method { sawStopping = true }
            if notification.method == API.EventNotification.method, notification.params["event"] == "stopping" { sawEvent = true }
        }
        #expect(sawStopping && sawEvent)
        let pending = try waiter.awaitResponse(id: 42, timeoutMilliseconds: 2000)
        #expect(pending.outcome == .failure(RPCError.shuttingDown()))
        #expect(access(daemon.socketPath, F_OK) != 0, "the socket file is removed")
    }

    @Test func sigintStopsGracefullyToo() throws {
        let daemon = try DaemonLauncher()
        let client = try daemon.client()
        _ = try client.call(API.DaemonInfo())  // Now a stream-mode client, which gets pushes.
        daemon.process.signal(SIGINT)
        #expect(daemon.process.wait(timeoutSeconds: 15) == 0)
        #expect(try client.nextNotification(timeoutMilliseconds: 2000)?.method == API.StoppingNotification.method)
        #expect(access(daemon.socketPath, F_OK) != 0)
    }

    @Test func daemonShutdownMethodStopsGracefully() throws {
        let daemon = try DaemonLauncher()
        #expect(try daemon.client().call(API.DaemonShutdown.name) == .object([:]))
        #expect(daemon.process.wait(timeoutSeconds: 10) == 0)
        #expect(access(daemon.socketPath, F_OK) != 0)
    }

    @Test func staleSocketIsReplacedAndALiveOneRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/netsockd.sock"
        // A socket file nobody listens on, as a crashed daemon leaves it.
        let result = try Subprocess.run(
            "/usr/bin/python3", ["-c", "import socket; s=socket.socket(socket.AF_UNIX); s.bind('\(path)')"], directory: directory.path)
        #expect(result.status == 0)
        #expect(access(path, F_OK) == 0)
        let first = try DaemonLauncher(directory: directory)
        #expect(try first.client().call(API.DaemonInfo()).socket == path)
        #expect(first.process.stderr.contains("stale"))

        let second = try DaemonLauncher(waitForSocket: false, directory: directory)
        #expect(second.process.wait(timeoutSeconds: 10) == 1)
        #expect(second.process.stderr.contains(path))
        #expect(try first.client().call(API.DaemonInfo()).apiVersion == 1, "the live daemon is untouched")
        #expect(first.stop() == 0)
    }

    @Test func aFileThatIsNotASocketIsNeverReplaced() throws {
        let directory = try TemporaryDirectory()
        try writeFile(directory.path + "/netsockd.sock", Array("precious".utf8))
        let daemon = try DaemonLauncher(waitForSocket: false, directory: directory)
        #expect(daemon.process.wait(timeoutSeconds: 10) == 1)
        #expect(daemon.process.stderr.contains("not a socket"))
        #expect(try readText(directory.path + "/netsockd.sock") == "precious")
    }

    @Test func socketFileGetsModeFromConfig() throws {
        let daemon = try DaemonLauncher(config: ["control": ["mode": "0600", "admin_group": nil]])
        var info = stat()
        #expect(stat(daemon.socketPath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        let open = try DaemonLauncher(config: ["control": ["mode": "0666"]])
        #expect(stat(open.socketPath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o666)
    }

    @Test func tooLongSocketPathIsAClearError() throws {
        let directory = try TemporaryDirectory()
        let long = directory.path + "/" + String(repeating: "s", count: 120) + ".sock"
        let result = try Subprocess.run(BuiltProducts.netsockd, ["--socket", long], directory: directory.path)
        #expect(result.status == 1)
        #expect(result.stderr.contains("at most 107"))
    }

    @Test func sdNotifyReadyWatchdogAndStopping() throws {
        let directory = try TemporaryDirectory()
        let notifyPath = directory.path + "/notify"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(notifyPath.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let daemon = try DaemonLauncher(environment: ["NOTIFY_SOCKET": notifyPath, "WATCHDOG_USEC": "200000"], directory: directory)
        func receive() -> String? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(fd, &buffer, buffer.count, 0)
            return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
        }
        var messages: [String] = []
        while messages.filter({ $0.contains("WATCHDOG=1") }).count < 2, let message = receive() { messages.append(message) }
        #expect(messages.first?.contains("READY=1") == true)
        #expect(messages.first?.contains("STATUS=serving") == true)
        #expect(messages.filter { $0.contains("WATCHDOG=1") }.count >= 2)
        #expect(daemon.stop() == 0)
        var stopping = false
        while let message = receive() {
            if message.contains("STOPPING=1") {
                stopping = true
                break
            }
        }
        #expect(stopping)
    }

    @Test func socketActivationUsesThePassedListener() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/activated.sock"
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(listen(listener, 16) == 0)
        // systemd sets LISTEN_PID to the service's pid; `exec` keeps the shell's pid.
        let process = try Subprocess(
            "/bin/sh", ["-c", "LISTEN_PID=$$ LISTEN_FDS=1 exec \(BuiltProducts.netsockd) --socket \(directory.path)/unused.sock"],
            directory: directory.path, descriptors: [3: listener])
        close(listener)
        defer { process.terminate() }
        var answered = false
        for _ in 0..<200 where !answered {
            if let client = try? RPCClient(path: path), (try? client.call(API.DaemonInfo(), timeoutMilliseconds: 1000)) != nil {
                answered = true
            } else {
                usleep(20_000)
            }
        }
        #expect(answered)
        #expect(access(directory.path + "/unused.sock", F_OK) != 0, "no socket of its own was created")
        process.signal(SIGTERM)
        #expect(process.wait(timeoutSeconds: 10) == 0)
    }

    @Test func daemonReloadAppliesTheFileAndAnswersWhenDone() throws {
        let daemon = try DaemonLauncher(config: ["interfaces": ["lo": ["type": "loopback", "stack": "kernel", "device": "lo"]]])
        let client = try daemon.client()
        let grown: JSONValue = [
            "interfaces": [
                "lo": ["type": "loopback", "stack": "kernel", "device": "lo"],
                "lo3": ["type": "loopback", "stack": "kernel", "device": "lo"],
            ]
        ]
        try writeFile(daemon.configPath!, JSONCodec.encode(grown))
        #expect(try client.call(API.DaemonReload.name) == .object([:]))
        #expect(try client.call(API.DaemonInfo()).interfaces == ["lo", "lo3"], "applied before the reply")
    }

    @Test func sighupReloadsAndAnInvalidConfigIsKept() throws {
        let config: JSONValue = ["interfaces": ["lo": ["type": "loopback", "stack": "kernel", "device": "lo"]]]
        let daemon = try DaemonLauncher(config: config)
        let client = try daemon.client()
        _ = try client.call(API.EventsSubscribe.name, ["topics": ["daemon"]])
        let grown: JSONValue = [
            "interfaces": [
                "lo": ["type": "loopback", "stack": "kernel", "device": "lo"],
                "lo2": ["type": "loopback", "stack": "kernel", "device": "lo"],
            ]
        ]
        try writeFile(daemon.configPath!, JSONCodec.encode(grown))
        daemon.process.signal(SIGHUP)
        let reloaded = try #require(try client.nextNotification(timeoutMilliseconds: 10_000))
        #expect(reloaded.params["event"] == "reloaded")
        #expect(try client.call(API.DaemonInfo()).interfaces == ["lo", "lo2"])

        try writeFile(daemon.configPath!, Array(#"{"interfaces": {"lo": {"type": "toaster"}}}"#.utf8))
        daemon.process.signal(SIGHUP)
        let failed = try #require(try client.nextNotification(timeoutMilliseconds: 10_000))
        #expect(failed.params["event"] == "reload_failed")
        #expect(failed.params["data"]?["error"]?.stringValue?.contains("interfaces.lo.type") == true)
        #expect(try client.call(API.DaemonInfo()).interfaces == ["lo", "lo2"], "the running configuration stays")
        let error = expectRPCError { try client.call(API.DaemonReload.name) }
        #expect(error?.code == -32005)
        #expect(error?.data?["key"] == "interfaces.lo.type")
    }
}
