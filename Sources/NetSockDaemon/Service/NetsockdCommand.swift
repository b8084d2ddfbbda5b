#if canImport(Glibc)
import Glibc
#endif
public import ArgumentParser
import Logging
import NetSockJSON
import NetSockPOSIX
import NetSockRPC
import ServiceLifecycle

/// `netsockd`: the daemon's command line (API.md, "Daemon command line and configuration").
public struct NetsockdCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "netsockd",
        abstract: "Hosts IP stacks and serves the Mbed OS network-socket API as JSON-RPC on a Unix socket.",
        discussion: """
            Without --config the daemon runs on its embedded default: the kernel stack with lo as a loopback \
            interface and every kernel network device as an ethernet interface. SIGHUP reloads the \
            configuration; SIGTERM and SIGINT stop it gracefully.
            """,
        version: Daemon.version)

    @Option(name: .long, help: "JSON config file (see etc/netsockd.json).")
    var config: String?

    @Option(name: [.short, .long], help: "Control socket path (overrides $NETSOCKD_SOCKET and control.socket).")
    var socket: String?

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Flag(name: .long, help: "Validate the configuration, print the result and exit.")
    var checkConfig = false

    @Flag(name: .long, help: "Print the OpenRPC document of the API and exit.")
    var printOpenrpc = false

    public init() {}

    /// The process entry point. (Calling `main()` from another module's top-level
    /// code picks argument-parser's synchronous overload, which refuses async roots.)
    public static func start() async {
        do {
            var command = try Self.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            Self.exit(withError: error)
        }
    }

    public func validate() throws {
        guard Logger.Level(rawValue: self.logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    public func run() async throws {
        if self.printOpenrpc {
            print(JSONCodec.encodeString(Daemon.openRPCDocument(), style: .pretty))
            return
        }
        let environment = ProcessEnvironment.current
        let (configuration, source) = try self.loadConfiguration()
        let path = SocketPathResolver.resolve(
            option: self.socket, environment: environment, configured: configuration.control.socketPath, uid: getuid())
        if self.checkConfig {
            if path.utf8.count > UnixSocket.maxPathBytes {
                self.fail("socket path \(path) is longer than \(UnixSocket.maxPathBytes) bytes")
            }
            print("configuration OK: \(configuration.interfaces.count) interface(s); socket \(path)")
            return
        }

        let level = Logger.Level(rawValue: self.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "netsockd")
        signal(SIGPIPE, SIG_IGN)

        let daemon: Daemon
        do {
            daemon = try Daemon(
                configuration: configuration, source: source, socketPath: path, environment: environment, logger: logger)
            try daemon.bind()
        } catch {
            self.fail("\(error)")
        }
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: ReactorService(daemon: daemon), successTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: ReloadSignalService(daemon: daemon)),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }

    private func loadConfiguration() throws -> (DaemonConfiguration, ConfigurationSource) {
        guard let path = self.config else {
            let configuration = DaemonConfiguration.embeddedDefault(
                devices: KernelDevices.names(), defaultRouteDevice: KernelDevices.defaultRouteDevice())
            return (configuration, .embedded)
        }
        let bytes: [UInt8]
        do {
            bytes = try FileDescriptorIO.readFile(path)
        } catch {
            self.fail("cannot read config \(path): \(error)")
        }
        do {
            return (try DaemonConfiguration(parsingText: bytes), .file(path))
        } catch {
            self.fail("config \(path): \(error)")
        }
    }

    private func fail(_ message: String) -> Never {
        var line = "netsockd: \(message)\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        Glibc.exit(1)
    }
}
