#if canImport(Glibc)
import Glibc
#endif

/// A modem's serial line, set up as AT drivers need it: raw (no echo, no line editing,
/// no CR/LF translation, 8N1), the baud rate asked for, RTS/CTS flow control if asked,
/// modem control lines ignored (`CLOCAL`), nonblocking for the reactor.
public final class SerialPort {
    public let fileDescriptor: Int32
    public let path: String
    public let baudRate: Int

    /// The rates termios knows, as Mbed's cellular targets use them.
    public static let supportedRates: [Int: speed_t] = [
        9600: speed_t(B9600), 19200: speed_t(B19200), 38400: speed_t(B38400), 57600: speed_t(B57600), 115_200: speed_t(B115200),
        230_400: speed_t(B230400), 460_800: speed_t(B460800), 921_600: speed_t(B921600),
    ]

    /// The rate a termios speed stands for (nil for one we do not use).
    public static func bitsPerSecond(_ speed: speed_t) -> Int? { Self.supportedRates.first { $0.value == speed }?.key }

    public init(path: String, baudRate: Int = 115_200, flowControl: Bool = false) throws(SystemError) {
        guard let speed = Self.supportedRates[baudRate] else { throw SystemError("baud rate \(baudRate)", errno: EINVAL) }
        let fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError.last("open \(path)") }
        var settings = termios()
        guard tcgetattr(fd, &settings) == 0 else {
            let error = SystemError.last("tcgetattr \(path)")
            close(fd)
            throw error
        }
        cfmakeraw(&settings)
        settings.c_cflag |= tcflag_t(CLOCAL | CREAD)
        let hardwareFlow = tcflag_t(0o20000000000)  // CRTSCTS
        if flowControl { settings.c_cflag |= hardwareFlow } else { settings.c_cflag &= ~hardwareFlow }
        // Reads return what is there; the reactor says when.
        withUnsafeMutableBytes(of: &settings.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        guard cfsetispeed(&settings, speed) == 0, cfsetospeed(&settings, speed) == 0, tcsetattr(fd, TCSANOW, &settings) == 0 else {
            let error = SystemError.last("tcsetattr \(path)")
            close(fd)
            throw error
        }
        tcflush(fd, TCIOFLUSH)
        self.fileDescriptor = fd
        self.path = path
        self.baudRate = baudRate
    }

    deinit { close(self.fileDescriptor) }

    /// Bytes waiting; empty when none.
    public func read(maximum: Int = 4096) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: maximum)
        let count = buffer.withUnsafeMutableBytes { raw in retryingOnInterrupt { Glibc.read(self.fileDescriptor, raw.baseAddress, raw.count) } }
        return count > 0 ? Array(buffer.prefix(count)) : []
    }

    /// Bytes the line took now (a full output queue takes fewer).
    public func write(_ bytes: ArraySlice<UInt8>) -> Int {
        let written = bytes.withUnsafeBytes { raw in retryingOnInterrupt { Glibc.write(self.fileDescriptor, raw.baseAddress, raw.count) } }
        return Swift.max(0, written)
    }

    /// The line's settings as the kernel holds them (for tests and status).
    public var settings: (raw: Bool, flowControl: Bool, inputSpeed: speed_t, outputSpeed: speed_t)? {
        var current = termios()
        guard tcgetattr(self.fileDescriptor, &current) == 0 else { return nil }
        let raw = current.c_lflag & tcflag_t(ICANON | ECHO) == 0 && current.c_oflag & tcflag_t(OPOST) == 0
        return (raw, current.c_cflag & tcflag_t(0o20000000000) != 0, cfgetispeed(&current), cfgetospeed(&current))
    }
}
