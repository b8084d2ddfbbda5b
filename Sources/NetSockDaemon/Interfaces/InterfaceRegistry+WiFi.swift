import Logging
import NSAPI
import NetSockJSON
import NetSockRPC
import NetSockWiFi

/// What `interface.status` shows of a Wi-Fi interface's station, as `nmcli device show`
/// names the connection: the network and the access point, never the passphrase.
struct WiFiDetails: APIObject {
    var state: String
    var ssid: String?
    var bssid: String?
    var security: SecurityType?

    init(_ station: WiFiStation) {
        self.state = station.phase.rawValue
        self.ssid = station.network.map { String(decoding: $0.ssid, as: UTF8.self) }
        self.bssid = station.bssid
        self.security = station.network?.security
    }

    static let members: [APIMember<WiFiDetails>] = [
        APIMember("state", \.state, "The station: idle, connecting (associating, or the link lost while wpa_supplicant finds it again), connected, disconnecting."),
        APIMember("ssid", \.ssid, "The network connected or being connected to (UTF-8), or null."),
        APIMember("bssid", \.bssid, "The access point of the link while connected, or null."),
        APIMember("security", \.security, "The network's security as connect gave it (Mbed's nsapi_security_t name), or null."),
    ]
}

/// NetworkInterface calls on Wi-Fi interfaces: connect associates through wpa_supplicant
/// (`WiFiStation`), then takes an address as any interface of its stack does (the
/// kernel's on the device, or the ip stack's over AF_PACKET); the association's steps go
/// out on the `wifi` topic.
extension InterfaceRegistry {
    func makeWiFiSupplicant(_ entry: DaemonConfiguration.Interface, control: String) -> WiFiSupplicant {
        let supplicant = WiFiSupplicant(interfaceName: entry.name, controlPath: control, reactor: self.reactor, logger: self.logger)
        supplicant.onOutput = { [unowned self, unowned supplicant] output in self.wifiOutput(output, from: supplicant) }
        return supplicant
    }

    /// Starts the interface's own wpa_supplicant and keeps it running; when it exits, the
    /// link it held is gone (a connect in flight fails, an up interface goes down).
    func spawnSupplicant(_ interface: ManagedInterface, _ entry: DaemonConfiguration.Interface, device: String, driver: String) {
        guard let process = try? SupplicantProcess(device: device, driver: driver, reactor: self.reactor, logger: self.logger) else {
            self.logger.error("interface \(entry.name): cannot make a directory for its wpa_supplicant")
            return
        }
        let wifi = self.makeWiFiSupplicant(entry, control: process.controlPath)
        process.onExit = { [unowned self, weak interface, weak wifi] in
            guard let interface, let wifi else { return }
            let attempt = interface.connectAttempt
            interface.connectAttempt = nil
            wifi.reset()
            self.releaseStackLink(interface)
            self.publish(interface, .disconnected)
            attempt?.finish(.failure(.deviceError))
        }
        interface.wifi = wifi
        interface.supplicantProcess = process
        process.start()
    }

    /// Stops the wpa_supplicants netsockd started (at the daemon's stop).
    func stopSupplicants() {
        for interface in self.interfaces { interface.supplicantProcess?.stop() }
    }

    func connect(
        _ interface: ManagedInterface, on wifi: WiFiSupplicant, blocking: Bool, progress: @escaping (String) -> Void,
        completion: @escaping (Result<ConnectionStatus, NSAPIError>) -> Void
    ) {
        if interface.isConnected { return completion(.failure(.isConnected)) }
        if interface.connectAttempt != nil || wifi.station.phase == .connecting { return completion(.failure(.busy)) }
        // Mbed's WIFI-02 and WIFI-06: connect without credentials is PARAMETER.
        guard let credentials = wifi.credentials else { return completion(.failure(.parameter)) }
        do throws(NSAPIError) {
            try wifi.open()
            progress("associating")
            let outputs = try wifi.withStation { station throws(NSAPIError) in try station.connect(credentials, now: WiFiSupplicant.now) }
            let attempt = ConnectAttempt(completion: blocking ? completion : nil, broughtLinkUp: false, associating: true)
            interface.connectAttempt = attempt
            self.publish(interface, .connecting)
            if !blocking { completion(.success(.connecting)) }
            wifi.apply(outputs)
        } catch {
            completion(.failure(error))
        }
    }

    /// Associated: the address comes as on any interface of the stack, from the host's
    /// DHCP client or a static network on the kernel's device, from the stack's own DHCP
    /// client or a static network on the ip stack's AF_PACKET link. No address in time
    /// lets the association go too, as NetworkManager does.
    private func takeAddress(
        _ interface: ManagedInterface, on wifi: WiFiSupplicant, completion: ((Result<ConnectionStatus, NSAPIError>) -> Void)?
    ) {
        // Blocking underneath either way: the caller of a nonblocking connect has had its
        // answer, and the failure still has to reach the association.
        let finish: (Result<ConnectionStatus, NSAPIError>) -> Void = { [weak self, weak interface, weak wifi] result in
            if case .failure = result, let self, let interface, let wifi {
                self.dissociate(interface, wifi)
                self.publish(interface, .disconnected)
            }
            completion?(result)
        }
        if let stack = interface.stack as? IPStack {
            self.connect(interface, on: stack, blocking: true, progress: { _ in }, completion: finish)
        } else {
            self.connectKernel(interface, blocking: true, associated: true, completion: finish)
        }
    }

    /// Leaves the access point (the station's DISCONNECT) and lets the ip stack's link go.
    func dissociate(_ interface: ManagedInterface, _ wifi: WiFiSupplicant) {
        if let outputs = try? wifi.withStation({ station throws(NSAPIError) in try station.disconnect() }) { wifi.apply(outputs) }
        self.releaseStackLink(interface)
    }

    /// The ip stack lets its AF_PACKET link go, and the resolver the servers DHCP gave.
    private func releaseStackLink(_ interface: ManagedInterface) {
        guard let stack = interface.stack as? IPStack, stack.isAttached else { return }
        stack.detach()
        self.onLinkDNSServers?(interface.name, [])
    }

    func disconnect(_ interface: ManagedInterface, on wifi: WiFiSupplicant) throws(NSAPIError) -> ConnectionStatus {
        guard interface.status != .disconnected || wifi.station.phase == .connecting else { throw .noConnection }
        let attempt = interface.connectAttempt
        interface.connectAttempt = nil
        self.dissociate(interface, wifi)
        self.publish(interface, .disconnected)
        attempt?.finish(.failure(.noConnection))
        return .disconnected
    }

    private func wifiOutput(_ output: WiFiStation.Output, from wifi: WiFiSupplicant) {
        guard let interface = self.interfaces.first(where: { $0.wifi === wifi }) else { return }
        let name = interface.name
        func event(_ event: String, _ data: JSONObject) { self.events.publish(.device(topic: .wifi, interface: name, name: event, data: data)) }
        switch output {
        case .send:
            break
        case .connected(let bssid):
            event("associated", ["bssid": bssid.map { .string($0) } ?? .null])
            if let attempt = interface.connectAttempt, attempt.associating {
                interface.connectAttempt = nil
                self.takeAddress(interface, on: wifi, completion: attempt.completion)
            } else if let stack = interface.stack as? IPStack {
                if !stack.isAttached {
                    // Associated without our connect (the link had been let go): take an address.
                    if interface.connectAttempt == nil { self.takeAddress(interface, on: wifi, completion: nil) }
                } else {
                    // Back on the link after a loss: a lease kept holds; a DHCP client still
                    // looking asks at once (a connect waiting for it goes on waiting).
                    stack.linkReturned()
                    if stack.core.address != nil { self.publish(interface, .globalUp) }
                }
            } else {
                self.republishKernelStatus()
            }
        case .connectFailed(let error, let reason):
            self.logger.warning("interface \(name): Wi-Fi connect failed: \(reason)")
            event(error == .authFailure ? "auth_failure" : "connect_failed", ["error": JSONValue(Int(error.rawValue)), "reason": .string(reason)])
            let attempt = interface.connectAttempt
            interface.connectAttempt = nil
            self.publish(interface, .disconnected)
            attempt?.finish(.failure(error))
        case .disconnected(let reason, let local):
            event("disconnected", ["reason": reason.map { JSONValue($0) } ?? .null, "locally_generated": .bool(local)])
            // wpa_supplicant tries to get the link back by itself; until then, no link.
            self.publish(interface, .connecting)
        case .scanned(let results):
            event("scan_done", ["count": JSONValue(results.count)])
            wifi.answerScans(.success(results))
        case .scanFailed(let error, let reason):
            self.logger.warning("interface \(name): Wi-Fi scan failed: \(reason)")
            wifi.answerScans(.failure(error))
        case .signalChanged(let rssi):
            event("signal_changed", ["rssi": JSONValue(rssi)])
        case .rssi(let rssi):
            wifi.answerRSSI(rssi)
        }
    }
}
