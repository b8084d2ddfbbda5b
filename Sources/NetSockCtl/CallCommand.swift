#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import NetSockClient
import NetSockJSON
import NetSockPOSIX

/// `netsockctl call METHOD [key=value ...]`: any method, including future ones.
struct CallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call", abstract: "Call any JSON-RPC method with named params.",
        discussion: """
            Params are key=value words, typed as lightning-cli does: numbers, true, false, null and JSON \
            arrays, objects or quoted strings are JSON; anything else is a string. Or give them whole with \
            --params '{"k":1}', --params @file.json, or --params - (stdin).
            """)

    @OptionGroup var options: GlobalOptions

    @Argument(help: "Method name, e.g. daemon.info.")
    var method: String

    @Argument(help: "Params as key=value.")
    var params: [String] = []

    @Option(name: .customLong("params"), help: "Params as a JSON object, @FILE, or - for stdin.")
    var paramsJSON: String?

    @Flag(name: .long, help: "Take every key=value as a string.")
    var rawString = false

    @Option(name: .long, help: "The param that takes a secret (pass, pin, ...): read from --secret-file or --secret-stdin.")
    var secret: String?

    @Option(name: .long, help: "Read the secret from this file (its first line).")
    var secretFile: String?

    @Flag(name: .long, help: "Read the secret from stdin (its first line).")
    var secretStdin = false

    /// Param names that carry secrets: they are never accepted on the command line, where
    /// every user of the machine can read them (`ps`, shell history).
    static let secretNames: Set<String> = ["pass", "password", "passphrase", "psk", "pin", "puk", "secret", "key"]

    func validate() throws {
        if self.paramsJSON != nil && !self.params.isEmpty {
            throw ValidationError("give params either as key=value or with --params, not both")
        }
        for word in self.params {
            let key = String(word.prefix { $0 != "=" })
            if Self.secretNames.contains(key.lowercased()) {
                throw ValidationError("\(key) is a secret and is never taken from the command line; use --secret \(key) with --secret-file FILE or --secret-stdin")
            }
        }
        if (self.secretFile != nil || self.secretStdin) != (self.secret != nil) {
            throw ValidationError("--secret NAME goes with exactly one of --secret-file FILE or --secret-stdin")
        }
        if self.secretFile != nil && self.secretStdin { throw ValidationError("give --secret-file or --secret-stdin, not both") }
        if self.secretStdin && self.paramsJSON == "-" { throw ValidationError("stdin cannot carry both --params and the secret") }
    }

    /// The secret's first line, from the file or stdin.
    func readSecret() throws -> String? {
        guard self.secret != nil else { return nil }
        let bytes = try readSource(self.secretStdin ? "-" : "@" + (self.secretFile ?? ""))
        return String(decoding: bytes.prefix { $0 != 0x0A && $0 != 0x0D }, as: UTF8.self)
    }

    func run() throws {
        let params: JSONObject
        do {
            if let source = self.paramsJSON {
                params = try ParamArguments.object(try readSource(source))
            } else {
                params = try ParamArguments.parse(self.params, rawStrings: self.rawString)
            }
        } catch let failure as ParamArguments.Failure {
            throw ValidationError(failure.description)
        }
        var allParams = params
        if let name = self.secret, let value = try self.readSecret() { allParams[name] = .string(value) }
        let terminal = Terminal.current
        do {
            let client = try self.options.connect()
            let result = try client.call(self.method, allParams, timeoutMilliseconds: self.options.timeoutMilliseconds)
            try self.options.output.show(result) { [JSONCodec.encodeString(result, style: terminal.stdoutIsTTY ? .pretty : .compact)] }
        } catch let error as ClientError {
            throw fail(error, options: self.options)
        }
    }
}

/// Reads `--params` input: `-` is stdin, `@path` a file, anything else the text itself.
func readSource(_ source: String) throws -> [UInt8] {
    if source == "-" { return try FileDescriptorIO.readAll(0) }
    if source.hasPrefix("@") {
        let path = String(source.dropFirst())
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ValidationError("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        return try FileDescriptorIO.readAll(fd)
    }
    return Array(source.utf8)
}
