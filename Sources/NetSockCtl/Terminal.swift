#if canImport(Glibc)
import Glibc
#endif
import NetSockJSON
import NetSockPOSIX

/// Where output goes, and whether a person is looking at it.
public struct Terminal: Sendable {
    public var stdoutIsTTY: Bool
    public var stderrIsTTY: Bool

    public static var current: Terminal {
        Terminal(stdoutIsTTY: isatty(1) == 1, stderrIsTTY: isatty(2) == 1)
    }

    public func out(_ text: String) {
        self.write(1, text + "\n")
    }

    public func err(_ text: String) {
        self.write(2, text + "\n")
    }

    /// A daemon object as JSON: pretty for people, compact for pipes.
    public func json(_ value: JSONValue) {
        self.out(JSONCodec.encodeString(value, style: self.stdoutIsTTY ? .pretty : .compact))
    }

    private func write(_ fd: Int32, _ text: String) {
        FileDescriptorIO.writeAll(fd, text.utf8)
    }
}
