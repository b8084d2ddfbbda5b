#if canImport(Glibc)
import Glibc
#endif
import Logging
import NSAPI
import NetSockJSON
import NetSockPOSIX
import NetSockRPC

/// Where the running configuration came from, so SIGHUP can read it again.
public enum ConfigurationSource: Sendable, Equatable {
    case file(String)
    /// The embedded default, rebuilt from the kernel's devices on reload.
    case embedded
}

/// A configuration ready to run: read, validated, resolved against the machine (kernel
/// devices, the default route) and with its names looked up (the admin group). Built
/// off the event loop, because all of that reads files and may ask NSS.
public struct PreparedConfiguration: Sendable {
    public var configuration: DaemonConfiguration
    public var adminGroupID: UInt32?
    public var resolvConfServers: [SocketAddress]

    /// Reads `source` and resolves it; blocking, for any thread but the reactor's.
    public static func load(_ source: ConfigurationSource) throws(ConfigurationError) -> PreparedConfiguration {
        var configuration = DaemonConfiguration()
        if case .file(let path) = source {
            let bytes: [UInt8]
            do {
                bytes = try FileDescriptorIO.readFile(path)
            } catch {
                throw ConfigurationError(key: "", "cannot read \(path): \(error)")
            }
            configuration = try DaemonConfiguration(parsingText: bytes)
        }
        configuration = try configuration.resolved(
            devices: KernelDevices.names(), defaultRouteDevice: KernelDevices.defaultRouteDevice())
        return PreparedConfiguration(
            configuration: configuration,
            adminGroupID: configuration.control.adminGroup.flatMap(UserDatabase.groupID(named:)),
            resolvConfServers: Daemon.readResolvConf())
    }
}

/// Failures that stop the daemon from starting, each with a sentence for the operator.
public struct StartupError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// The daemon: control server, event bus, method table and configuration, all
/// owned by one reactor thread.
///
/// `@unchecked Sendable` because only the thread-safe entry points (``requestStop()``,
/// ``requestReload()``, ``run()``) are used from other threads; every other member is
/// touched on the reactor thread only.
public final class Daemon: @unchecked Sendable {
    public static let version = "0.1.0"
    public static let apiVersion = 1

    public let reactor: Reactor
    public private(set) var configuration: DaemonConfiguration
    public let configurationSource: ConfigurationSource
    public let socketPath: String
    let logger: Logger
    let events: EventBus
    private(set) var dispatcher: RPCDispatcher<Session>!
    private(set) var openRPC: JSONValue = .null
    private var server: ControlServer?
    private let startNanoseconds = MonotonicClock.nanoseconds()
    private let notifier: SystemdNotifier
    private let environment: [String: String]
    private var adminGroupID: gid_t?
    private let ownUID = getuid()
    /// Whether we created the socket file (and so remove it), as opposed to socket activation.
    private var ownsSocketFile = false
    private var lock: FileLock?
    private var nextSubscriptionID: Int64 = 1
    private(set) var isStopping = false
    /// Mbed's socket semantics above every stack.
    private(set) var sockets: SocketLayer!
    private(set) var interfaces: InterfaceRegistry!
    private(set) var resolver: DNSResolver!

    /// The result-schema check of the test suites, when they ask for it.
    private var resultLog: ResultLog?

    /// File and NSS work, off the event loop.
    private(set) var blockingWork: BlockingWork!

    public init(
        prepared: PreparedConfiguration, source: ConfigurationSource, socketPath: String,
        environment: [String: String], logger: Logger
    ) throws(SystemError) {
        let configuration = prepared.configuration
        self.reactor = try Reactor()
        // While one callback runs every client waits: name the ones that run long.
        self.reactor.slowCallbackNanoseconds = 10_000_000
        self.reactor.onSlowCallback = { [logger] what, nanoseconds in
            let milliseconds = nanoseconds / 1_000_000
            logger.log(level: milliseconds >= 100 ? .warning : .debug, "event loop held \(milliseconds) ms by \(what)")
        }
        self.blockingWork = BlockingWork(reactor: self.reactor)
        self.configuration = configuration
        self.configurationSource = source
        self.socketPath = socketPath
        self.environment = environment
        self.logger = logger
        self.notifier = SystemdNotifier(environment: environment)
        self.events = EventBus(historyLimit: configuration.control.eventHistory, clock: WallClock.rfc3339)
        self.sockets = SocketLayer(
            scheduler: self.reactor, maxSocketsPerOwner: configuration.control.maxSocketsPerClient,
            maxQueuedCallsPerSocket: configuration.control.maxQueuedCallsPerSocket)
        self.interfaces = InterfaceRegistry(configuration: configuration, reactor: self.reactor, events: self.events, logger: logger)
        self.resolver = DNSResolver(settings: configuration.dns, sockets: self.sockets, scheduler: self.reactor)
        self.resolver.resolvConfServers = prepared.resolvConfServers
        self.interfaces.onLinkDNSServers = { [unowned self] interface, servers in self.resolver.linkServers[interface] = servers }
        self.resultLog = ResultLog(environment: environment)
        let table = DaemonMethods.table(for: self, resultCheck: self.resultLog.map { log in { log.record(method: $0, result: $1, mismatch: $2) } })
        self.dispatcher = RPCDispatcher(table: table, maxBatch: configuration.control.maxBatch)
        self.openRPC = DaemonMethods.document(table)
        self.adminGroupID = prepared.adminGroupID
    }

    /// The OpenRPC document for a table built without a running daemon (docs generation).
    public static func openRPCDocument() -> JSONValue {
        DaemonMethods.document(DaemonMethods.table(for: nil))
    }

    /// The Swift source of the typed client, generated from the same declarations.
    public static func clientSource() throws -> String {
        let table = DaemonMethods.table(for: nil)
        return try ClientSourceGenerator.source(methods: table.specs, notifications: table.notifications)
    }

    // MARK: Starting

    /// Opens the control socket (or adopts the one the service manager passed).
    public func bind() throws(StartupError) {
        let pid = getpid()
        let activated = SocketActivation.listenDescriptors(environment: self.environment, pid: pid)
        SocketActivation.clearEnvironment()
        var listeners: [Int32] = []
        if !activated.isEmpty {
            for fd in activated {
                guard UnixSocket.isListeningUnixStream(fd) else {
                    throw StartupError("socket activation passed fd \(fd), which is not a listening Unix stream socket")
                }
                listeners.append(fd)
            }
            self.logger.info("using \(listeners.count) socket-activated listener(s)")
        } else {
            listeners.append(try self.createSocket())
        }
        let limits = ControlServer.Limits(
            maxClients: self.configuration.control.maxClients,
            maxMessageBytes: self.configuration.control.maxMessageBytes,
            maxOutputBytes: self.configuration.control.maxOutputBytes)
        let server = ControlServer(reactor: self.reactor, daemon: self, listeners: listeners, limits: limits, logger: self.logger)
        do {
            try server.start()
        } catch {
            throw StartupError("cannot watch the control socket: \(error)")
        }
        self.server = server
    }

    private func createSocket() throws(StartupError) -> Int32 {
        let path = self.socketPath
        guard path.utf8.count <= UnixSocket.maxPathBytes else {
            throw StartupError("socket path is \(path.utf8.count) bytes; a Unix socket path holds at most \(UnixSocket.maxPathBytes): \(path)")
        }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            let directory = String(path[..<slash])
            var info = stat()
            if stat(directory, &info) != 0 {
                // Only the daemon's own runtime directory is created; elsewhere a missing directory is a mistake.
                guard path == SocketPathResolver.systemPath, mkdir(directory, 0o755) == 0 else {
                    throw StartupError("the socket directory \(directory) does not exist")
                }
            }
        }
        do {
            guard let lock = try FileLock(path: path + ".lock") else {
                throw StartupError("another netsockd holds \(path).lock and serves \(path)")
            }
            self.lock = lock
        } catch let error as StartupError {
            throw error
        } catch {
            throw StartupError("cannot create the lock file: \(error)")
        }
        switch UnixSocket.probe(path: path) {
        case .absent:
            break
        case .live:
            self.lock?.release()
            throw StartupError("another daemon is serving \(path); stop it first")
        case .notASocket:
            self.lock?.release()
            throw StartupError("\(path) exists and is not a socket; refusing to replace it")
        case .stale:
            self.logger.notice("replacing stale socket \(path)")
            unlink(path)
        }
        let group = self.adminGroupID
        if self.configuration.control.adminGroup != nil && group == nil {
            self.logger.warning("admin group \(self.configuration.control.adminGroup ?? "") does not exist; only root and uid \(self.ownUID) are admins")
        }
        do {
            let fd = try UnixSocket.listen(path: path, mode: mode_t(self.configuration.control.mode), group: group)
            self.ownsSocketFile = true
            return fd
        } catch {
            self.lock?.release()
            throw StartupError("cannot listen on \(path): \(error)")
        }
    }

    // MARK: Running

    /// Runs the reactor on the calling thread until the daemon stops, then cleans up.
    public func run() {
        self.reactor.execute { [self] in
            self.interfaces.start()
            self.sockets.sigioHandler = { [unowned self] owner, socket in
                self.server?.session(id: owner)?.notifyUnconditionally(SigioNotification(socket: socket))
            }
            self.sockets.channelEndHandler = { [unowned self] owner, socket, end in
                self.server?.session(id: owner)?.notifyUnconditionally(DetachedNotification(socket: socket, end: end))
            }
            self.sockets.channelRefusalHandler = { [unowned self] owner, socket, error, detail in
                self.server?.session(id: owner)?.notify(
                    DatagramRefusedNotification(socket: socket, failure: NSAPIFailure(error: error), detail: detail))
            }
            self.events.publish(.started(pid: getpid(), version: Self.version))
            self.notifier.notify("READY=1\nSTATUS=serving \(self.socketPath)\nMAINPID=\(getpid())")
            self.logger.info("serving on \(self.socketPath)")
            self.scheduleWatchdog()
        }
        self.reactor.run()
        self.removeSocketFile()
        self.logger.info("stopped")
    }

    private func scheduleWatchdog() {
        guard let usec = SystemdNotifier.watchdogMicroseconds(environment: self.environment, pid: getpid()) else { return }
        // Pinged from the reactor itself, so a stalled loop misses its pings.
        func ping() {
            self.notifier.notify("WATCHDOG=1")
            self.reactor.schedule(afterNanoseconds: usec * 500, ping)
        }
        ping()
    }

    /// Begins a graceful stop. Safe from any thread.
    public func requestStop() {
        self.reactor.execute { [self] in self.beginStop() }
    }

    func beginStop() {
        guard !self.isStopping else { return }
        self.isStopping = true
        self.logger.info("stopping")
        self.notifier.notify("STOPPING=1\nSTATUS=stopping")
        self.events.publish(.stopping)
        self.server?.closeListeners()
        self.removeSocketFile()
        self.server?.stopAll()
        // Clients get a moment to read their last replies, then the loop ends.
        self.reactor.scheduleTimer(afterMilliseconds: 2000) { [self] in self.finishStop() }
        self.checkStopped()
    }

    private func checkStopped() {
        guard self.isStopping else { return }
        if (self.server?.clientCount ?? 0) == 0 {
            self.finishStop()
        } else {
            self.reactor.scheduleTimer(afterMilliseconds: 10) { [self] in self.checkStopped() }
        }
    }

    private func finishStop() {
        self.interfaces.stopSupplicants()
        self.server?.closeAll()
        self.reactor.stop()
    }

    private func removeSocketFile() {
        guard self.ownsSocketFile else { return }
        self.ownsSocketFile = false
        unlink(self.socketPath)
        self.lock?.release()
        self.lock = nil
    }

    // MARK: Reloading

    /// Re-reads the configuration (SIGHUP). Safe from any thread.
    public func requestReload() {
        self.reactor.execute { [self] in self.reload { _ in } }
    }

    /// Reads and resolves the configuration again off the event loop, then applies what
    /// can change at run time; `completion` (on the reactor) gets the error when the new
    /// configuration is refused and the running one stays.
    func reload(completion: @escaping (ConfigurationError?) -> Void) {
        self.notifier.notify("RELOADING=1\nMONOTONIC_USEC=\(MonotonicClock.nanoseconds() / 1000)")
        let source = self.configurationSource
        let started = self.blockingWork.run({ () -> Result<PreparedConfiguration, ConfigurationError> in
            Result { () throws(ConfigurationError) in try PreparedConfiguration.load(source) }
        }) { [self] result in
            defer { self.notifier.notify("READY=1\nSTATUS=serving \(self.socketPath)") }
            switch result {
            case .success(let prepared):
                self.apply(prepared)
                completion(nil)
            case .failure(let error):
                self.logger.error("reload refused, keeping the running configuration: \(error)")
                self.events.publish(.reloadFailed(error: error.description))
                completion(error)
            }
        }
        if !started { completion(ConfigurationError(key: "", "too much blocking work is queued; try again")) }
    }

    private func apply(_ prepared: PreparedConfiguration) {
        let next = prepared.configuration
        var needsRestart: [String] = []
        if next.control.socketPath != self.configuration.control.socketPath { needsRestart.append("control.socket") }
        if next.control.mode != self.configuration.control.mode { needsRestart.append("control.mode") }
        if !needsRestart.isEmpty {
            self.logger.warning("\(needsRestart.joined(separator: ", ")) change only on restart")
        }
        self.configuration = next
        self.adminGroupID = prepared.adminGroupID
        self.events.historyLimit = next.control.eventHistory
        self.dispatcher.maxBatch = next.control.maxBatch
        self.sockets.maxSocketsPerOwner = next.control.maxSocketsPerClient
        self.sockets.maxQueuedCallsPerSocket = next.control.maxQueuedCallsPerSocket
        self.interfaces.configure(next)
        self.resolver.settings = next.dns
        self.resolver.resolvConfServers = prepared.resolvConfServers
        self.server?.limits = ControlServer.Limits(
            maxClients: next.control.maxClients, maxMessageBytes: next.control.maxMessageBytes,
            maxOutputBytes: next.control.maxOutputBytes)
        self.logger.info("configuration reloaded")
        self.events.publish(.reloaded(interfaces: next.interfaces.map(\.name), needsRestart: needsRestart))
    }

    // MARK: DNS

    static func readResolvConf() -> [SocketAddress] {
        guard let bytes = try? FileDescriptorIO.readFile("/etc/resolv.conf") else { return [] }
        return ResolvConf.servers(String(decoding: bytes, as: UTF8.self))
    }

    /// The address a socket `connect` names: a literal as it is, a host name through the
    /// resolver on the socket's own interface.
    func resolveForSocket(owner: Int, id: Int, host: String, completion: @escaping (Result<IPAddress?, NSAPIError>) -> Void) {
        if host.isEmpty { return completion(.success(nil)) }
        if let literal = IPAddress(parsing: host) { return completion(.success(literal)) }
        guard let name = self.sockets.interfaceName(owner: owner, id: id), let interface = self.interfaces.interface(named: name)
        else { return completion(.failure(.noSocket)) }
        self.resolver.resolve(host, version: .unspecified, interface: interface, owner: owner) { result in
            completion(result.map(\.first))
        }
    }

    // MARK: Queries used by methods

    /// Root, the daemon's own user, and processes holding `control.admin_group` (as
    /// their primary or a supplementary group, from SO_PEERGROUPS) are admins.
    func isAdmin(_ credentials: PeerCredentials) -> Bool {
        if credentials.uid == 0 || credentials.uid == self.ownUID { return true }
        guard let group = self.adminGroupID else { return false }
        return credentials.isMember(of: group)
    }

    var uptimeMilliseconds: Int64 { Int64((MonotonicClock.nanoseconds() - self.startNanoseconds) / 1_000_000) }
    var clientCount: Int { self.server?.clientCount ?? 0 }
    var sessions: [Session] { (self.server?.sessions ?? []).sorted { $0.id < $1.id } }

    func makeSubscriptionID() -> Int64 {
        defer { self.nextSubscriptionID += 1 }
        return self.nextSubscriptionID
    }
}
