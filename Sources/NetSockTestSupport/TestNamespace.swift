/// A network namespace a test makes, `nsd-test-<role>-<tag>`, with its loopback up: on
/// `remove` (or when it goes, or at the test process's exit) whatever runs inside is
/// killed and the namespace deleted, with the devices in it.
public final class TestNamespace: @unchecked Sendable {
    public let name: String
    /// Made by us: only then is it ours to remove (a name taken already is someone's).
    private var created = false
    private var removed = false

    public init(_ role: String, tag: String = String(UInt32.random(in: 0...0xFFFFF), radix: 16)) throws {
        self.name = "nsd-test-\(role)-\(tag)"
        try Self.ip(["netns", "add", self.name])
        self.created = true
        TestResources.created(namespace: self.name)
        try self.ip(["link", "set", "lo", "up"])
    }

    /// `ip -n <name> ...`.
    public func ip(_ arguments: [String]) throws { try Self.ip(["-n", self.name] + arguments) }

    /// `ip netns exec <name>` before a command.
    public var launcher: [String] { ["/sbin/ip", "netns", "exec", self.name] }

    public func remove() {
        guard self.created, !self.removed else { return }
        self.removed = true
        TestResources.killProcesses(inNamespace: self.name)
        _ = try? Subprocess.run("/sbin/ip", ["netns", "del", self.name], directory: "/tmp")
        TestResources.released(namespace: self.name)
    }

    deinit { self.remove() }

    public static func ip(_ arguments: [String]) throws {
        let result = try Subprocess.run("/sbin/ip", arguments, directory: "/tmp")
        guard result.status == 0 else { throw SubprocessError(description: "ip \(arguments.joined(separator: " ")): \(result.stderr)") }
    }
}
