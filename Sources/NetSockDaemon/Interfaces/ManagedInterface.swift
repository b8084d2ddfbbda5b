import NSAPI
import NetSockCellular

/// One interface of the daemon: its configuration, its stack, and what is known of its state.
final class ManagedInterface {
    let name: String
    let type: InterfaceType
    let stackKind: DaemonConfiguration.Stack
    let device: String?
    let link: DaemonConfiguration.Link?
    let linkOptions: DaemonConfiguration.LinkOptions
    let stack: any NetworkStack
    var status = ConnectionStatus.disconnected
    var dhcp: Bool
    /// `interface.set_network`: applied on connect (and at once when up).
    var staticNetwork: StaticNetwork?
    /// The static network last put on the link, which the next one replaces.
    var appliedNetwork: StaticNetwork?
    /// The `interface.connect` in progress (blocking or not): while it runs, another is BUSY.
    var connectAttempt: ConnectAttempt?
    /// How long a connect waits for an address before it gives up.
    let connectTimeoutMilliseconds: Int
    /// The interface as configured, to tell a reload that changed it from one that did not.
    let configuration: DaemonConfiguration.Interface
    /// A cellular interface's modem (the `modem` stack's I/O), nil for others.
    var modem: CellularModem?
    /// A Wi-Fi interface's wpa_supplicant, nil for others (and for Wi-Fi without one).
    var wifi: WiFiSupplicant?
    /// The wpa_supplicant netsockd runs for it (`spawn`), nil when one runs already.
    var supplicantProcess: SupplicantProcess?
    /// `cellular.set_sim_pin` / `set_credentials`: applied at the next connect.
    var cellularSettings: CellularStateMachine.Settings

    /// DHCP or a static network: connect waits for that address, past a link-local one.
    var expectsAddress: Bool { self.dhcp || self.staticNetwork != nil }

    /// Up as connect means it (IS_CONNECTED): `global_up`, or `local_up` when nothing
    /// more is expected.
    var isConnected: Bool { self.countsAsConnected(self.status) }

    func countsAsConnected(_ status: ConnectionStatus) -> Bool {
        status == .globalUp || (status == .localUp && !self.expectsAddress)
    }

    struct StaticNetwork: Equatable {
        var address: IPAddress
        var prefixLength: Int
        var gateway: IPAddress?
    }

    init(configuration: DaemonConfiguration.Interface, stack: any NetworkStack) {
        self.name = configuration.name
        self.type = configuration.type
        self.stackKind = configuration.stack
        self.device = configuration.device
        self.link = configuration.link
        self.linkOptions = configuration.linkOptions
        self.stack = stack
        self.dhcp = configuration.dhcp ?? (configuration.type != .loopback && configuration.type != .cellular)
        self.connectTimeoutMilliseconds = configuration.connectTimeoutMilliseconds
        self.configuration = configuration
        self.cellularSettings = CellularStateMachine.Settings(
            pin: configuration.cellular.pin, apn: configuration.apn, user: configuration.cellular.username,
            password: configuration.cellular.password)
    }
}

/// One `interface.connect` between its start and an address, a failure or its deadline.
final class ConnectAttempt {
    /// The blocking caller's answer; `nil` for a nonblocking connect (already answered).
    var completion: ((Result<ConnectionStatus, NSAPIError>) -> Void)?
    var timer: Cancellation?
    /// The link was down and this attempt brought it up: a failure takes it down again.
    var broughtLinkUp: Bool
    /// A Wi-Fi connect still associating (the address comes after).
    let associating: Bool

    init(completion: ((Result<ConnectionStatus, NSAPIError>) -> Void)?, broughtLinkUp: Bool, associating: Bool = false) {
        self.completion = completion
        self.broughtLinkUp = broughtLinkUp
        self.associating = associating
    }

    func finish(_ result: Result<ConnectionStatus, NSAPIError>) {
        self.timer?.cancel()
        self.timer = nil
        let completion = self.completion
        self.completion = nil
        completion?(result)
    }
}
