#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import NetSockClient
import NetSockRPC

/// Options every subcommand takes.
public struct GlobalOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "Control socket path (default: $NETSOCKD_SOCKET, then the daemon's default).")
    var socket: String?

    @Flag(name: .long, help: "Print the daemon's JSON objects unchanged (pretty on a terminal).")
    var json = false

    @Flag(name: .long, help: "One compact JSON text per line (lists and streams).")
    var jsonl = false

    @Option(name: [.customShort("g"), .customLong("get")], help: "Print only this field, e.g. ipv4.address (dotted path).")
    var get: String?

    @Option(name: .long, help: "Seconds to wait for a reply (0: forever).")
    var timeout: Double = 30

    public init() {}

    var output: Output { Output(options: self) }

    var timeoutMilliseconds: Int { self.timeout <= 0 ? -1 : Int(self.timeout * 1000) }

    /// The socket path, resolved exactly as netsockd resolves it (minus the config file).
    var socketPath: String {
        var environment: [String: String] = [:]
        for name in ["NETSOCKD_SOCKET", "XDG_RUNTIME_DIR"] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        return SocketPathResolver.resolve(option: self.socket, environment: environment, configured: nil, uid: getuid())
    }

    func connect() throws(ClientError) -> RPCClient { try RPCClient(path: self.socketPath) }
}

/// Reports a failed call on stderr (and as JSON on stdout with --json) and exits with its code.
func fail(_ error: ClientError, options: GlobalOptions, terminal: Terminal = .current) -> ExitCode {
    if options.json, case .rpc(let rpcError) = error { terminal.json(["error": rpcError.json]) }
    switch error {
    case .rpc(let rpcError):
        terminal.err("netsockctl: \(rpcError.message) (\(rpcError.code)): \(rpcError.detail ?? "")")
    default:
        terminal.err("netsockctl: \(error)")
    }
    return ExitCode(ExitStatus(error).rawValue)
}
