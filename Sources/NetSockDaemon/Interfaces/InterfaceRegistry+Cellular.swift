import Logging
import NSAPI
import NetSockCellular
import NetSockJSON
import NetSockPOSIX
import NetSockRPC
import NetSockStack

/// What `interface.status` and `cellular.info` show of a modem.
struct CellularDetails: APIObject {
    var state: String
    var imei: String?
    var `operator`: String?
    var registration: String?
    var rssi: Int?
    var address: String?
    var dialect: String
    var error: String?

    static let members: [APIMember<CellularDetails>] = [
        APIMember("state", \.state, "The 27.007 state machine's state: off, init, power, device_ready, sim_pin, signal_quality, registering_network, attaching_network, activating_context, connected, failed."),
        APIMember("imei", \.imei, "The modem's IMEI (+CGSN), or null before it answered."),
        APIMember("operator", \.operator, "The network's name (+COPS), or null."),
        APIMember("registration", \.registration, "Packet-domain registration: not_registered, home, searching, denied, unknown, roaming, ... or null."),
        APIMember("rssi", \.rssi, "Signal strength in dBm (+CSQ), or null when unknown."),
        APIMember("address", \.address, "The PDP context's IP address, or null."),
        APIMember("dialect", \.dialect, "The modem's socket commands: ublox or quectel."),
        APIMember("error", omittedWhenNil: \.error, "Why the last connect failed or the connection was lost."),
    ]
}

/// NetworkInterface calls on cellular interfaces: connect opens the serial line and runs
/// the 27.007 state machine to an active PDP context; its steps are published on the
/// `cellular` topic by Mbed's event names, and the status on `interface` as for any interface.
extension InterfaceRegistry {
    func makeCellularModem(_ entry: DaemonConfiguration.Interface) -> CellularModem {
        let dialect: any ModemSocketDialect = entry.dialect == "quectel" ? QuectelSockets() : UbloxSockets()
        let modem = CellularModem(configuration: entry, dialect: dialect, reactor: self.reactor, logger: self.logger)
        modem.stack.onNotice = { [unowned self, unowned modem] notice in self.cellularNotice(notice, from: modem) }
        modem.onLineLost = { [unowned self, unowned modem] in
            guard let interface = self.interfaces.first(where: { $0.modem === modem }) else { return }
            modem.lastFailure = "the modem's line hung up"
            self.endCellular(interface, .failure(.deviceError))
        }
        return modem
    }

    func connect(
        _ interface: ManagedInterface, on modem: CellularModem, blocking: Bool, progress: @escaping (String) -> Void,
        completion: @escaping (Result<ConnectionStatus, NSAPIError>) -> Void
    ) {
        if interface.status.isUp { return completion(.failure(.isConnected)) }
        if interface.connectAttempt != nil { return completion(.failure(.busy)) }
        progress("serial_line")
        do {
            try modem.open()
        } catch {
            self.logger.error("interface \(interface.name): cannot open the modem's line: \(error)")
            return completion(.failure(.deviceError))
        }
        let attempt = ConnectAttempt(completion: blocking ? completion : nil, broughtLinkUp: true)
        interface.connectAttempt = attempt
        modem.lastFailure = nil
        self.publish(interface, .connecting)
        if !blocking { completion(.success(.connecting)) }
        progress("registering")
        modem.stack.connect(settings: interface.cellularSettings)
        modem.reschedule()
        guard interface.connectAttempt === attempt else { return }
        attempt.timer = self.reactor.scheduleTimer(afterMilliseconds: interface.connectTimeoutMilliseconds) {
            [weak self, weak interface, weak attempt] in
            guard let self, let interface, let attempt, interface.connectAttempt === attempt else { return }
            modem.lastFailure = "no context within \(interface.connectTimeoutMilliseconds) ms"
            self.endCellular(interface, .failure(.noConnection))
        }
    }

    func disconnect(_ interface: ManagedInterface, on modem: CellularModem) throws(NSAPIError) -> ConnectionStatus {
        guard interface.status != .disconnected else { throw .noConnection }
        self.endCellular(interface, .failure(.noConnection))
        return .disconnected
    }

    /// The connection (or the attempt) is over: the line closes, the status and DNS follow.
    private func endCellular(_ interface: ManagedInterface, _ result: Result<ConnectionStatus, NSAPIError>) {
        let attempt = interface.connectAttempt
        interface.connectAttempt = nil
        interface.modem?.close()
        self.onLinkDNSServers?(interface.name, [])
        self.publish(interface, .disconnected)
        attempt?.finish(result)
    }

    private func cellularNotice(_ notice: CellularNotice, from modem: CellularModem) {
        guard let interface = self.interfaces.first(where: { $0.modem === modem }) else { return }
        let name = interface.name
        func event(_ event: String, _ data: JSONObject) { self.events.publish(.device(topic: .cellular, interface: name, name: event, data: data)) }
        switch notice {
        case .trace(let line):
            if modem.traceEnabled { self.logger.info("interface \(name): \(line)") } else { self.logger.trace("interface \(name): \(line)") }
        case .contextLost(let line):
            modem.lastFailure = "the network deactivated the context (\(line))"
            event("activate_pdp_context", ["active": false, "reason": .string(line)])
            if interface.status.isUp { self.endCellular(interface, .failure(.noConnection)) }
        case .machine(let output):
            switch output {
            case .state(let state):
                switch state {
                case .simPin: event("device_ready", [:])
                case .signalQuality: event("sim_status_changed", ["sim": "ready"])
                case .activatingContext: event("attach_network", ["attached": true])
                default: break
                }
            case .send:
                break
            case .retry(let state, let attempt, let after):
                event("state_retry", ["state": .string(Self.apiName(state)), "attempt": JSONValue(attempt), "retry_in_ms": JSONValue(Int(after.milliseconds))])
            case .signal(let dBm):
                modem.signalDBm = dBm
                event("signal_quality", ["rssi": dBm.map { JSONValue($0) } ?? .null])
            case .registration(let registration):
                let previous = modem.registration
                modem.registration = registration
                if previous?.status != registration.status || previous?.domain != registration.domain {
                    var data: JSONObject = ["domain": .string(Self.apiName(registration.domain)), "status": .string(Self.apiName(registration.status))]
                    if let cell = registration.cell { data["cell_id"] = JSONValue(Int(cell)) }
                    if let act = registration.accessTechnology { data["act"] = JSONValue(act) }
                    event("registration_status_changed", data)
                }
            case .connected(let parameters, let address):
                event("activate_pdp_context", ["active": true, "cid": JSONValue(parameters.cid), "address": .string(address), "dns": parameters.dnsServers.json])
                let servers = parameters.dnsServers.compactMap { SocketAddress(parsing: $0, port: 53) }
                self.onLinkDNSServers?(name, servers)
                self.queryIdentity(modem)
                self.publish(interface, .globalUp)
                if let attempt = interface.connectAttempt {
                    interface.connectAttempt = nil
                    attempt.finish(.success(.globalUp))
                }
            case .lost(let reason):
                modem.lastFailure = reason
                event(reason.contains("detach") ? "attach_network" : "activate_pdp_context", [reason.contains("detach") ? "attached" : "active": false, "reason": .string(reason)])
                self.endCellular(interface, .failure(.noConnection))
            case .failed(let error, let reason):
                modem.lastFailure = reason
                self.logger.warning("interface \(name): cellular connect failed: \(reason)")
                event("connect_failed", ["error": JSONValue(Int(error.rawValue)), "reason": .string(reason)])
                self.endCellular(interface, .failure(error))
            }
        }
    }

    /// The IMEI and operator, asked once the context is up (for `cellular.info`).
    private func queryIdentity(_ modem: CellularModem) {
        modem.stack.send(raw: ATCommand("AT+CGSN")) { [weak modem] response in
            modem?.imei = response.lines.first { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
        }
        modem.stack.send(raw: ATCommand("AT+COPS?", responsePrefix: "+COPS:")) { [weak modem] response in
            guard let fields = response.lines.lazy.compactMap({ ATFields.after("+COPS:", in: $0) }).first, fields.count >= 3 else { return }
            modem?.operatorName = fields[2]
        }
    }

    static func observe(_ modem: CellularModem) -> Observed {
        var observed = Observed()
        if let address = modem.stack.address.flatMap({ IPAddress(parsing: $0) }) {
            let mask = modem.stack.contextParameters?.subnetMask.flatMap { IPv4Address(parsing: $0) }
            let prefix = mask.map { $0.value.nonzeroBitCount } ?? 32
            observed.ipv4 = (address, prefix, modem.stack.contextParameters?.gateway.flatMap { IPAddress(parsing: $0) })
        }
        observed.cellular = Self.details(modem)
        return observed
    }

    static func details(_ modem: CellularModem) -> CellularDetails {
        let state = modem.isOpen ? modem.stack.state.map(Self.apiName) ?? "init" : "off"
        return CellularDetails(
            state: state, imei: modem.imei, operator: modem.operatorName, registration: modem.registration.map { Self.apiName($0.status) },
            rssi: modem.signalDBm, address: modem.stack.address, dialect: modem.stack.dialect.name, error: modem.lastFailure)
    }

    static func apiName(_ state: CellularStateMachine.State) -> String {
        switch state {
        case .initial: "init"
        case .powerOn: "power"
        case .deviceReady: "device_ready"
        case .simPin: "sim_pin"
        case .signalQuality: "signal_quality"
        case .registeringNetwork: "registering_network"
        case .attachingNetwork: "attaching_network"
        case .activatingContext: "activating_context"
        case .connected: "connected"
        case .failed: "failed"
        }
    }

    static func apiName(_ status: CellularReplies.RegistrationStatus) -> String {
        switch status {
        case .notRegistered: "not_registered"
        case .home: "home"
        case .searching: "searching"
        case .denied: "denied"
        case .unknown: "unknown"
        case .roaming: "roaming"
        case .smsOnlyHome: "sms_only_home"
        case .smsOnlyRoaming: "sms_only_roaming"
        case .emergencyOnly: "emergency_only"
        case .csfbNotPreferredHome: "csfb_not_preferred_home"
        case .csfbNotPreferredRoaming: "csfb_not_preferred_roaming"
        }
    }

    static func apiName(_ domain: CellularReplies.Domain) -> String {
        switch domain {
        case .eps: "eps"
        case .gprs: "gprs"
        case .circuitSwitched: "cs"
        }
    }
}
