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
        subcommands: [CallCommand.self, InfoCommand.self, MonitorCommand.self])

    public init() {}

    /// Global options may come before the subcommand (`netsockctl -s PATH info`);
    /// argument-parser wants them after it, where every subcommand declares them.
    public static func hoistingGlobalOptions(_ arguments: [String]) -> [String] {
        let valued: Set<String> = ["-s", "--socket", "--timeout"]
        let flags: Set<String> = ["--json"]
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
        return [arguments[index]] + leading + arguments[(index + 1)...]
    }

    /// The process entry point: runs the command and exits with the documented codes
    /// (argument-parser's usage errors become 2).
    public static func start(_ arguments: [String]? = nil) -> Never {
        do {
            var command = try Self.parseAsRoot(Self.hoistingGlobalOptions(arguments ?? Array(CommandLine.arguments.dropFirst())))
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
