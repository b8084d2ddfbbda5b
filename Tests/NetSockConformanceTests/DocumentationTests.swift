import NetSockJSON
import NetSockPOSIX
import NetSockTestSupport
import Testing

/// The examples of docs/netsockctl.md, run as written: each `$ ` line of a
/// ```console block against a daemon with `lo` and dnsmasq, its output (stderr
/// merged) compared with the lines below it. `…` matches any text in a line; a
/// line of just `…` matches any number of lines.
@Suite(.serialized) struct DocumentationTests {
    struct Example {
        var command: String
        var expected: [String]
        var line: Int
    }

    static func examples(_ markdown: String) -> [Example] {
        var examples: [Example] = []
        var inConsole = false
        for (number, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.hasPrefix("```") {
                inConsole = !inConsole && line == "```console"
                continue
            }
            guard inConsole else { continue }
            if line.hasPrefix("$ ") {
                examples.append(Example(command: String(line.dropFirst(2)), expected: [], line: number + 1))
            } else if !examples.isEmpty {
                examples[examples.count - 1].expected.append(String(line))
            }
        }
        return examples
    }

    /// Whether `text` matches `pattern`, where `…` stands for any run of characters.
    static func lineMatches(_ text: Substring, _ pattern: Substring) -> Bool {
        guard let star = pattern.firstIndex(of: "…") else { return text == pattern }
        let prefix = pattern[..<star]
        let rest = pattern[pattern.index(after: star)...]
        guard text.hasPrefix(prefix) else { return false }
        var tail = text.dropFirst(prefix.count)
        while true {
            if self.lineMatches(tail, rest) { return true }
            guard !tail.isEmpty else { return false }
            tail = tail.dropFirst()
        }
    }

    static func linesMatch(_ lines: ArraySlice<Substring>, _ patterns: ArraySlice<String>) -> Bool {
        guard let first = patterns.first else { return lines.isEmpty }
        if first == "…" {
            for skip in 0...lines.count where self.linesMatch(lines.dropFirst(skip), patterns.dropFirst()) { return true }
            return false
        }
        guard let line = lines.first, self.lineMatches(line, Substring(first)) else { return false }
        return self.linesMatch(lines.dropFirst(), patterns.dropFirst())
    }

    @Test func everyExampleInNetsockctlMdRunsAsDocumented() throws {
        let markdown = try readText(TestPeers.repositoryRoot() + "/docs/netsockctl.md")
        let examples = Self.examples(markdown)
        #expect(examples.count >= 20)
        let environment = try ConformanceDaemon()
        var env = ProcessEnvironment.current
        env["PATH"] = BuiltProducts.directory + ":/usr/bin:/bin"
        env["NETSOCKD_SOCKET"] = environment.daemon.socketPath
        env["ECHO_PORT"] = String(environment.peers.echo)
        env["DISCARD_PORT"] = String(environment.peers.discard)
        env.removeValue(forKey: "NO_COLOR")
        for example in examples {
            let result = try Subprocess.run("/bin/sh", ["-c", "{ " + example.command + "; } 2>&1"], environment: env, directory: environment.daemon.directory.path)
            var output = result.stdout
            if output.hasSuffix("\n") { output.removeLast() }
            let lines = output.isEmpty ? [] : output.split(separator: "\n", omittingEmptySubsequences: false)
            var expected = example.expected
            while expected.last?.isEmpty == true { expected.removeLast() }
            #expect(
                Self.linesMatch(lines[...], expected[...]),
                "docs/netsockctl.md:\(example.line): \(example.command)\n--- got ---\n\(output)\n--- documented ---\n\(expected.joined(separator: "\n"))")
        }
    }

    @Test func theMatcherIsStrict() {
        #expect(Self.lineMatches("pid 123, up 4 s", "pid …, up … s"))
        #expect(!Self.lineMatches("pid 123, up 4 s", "pid …, down … s"))
        #expect(Self.linesMatch(["a", "b", "c"], ["a", "…", "c"]))
        #expect(Self.linesMatch(["a", "c"], ["a", "…", "c"]))
        #expect(!Self.linesMatch(["a", "b"], ["a"]))
        #expect(!Self.linesMatch(["a"], ["a", "b"]))
    }
}
