#if canImport(Glibc)
import Glibc
#endif
public import ArgumentParser

/// `netsockctl`: the thin companion CLI of netsockd.
public struct NetsockctlCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "netsockctl",
        abstract: "Talk to netsockd: call any method, show the daemon, watch events.",
        discussion: """
            Exit codes: 0 ok, 1 error reply, 2 usage, 3 timeout, 4 not permitted, 5 not found, \
            6 daemon not running. See docs/netsockctl.md.
            """,
        version: "0.1.0",
        subcommands: [
            StatusCommand.self, InterfaceCommand.self, DNSCommand.self, SocketCommand.self, MonitorCommand.self,
            WaitOnlineCommand.self, TCPCommand.self, UDPCommand.self, PingCommand.self, CellularCommand.self, WiFiCommand.self, CallCommand.self, InfoCommand.self,
        ])

    public init() {}

    /// `help` alone: usage plus the daemon's methods; `help COMMAND`: the command's help;
    /// `help METHOD`: the method's params, result and errors from `rpc.discover`.
    static func help(_ words: [String]) throws -> Never {
        let topics = words.filter { !$0.hasPrefix("-") }
        let options = GlobalOptions.from(words)
        let names = Self.configuration.subcommands.map { $0._commandName }
        if let topic = topics.first, !names.contains(topic) {
            for line in try MethodHelp.describe(topic, options: options) { Terminal.current.out(line) }
            Glibc.exit(0)
        }
        if let topic = topics.first, let command = Self.configuration.subcommands.first(where: { $0._commandName == topic }) {
            Terminal.current.out(Self.helpMessage(for: command))
            Glibc.exit(0)
        }
        Terminal.current.out(Self.helpMessage())
        if let methods = MethodHelp.methodList(options: options) {
            Terminal.current.out("\nMETHODS (from the daemon; netsockctl help METHOD for one):")
            for line in methods { Terminal.current.out(line) }
        }
        Glibc.exit(0)
    }

    /// Global options may come before the subcommand (`netsockctl -s PATH iface show lo`);
    /// argument-parser wants them on the leaf command, which declares them, so they move to the end.
    public static func hoistingGlobalOptions(_ arguments: [String]) -> [String] {
        let valued: Set<String> = ["-s", "--socket", "--timeout", "-g", "--get"]
        let flags: Set<String> = ["--json", "--jsonl"]
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            let name = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
            if flags.contains(word) {
                leading.append(word)
                index += 1
            } else if valued.contains(word), index + 1 < arguments.count {
                leading += [word, arguments[index + 1]]
                index += 2
            } else if word.contains("="), valued.contains(name) {
                leading.append(word)
                index += 1
            } else {
                break
            }
        }
        guard !leading.isEmpty, index < arguments.count else { return arguments }
        // After everything: options are recognised anywhere by the leaf command that declares them.
        return Array(arguments[index...]) + leading
    }

    /// The process entry point: runs the command and exits with the documented codes
    /// (argument-parser's usage errors become 2).
    public static func start(_ arguments: [String]? = nil) -> Never {
        do {
            let words = Self.hoistingGlobalOptions(arguments ?? Array(CommandLine.arguments.dropFirst()))
            if words.first == "help" { try Self.help(Array(words.dropFirst())) }
            var command = try Self.parseAsRoot(words)
            try command.run()
            Glibc.exit(0)
        } catch {
            let code = Self.exitCode(for: error)
            let message = Self.fullMessage(for: error)
            if !message.isEmpty {
                if code == .success { print(message) } else { Terminal.current.err(message) }
            }
            Glibc.exit(code == .validationFailure ? ExitStatus.usage.rawValue : code.rawValue)
        }
    }
}
