#if canImport(Glibc)
import Glibc
#endif
public import ArgumentParser
import CNetSockLinux
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

    @Flag(name: .long, help: ArgumentHelp("Print the Swift source of the typed client (NetSockClient/API.swift) and exit.", visibility: .hidden))
    var printClientApi = false

    @Flag(
        name: .long,
        help: "Print the effective configuration (file, embedded defaults and discovered devices) and where each part came from, then exit.")
    var printConfig = false

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
        if self.printClientApi {
            print(try Daemon.clientSource(), terminator: "")
            return
        }
        let environment = ProcessEnvironment.current
        let source: ConfigurationSource = self.config.map { .file($0) } ?? .embedded
        let prepared: PreparedConfiguration
        do {
            prepared = try PreparedConfiguration.load(source)
        } catch {
            self.fail(self.config.map { "config \($0): \(error)" } ?? "\(error)")
        }
        let configuration = prepared.configuration
        if self.printConfig {
            var sources = JSONObject()
            for (part, origin) in configuration.sources(file: self.config).sorted(by: { $0.key < $1.key }) {
                sources[part] = .string(origin)
            }
            print(JSONCodec.encodeString(["configuration": configuration.json, "sources": .object(sources)], style: .pretty))
            return
        }
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
        // Every client and every socket holds a descriptor: take all the kernel allows.
        let descriptors = cnetsock_raise_nofile_limit()
        if descriptors > 0 { logger.debug("descriptor limit \(descriptors)") }

        let daemon: Daemon
        do {
            daemon = try Daemon(prepared: prepared, source: source, socketPath: path, environment: environment, logger: logger)
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

    private func fail(_ message: String) -> Never {
        var line = "netsockd: \(message)\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        Glibc.exit(1)
    }
}
