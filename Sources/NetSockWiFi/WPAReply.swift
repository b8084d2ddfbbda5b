import NSAPI

/// A reply of wpa_supplicant's control interface, one datagram, as the grammar gives it:
/// the bare words first, then what a command's text means (a number, `key=value` lines,
/// a TAB table). Pure and total: any bytes give a reply, the worst being `.text`.
public enum WPAReply: Sendable, Equatable {
    case ok
    case fail
    /// `FAIL-BUSY`: a scan already runs.
    case failBusy
    case unknownCommand
    case pong
    /// Anything else: a number (`ADD_NETWORK`), a `key=value` block, a table.
    case text(String)

    /// The most a reply may hold: wpa_supplicant's own control buffer is 4 KB for most
    /// replies and `SCAN_RESULTS` grows with the radio's view; past this it is not a reply.
    public static let maximumBytes = 65_536

    public init(_ bytes: some Collection<UInt8>) {
        let text = String(decoding: bytes.prefix(Self.maximumBytes), as: UTF8.self)
        // Replies end in a newline, or not (ADD_NETWORK's "0\n", PING's "PONG\n").
        let trimmed = text.last == "\n" ? String(text.dropLast()) : text
        switch trimmed {
        case "OK": self = .ok
        case "FAIL": self = .fail
        case "FAIL-BUSY": self = .failBusy
        case "UNKNOWN COMMAND": self = .unknownCommand
        case "PONG": self = .pong
        default: self = .text(trimmed)
        }
    }

    /// The reply's number (`ADD_NETWORK` → `0`), nil when it is not one.
    public var number: Int? {
        guard case .text(let text) = self, !text.isEmpty, text.count <= 10, text.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int(text)
    }

    /// `STATUS`, `SIGNAL_POLL`, `BSS`: `key=value` lines, in order; a line without `=` is skipped.
    public var keyValues: [(key: String, value: String)] {
        guard case .text(let text) = self else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: true).compactMap { (line: Substring) -> (key: String, value: String)? in
            guard let equals = line.firstIndex(of: "=") else { return nil }
            return (String(line[..<equals]), String(line[line.index(after: equals)...]))
        }
    }

    /// The value of `key` in a `key=value` reply.
    public func value(_ key: String) -> String? { self.keyValues.first { $0.key == key }?.value }

    /// `SCAN_RESULTS`, `LIST_NETWORKS`: the header line (`bssid / frequency / ...`) and the
    /// TAB-separated rows after it. Rows keep empty cells (a hidden network's empty SSID).
    public var table: (header: [String], rows: [[String]]) {
        guard case .text(let text) = self else { return ([], []) }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard !lines.isEmpty else { return ([], []) }
        let header = lines.removeFirst().split(separator: "/").map { String($0.trimmingBlanks) }
        return (header, lines.map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) })
    }
}

extension Character {
    var isASCIIDigit: Bool { self >= "0" && self <= "9" }
}
