#if canImport(Glibc)
import Glibc
#endif
import NetSockJSON

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
        var text = text
        text.withUTF8 { utf8 in
            var offset = 0
            while offset < utf8.count {
                let written = Glibc.write(fd, utf8.baseAddress! + offset, utf8.count - offset)
                if written <= 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
