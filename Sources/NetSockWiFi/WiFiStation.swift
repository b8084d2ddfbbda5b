public import NSAPI

/// Mbed's WiFiInterface calls as a pure machine over wpa_supplicant's control interface:
/// it asks for commands (one at a time, each answered by one reply), reads the monitor's
/// events, and keeps its deadline; the owner brings the sockets and the time (ms).
///
/// connect: `ADD_NETWORK`, the network block, `SELECT_NETWORK`, then the outcome from the
/// events: `CTRL-EVENT-CONNECTED` is success; a wrong key (`SSID-TEMP-DISABLED
/// reason=WRONG_KEY` or the 4-way handshake failing) AUTH_FAILURE; `NETWORK-NOT-FOUND`
/// NO_SSID; `ASSOC-REJECT` NO_CONNECTION; nothing by the deadline CONNECTION_TIMEOUT.
/// A failed connect removes its network block again. scan: `SCAN`, the results event,
/// `SCAN_RESULTS`; a scan already running (`FAIL-BUSY`) is joined, not failed.
public struct WiFiStation: Sendable {
    public enum Output: Sendable, Equatable {
        /// A command for the command socket; `loggable` is what a log may show of it.
        case send(command: String, loggable: String)
        case connected(bssid: String?)
        case connectFailed(NSAPIError, String)
        /// The link went down after it was up (the AP went, or the supplicant disconnected).
        case disconnected(reason: Int?, locallyGenerated: Bool)
        case scanned([ScanResult])
        case scanFailed(NSAPIError, String)
        case rssi(Int)
        /// The link's signal moved (`CTRL-EVENT-SIGNAL-CHANGE`).
        case signalChanged(Int)
    }

    /// The raw values are the API's names for them (`interface.status`'s `wifi.state`).
    public enum Phase: String, Sendable, Equatable {
        case idle
        case connecting
        case connected
        case disconnecting
    }

    public struct Credentials: Sendable, Equatable {
        public var ssid: [UInt8]
        public var passphrase: String
        public var security: SecurityType
        public var channel: Int?

        public init(ssid: [UInt8], passphrase: String, security: SecurityType, channel: Int? = nil) {
            self.ssid = ssid
            self.passphrase = passphrase
            self.security = security
            self.channel = channel
        }

        /// Mbed's set_credentials rules (WIFI-03), as the network block they make is
        /// checked: PARAMETER for an SSID or passphrase it refuses, UNSUPPORTED for a
        /// security wpa_supplicant's PSK path cannot do.
        public func validate() throws(NSAPIError) {
            do throws(NetworkBlock.Failure) {
                _ = try NetworkBlock.commands(id: 0, ssid: self.ssid, passphrase: self.passphrase, security: self.security, channel: self.channel)
            } catch {
                throw error == .unsupportedSecurity ? .unsupported : .parameter
            }
        }
    }

    public private(set) var phase = Phase.idle
    /// The network block this station made (removed again on disconnect or failure).
    public private(set) var networkID: Int?
    /// What the next reply answers.
    private var awaiting: [Pending] = []
    private var connectDeadline: Int64?
    private var credentials: Credentials?
    private var linkBSSID: String?
    private var scanning = false
    private var scanDeadline: Int64?
    public let connectTimeout: Int64
    public let scanTimeout: Int64

    private enum Pending: Sendable, Equatable {
        case addNetwork
        case setNetwork
        case selectNetwork
        case removeNetwork
        case disconnect
        case scan
        case scanResults
        case signalPoll
    }

    public init(connectTimeoutMilliseconds: Int64 = 30_000, scanTimeoutMilliseconds: Int64 = 15_000) {
        self.connectTimeout = connectTimeoutMilliseconds
        self.scanTimeout = scanTimeoutMilliseconds
    }

    /// When `poll` is next due.
    public var nextDeadline: Int64? { [self.connectDeadline, self.scanDeadline].compactMap { $0 }.min() }

    // MARK: Calls

    public mutating func connect(_ credentials: Credentials, now: Int64) throws(NSAPIError) -> [Output] {
        switch self.phase {
        case .connected: throw .isConnected
        case .connecting: throw .busy
        // A disconnect's commands are queued before this connect's: they run first.
        case .idle, .disconnecting: break
        }
        try credentials.validate()
        self.credentials = credentials
        self.phase = .connecting
        self.connectDeadline = now + self.connectTimeout
        return [self.send("ADD_NETWORK", .addNetwork)]
    }

    /// The access point of the link, while connected (as CTRL-EVENT-CONNECTED named it).
    public var bssid: String? { self.phase == .connected ? self.linkBSSID : nil }

    /// The network being connected to or connected: its SSID and security, never its
    /// passphrase. Nil when idle.
    public var network: (ssid: [UInt8], security: SecurityType)? {
        guard self.phase == .connecting || self.phase == .connected, let credentials else { return nil }
        return (credentials.ssid, credentials.security)
    }

    public mutating func disconnect() throws(NSAPIError) -> [Output] {
        guard self.phase == .connected || self.phase == .connecting else { throw .noConnection }
        let failedConnect: [Output] = self.phase == .connecting ? [.connectFailed(.noConnection, "disconnected while connecting")] : []
        self.phase = .disconnecting
        self.connectDeadline = nil
        var outputs = failedConnect + [self.send("DISCONNECT", .disconnect)]
        if let id = self.networkID { outputs.append(self.send("REMOVE_NETWORK \(id)", .removeNetwork)) }
        self.networkID = nil
        return outputs
    }

    public mutating func scan(now: Int64) -> [Output] {
        // A scan in flight answers this caller too.
        guard !self.scanning else { return [] }
        self.scanning = true
        self.scanDeadline = now + self.scanTimeout
        return [self.send("SCAN", .scan)]
    }

    public mutating func pollSignal() -> [Output] { [self.send("SIGNAL_POLL", .signalPoll)] }

    // MARK: Input

    /// The reply to the oldest command still unanswered.
    public mutating func reply(_ reply: WPAReply, now: Int64) -> [Output] {
        guard !self.awaiting.isEmpty else { return [] }
        let pending = self.awaiting.removeFirst()
        switch pending {
        case .addNetwork:
            guard self.phase == .connecting, let id = reply.number, let credentials else {
                return self.failConnect(.deviceError, "ADD_NETWORK: \(reply)")
            }
            self.networkID = id
            // Checked in `connect`: the block builds.
            let commands =
                (try? NetworkBlock.commands(
                    id: id, ssid: credentials.ssid, passphrase: credentials.passphrase, security: credentials.security, channel: credentials.channel)) ?? []
            return commands.map { self.send($0, .setNetwork) } + [self.send("SELECT_NETWORK \(id)", .selectNetwork)]
        case .setNetwork, .selectNetwork:
            guard reply == .ok || self.phase != .connecting else {
                return self.failConnect(.parameter, "wpa_supplicant refused the network block: \(reply)")
            }
            return []
        case .removeNetwork:
            return []
        case .disconnect:
            if self.phase == .disconnecting { self.phase = .idle }
            return []
        case .scan:
            switch reply {
            case .ok, .failBusy: return []
            default:
                self.scanning = false
                self.scanDeadline = nil
                return [.scanFailed(.deviceError, "SCAN: \(reply)")]
            }
        case .scanResults:
            self.scanning = false
            self.scanDeadline = nil
            return [.scanned(ScanResult.parse(reply))]
        case .signalPoll:
            // FAIL: no radio link (not associated, or a wired driver): Mbed's get_rssi() gives 0.
            return [.rssi(reply.value("RSSI").flatMap { Int($0) } ?? 0)]
        }
    }

    /// An event from the monitor socket.
    public mutating func event(_ event: WPAEvent, now: Int64) -> [Output] {
        switch event.kind {
        case .connected(let bssid, _):
            guard self.phase == .connecting else { return [] }
            self.phase = .connected
            self.connectDeadline = nil
            self.linkBSSID = bssid
            return [.connected(bssid: bssid)]
        case .temporarilyDisabled(_, _, _, let reason):
            guard self.phase == .connecting else { return [] }
            return reason == "WRONG_KEY" ? self.failConnect(.authFailure, "wrong key") : []
        case .handshakeFailed:
            return self.phase == .connecting ? self.failConnect(.authFailure, "4-way handshake failed: wrong key") : []
        case .networkNotFound:
            // Kept to one channel, the network may well exist on another: not NO_SSID.
            let error: NSAPIError = self.credentials?.channel != nil ? .noConnection : .noSSID
            return self.phase == .connecting ? self.failConnect(error, "network not found") : []
        case .associationRejected(_, let status):
            return self.phase == .connecting ? self.failConnect(.noConnection, "association rejected (status \(status.map(String.init) ?? "?"))") : []
        case .disconnected(_, let reason, let local):
            guard self.phase == .connected else { return [] }
            self.phase = .connecting
            // wpa_supplicant reconnects by itself; the link is down until it does.
            self.connectDeadline = nil
            return [.disconnected(reason: reason, locallyGenerated: local)]
        case .scanResults:
            guard self.scanning else { return [] }
            return [self.send("SCAN_RESULTS", .scanResults)]
        case .scanFailed(let code):
            guard self.scanning else { return [] }
            self.scanning = false
            self.scanDeadline = nil
            return [.scanFailed(.deviceError, "scan failed (ret=\(code.map(String.init) ?? "?"))")]
        case .signalChanged(let rssi?):
            return self.phase == .connected ? [.signalChanged(rssi)] : []
        case .terminating:
            var outputs: [Output] = []
            if self.phase == .connecting { outputs += self.failConnect(.deviceError, "wpa_supplicant is terminating") }
            if self.phase == .connected { outputs.append(.disconnected(reason: nil, locallyGenerated: false)) }
            self.phase = .idle
            self.networkID = nil
            return outputs
        default:
            return []
        }
    }

    /// Deadlines: a connect that heard no outcome, a scan that never finished.
    public mutating func poll(now: Int64) -> [Output] {
        var outputs: [Output] = []
        if let deadline = self.connectDeadline, now >= deadline, self.phase == .connecting {
            outputs += self.failConnect(.connectionTimeout, "no connection within \(self.connectTimeout) ms")
        }
        if let deadline = self.scanDeadline, now >= deadline {
            self.scanning = false
            self.scanDeadline = nil
            outputs.append(.scanFailed(.timeout, "no scan results within \(self.scanTimeout) ms"))
        }
        return outputs
    }

    // MARK: Helpers

    private mutating func send(_ command: String, _ pending: Pending) -> Output {
        self.awaiting.append(pending)
        return .send(command: command, loggable: NetworkBlock.loggable(command))
    }

    /// Ends a connect with `error`; the network block it made goes, and the supplicant stops trying it.
    private mutating func failConnect(_ error: NSAPIError, _ reason: String) -> [Output] {
        guard self.phase == .connecting else { return [] }
        self.phase = .idle
        self.connectDeadline = nil
        var outputs: [Output] = [.connectFailed(error, reason)]
        if let id = self.networkID { outputs.append(self.send("REMOVE_NETWORK \(id)", .removeNetwork)) }
        self.networkID = nil
        return outputs
    }
}
