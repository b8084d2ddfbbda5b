public import NetSockStack

/// How a response carries raw bytes of a length it states (sockets inside the modem).
public enum ATBinaryForm: Sendable, Equatable {
    /// The bytes follow an opening quote on the line that starts with `prefix`, after
    /// the field at `lengthField` (0-based, counted after the prefix) and close with a
    /// quote: u-blox `+USORD: <s>,<len>,"<bytes>"`, `+USORF: <s>,"<ip>",<port>,<len>,"<bytes>"`.
    case quoted(prefix: String, lengthField: Int)
    /// The bytes follow the line that starts with `prefix`, whose field `lengthField`
    /// counts them: Quectel `+QIRD: <n>[,"<ip>",<port>]` CRLF `<bytes>`.
    case followingLine(prefix: String, lengthField: Int)
}

/// One command for an `ATChannel`: its text, what answers it, and how long it may take.
public struct ATCommand: Sendable, Equatable {
    /// Without the trailing CR: "AT+CSQ".
    public var text: String
    public var timeout: TimeSpan
    /// Lines that start with it answer this command even when a URC has the same
    /// prefix (a solicited `+CEREG: 2,1` against the URC `+CEREG: 1`).
    public var responsePrefix: String?
    /// The prompt the modem sends before it takes `payload` (`@` on u-blox, `>` on Quectel).
    public var prompt: UInt8?
    /// Bytes sent once the prompt came.
    public var payload: [UInt8]
    public var binary: ATBinaryForm?
    /// Final results besides OK and the errors ("SEND OK", "SEND FAIL", "CONNECT").
    public var finals: [String]
    /// Arguments are secrets (a PIN, a password): the trace shows the command's name only.
    public var isSecret: Bool

    public init(
        _ text: String, timeout: TimeSpan = .seconds(1), responsePrefix: String? = nil, prompt: UInt8? = nil, payload: [UInt8] = [],
        binary: ATBinaryForm? = nil, finals: [String] = [], isSecret: Bool = false
    ) {
        self.text = text
        self.timeout = timeout
        self.responsePrefix = responsePrefix
        self.prompt = prompt
        self.payload = payload
        self.binary = binary
        self.finals = finals
        self.isSecret = isSecret
    }
}

/// How a command ended.
public enum ATFinal: Sendable, Equatable {
    case ok
    case error
    /// `+CME ERROR: <n>`; nil when the modem gave text (`+CMEE=2`) instead of a number.
    case cmeError(Int?)
    case cmsError(Int?)
    /// One of the command's own finals ("SEND OK").
    case other(String)
    /// No final result before the command's timeout.
    case timeout
}

/// A command's answer: its information lines, raw bytes if it carried any, and its end.
public struct ATResponse: Sendable, Equatable {
    public var command: String
    public var lines: [String]
    public var binary: [UInt8]?
    public var final: ATFinal

    public init(command: String, lines: [String], binary: [UInt8]?, final: ATFinal) {
        self.command = command
        self.lines = lines
        self.binary = binary
        self.final = final
    }

    public var isOK: Bool { self.final == .ok || { if case .other = self.final { true } else { false } }() }
}

/// What the channel makes of the modem's bytes.
public enum ATEvent: Sendable, Equatable {
    case response(ATResponse)
    /// An unsolicited result code, matched by prefix anywhere, also inside a response.
    case urc(String)
    /// The modem's prompt: the command's payload goes now (`ATChannel.payload`).
    case prompt
    /// A line no command asked for and no URC prefix matches (a late reply, `RDY`).
    case unsolicited(String)
    /// Input refused: a line over the limit, a binary length over the limit.
    case junk(String)
}
