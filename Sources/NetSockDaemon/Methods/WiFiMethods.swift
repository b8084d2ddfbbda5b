import NSAPI
import NetSockJSON
import NetSockRPC
import NetSockWiFi

/// Mbed's WiFiInterface calls beyond connect and disconnect.
enum WiFiMethods {
    static let all: [any DaemonMethod.Type] = [WiFiScan.self, WiFiSetCredentials.self, WiFiSetChannel.self, WiFiRSSI.self]

    static func supplicant(_ daemon: Daemon, _ name: String) throws(RPCError) -> (ManagedInterface, WiFiSupplicant) {
        let interface = try InterfaceMethods.interface(daemon, name)
        guard let wifi = interface.wifi else { throw RPCError(.unsupported, detail: "\(name) is not a Wi-Fi interface with a wpa_supplicant") }
        return (interface, wifi)
    }

    static let securities: [SecurityType] = [.none, .wep, .wpa, .wpa2, .wpaWPA2, .wpa3, .wpa3WPA2]

    /// Mbed's set_credentials rules (WIFI-03): an SSID of 1 to 32 bytes; a passphrase the
    /// security allows (none ignores it).
    static func credentials(ssid: String, pass: String?, security: SecurityType, channel: Int) throws(NSAPIError) -> WiFiStation.Credentials {
        let credentials = WiFiStation.Credentials(ssid: Array(ssid.utf8), passphrase: pass ?? "", security: security, channel: channel == 0 ? nil : channel)
        try credentials.validate()
        return credentials
    }
}

/// One access point as `wifi.scan` lists it.
struct AccessPoint: APIObject {
    var ssid: String
    var bssid: String
    var security: SecurityType
    var rssi: Int
    var channel: Int

    init(_ result: ScanResult) {
        self.ssid = String(decoding: result.ssid, as: UTF8.self)
        self.bssid = ScanResult.bssidText(result.bssid)
        self.security = result.security
        self.rssi = result.rssi
        self.channel = result.channel
    }

    static let members: [APIMember<AccessPoint>] = [
        APIMember("ssid", \.ssid, "The network's name (UTF-8; empty for a hidden network)."), APIMember("bssid", \.bssid, "aa:bb:cc:dd:ee:ff."),
        APIMember("security", \.security, "Mbed's nsapi_security_t name."), APIMember("rssi", \.rssi, "Signal in dBm."),
        APIMember("channel", \.channel, "The channel (0 when off the known bands)."),
    ]
}

struct WiFiScan: DaemonMethod {
    typealias Result = [AccessPoint]
    static let name = "wifi.scan"
    static let summary = "Scans for access points (blocking), through wpa_supplicant."
    static let description = "With count, at most that many are returned, as Mbed's scan(res, count); without, all. A scan already running is joined. DEVICE_ERROR when the radio cannot scan. While it runs, a progress {request, stage: scanning} notification names the request."
    static let errors: [NSAPIError] = [.unsupported, .deviceError, .timeout]
    static let tags = ["wifi", "blocking"]

    @Param("interface", .interfaceName, "A Wi-Fi interface.") var interface: String
    @Param("count", .integer(minimum: 0, maximum: 1000), "At most this many (0: all).") var count = 0

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<[AccessPoint]> {
        let (_, wifi) = try WiFiMethods.supplicant(daemon, call.params.interface)
        try nsapi { () throws(NSAPIError) in try wifi.open() }
        let count = call.params.count
        let session = call.context
        let request = call.requestID ?? .null
        session.notifyUnconditionally(ProgressNotification(request: request, stage: "scanning"))
        wifi.scanWaiters.append { result in
            call.responder.complete(result) { results in (count > 0 ? Array(results.prefix(count)) : results).map(AccessPoint.init) }
        }
        let outputs = wifi.withStation { $0.scan(now: WiFiSupplicant.now) }
        wifi.apply(outputs)
        return .deferred
    }
}

struct WiFiSetCredentials: DaemonMethod {
    typealias Result = NoResult
    static let name = "wifi.set_credentials"
    static let summary = "The SSID, passphrase and security the next connect uses (Mbed's set_credentials)."
    static let description = "The passphrase is a secret: never logged or shown; netsockctl takes it with --secret pass. PARAMETER for an empty or over-long SSID and for a passphrase the security does not allow (8 to 63 characters for the WPA kinds); UNSUPPORTED for a kind wpa_supplicant's PSK path cannot do; BUSY while connecting."
    static let role = MethodRole.admin
    static let errors: [NSAPIError] = [.parameter, .unsupported, .busy]
    static let tags = ["wifi"]

    @Param("interface", .interfaceName, "A Wi-Fi interface.") var interface: String
    @Param("ssid", .string(maxLength: 64, format: nil), "The network's name.") var ssid: String
    @Param("pass", .string(maxLength: 128, format: nil), "The passphrase (absent or empty for an open network).") var pass: String?
    @Param("security", SecurityType.schema(of: WiFiMethods.securities), "Mbed's nsapi_security_t name (default none).") var security = SecurityType.none

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        let (interface, wifi) = try WiFiMethods.supplicant(daemon, call.params.interface)
        if interface.connectAttempt != nil || wifi.station.phase == .connecting { throw RPCError(.busy) }
        let params = call.params
        wifi.credentials = try nsapi { () throws(NSAPIError) in
            try WiFiMethods.credentials(ssid: params.ssid, pass: params.pass, security: params.security, channel: wifi.channel)
        }
        return .result(NoResult())
    }
}

struct WiFiSetChannel: DaemonMethod {
    typealias Result = NoResult
    static let name = "wifi.set_channel"
    static let summary = "The channel the next connect keeps to (0: any), as wpa_supplicant's freq_list."
    static let description = "2.4 GHz channels 1 to 14 and 5 GHz channels 32 to 177; anything else is PARAMETER."
    static let role = MethodRole.admin
    static let errors: [NSAPIError] = [.parameter, .unsupported]
    static let tags = ["wifi"]

    @Param("interface", .interfaceName, "A Wi-Fi interface.") var interface: String
    @Param("channel", .integer(minimum: 0, maximum: 255), "The channel, 0 for any.") var channel: Int

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        let (_, wifi) = try WiFiMethods.supplicant(daemon, call.params.interface)
        let channel = call.params.channel
        guard channel == 0 || ScanResult.frequency(channel: channel) != nil else { throw RPCError(.parameter, detail: "no such channel") }
        wifi.channel = channel
        wifi.credentials?.channel = channel == 0 ? nil : channel
        return .result(NoResult())
    }
}

/// A Wi-Fi link's signal.
struct RSSIResult: APIObject {
    var rssi: Int
    static let members: [APIMember<RSSIResult>] = [APIMember("rssi", \.rssi, "dBm; 0 when not connected, as Mbed's get_rssi.")]
}

struct WiFiRSSI: DaemonMethod {
    typealias Result = RSSIResult
    static let name = "wifi.rssi"
    static let summary = "The signal of the current link in dBm (SIGNAL_POLL), 0 when not connected."
    static let errors: [NSAPIError] = [.unsupported]
    static let tags = ["wifi"]

    @Param("interface", .interfaceName, "A Wi-Fi interface.") var interface: String

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<RSSIResult> {
        let (_, wifi) = try WiFiMethods.supplicant(daemon, call.params.interface)
        guard wifi.station.phase == .connected, (try? wifi.open()) != nil else { return .result(RSSIResult(rssi: 0)) }
        wifi.rssiWaiters.append { rssi in call.responder.complete(.success(RSSIResult(rssi: rssi))) }
        wifi.apply(wifi.withStation { $0.pollSignal() })
        return .deferred
    }
}
