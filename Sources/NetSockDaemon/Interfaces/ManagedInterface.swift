import NSAPI

/// One interface of the daemon: its configuration, its stack, and what is known of its state.
final class ManagedInterface {
    let name: String
    let type: InterfaceType
    let stackKind: DaemonConfiguration.Stack
    let device: String?
    let stack: any NetworkStack
    var status = ConnectionStatus.disconnected
    var dhcp: Bool
    /// `interface.set_network`: applied on connect (and at once when up).
    var staticNetwork: StaticNetwork?
    /// A blocking `interface.connect` waiting for an address, with its give-up timer.
    var connectWaiters: [(ConnectionStatus) -> Void] = []

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
        self.stack = stack
        self.dhcp = configuration.dhcp ?? (configuration.type != .loopback)
    }
}
