public import NSAPI
public import NetSockStack

/// Mbed's CellularStateMachine and CellularContext connect, as a pure state machine:
/// it asks for AT commands, reads their responses and the URCs, and keeps its own
/// timers; the owner moves the bytes through an `ATChannel` and brings the time.
///
/// Init → Power → Device ready → SIM pin → Signal quality → Registering network →
/// Attaching network → the PDP context (define, authenticate, activate, read its
/// parameters and address) → connected. A step that fails with something worth
/// retrying (no reply, SIM busy, not yet registered) is retried after Mbed's back-off
/// (1, 2, 4 … 128 s, 10 min, 20 min); when the back-off runs out, or on a failure
/// no retry mends (a wrong PIN, a refused APN), the sequence fails with the NSAPI code.
public struct CellularStateMachine: Sendable {
    /// Mbed's state names, as its trace prints them.
    public enum State: String, Sendable, CaseIterable {
        case initial = "Init"
        case powerOn = "Power"
        case deviceReady = "Device ready"
        case simPin = "SIM pin"
        case signalQuality = "Signal quality"
        case registeringNetwork = "Registering network"
        case attachingNetwork = "Attaching network"
        case activatingContext = "Activating context"
        case connected = "Connected"
        case failed = "Failed"
    }

    public struct Settings: Sendable, Equatable {
        public var pin: String?
        public var apn: String?
        public var user: String?
        public var password: String?
        /// `IP`, `IPV6`, `IPV4V6` or `Non-IP`.
        public var pdpType = "IP"
        /// Mbed's retry back-off, one entry per retry.
        public var backoff: [TimeSpan] = [1, 2, 4, 8, 16, 32, 64, 128, 600, 1200].map { TimeSpan.seconds($0) }
        /// How long registration may take before it counts as a failed try (Mbed: 3 min).
        public var registrationTimeout = TimeSpan.seconds(180)
        /// How often registration is asked while waiting for the URC.
        public var registrationPoll = TimeSpan.seconds(5)

        public init(pin: String? = nil, apn: String? = nil, user: String? = nil, password: String? = nil) {
            self.pin = pin
            self.apn = apn
            self.user = user
            self.password = password
        }
    }

    /// What the machine asks of its owner, or tells it.
    public enum Output: Sendable, Equatable {
        case send(ATCommand)
        case state(State)
        /// A step failed and is tried again after `after` (Mbed's CellularStateRetryEvent).
        case retry(State, attempt: Int, after: TimeSpan)
        case signal(dBm: Int?)
        case registration(CellularReplies.Registration)
        case connected(CellularReplies.ContextParameters, address: String)
        /// The network detached or deactivated the context after it was up.
        case lost(String)
        case failed(NSAPIError, String)
    }

    public let settings: Settings
    public private(set) var state = State.initial
    private var step = 0
    private var attempt = 0
    private var waitingUntil: Instant?
    private var registrationStarted: Instant?
    private var nextRegistrationPoll: Instant?
    private var awaiting: String?
    private var cid: Int?
    private var highestCID = 0
    private var parameters: CellularReplies.ContextParameters?
    private var registered: Set<CellularReplies.Domain> = []

    public init(settings: Settings) { self.settings = settings }

    /// When the machine next wants `poll`.
    public var nextDeadline: Instant? { [self.waitingUntil, self.nextRegistrationPoll].compactMap { $0 }.min() }

    public mutating func start(at now: Instant) -> [Output] {
        self.enter(.powerOn, at: now)
    }

    /// A command's response (the one the machine asked for last) or a URC.
    public mutating func handle(_ event: ATEvent, at now: Instant) -> [Output] {
        switch event {
        case .response(let response):
            guard response.command == self.awaiting else { return [] }
            self.awaiting = nil
            return self.responded(response, at: now)
        case .urc(let line):
            return self.unsolicited(line, at: now)
        case .prompt, .unsolicited, .junk:
            return []
        }
    }

    /// Runs what is due: a retry after its back-off, a registration poll or timeout.
    public mutating func poll(at now: Instant) -> [Output] {
        if let until = self.waitingUntil {
            // Backing off: nothing else runs until the wait is over.
            guard now >= until else { return [] }
            self.waitingUntil = nil
            return self.begin(at: now)
        }
        if self.state == .registeringNetwork, self.awaiting == nil, let started = self.registrationStarted {
            if now - started >= self.settings.registrationTimeout { return self.retry("not registered within the timeout", at: now) }
            if let next = self.nextRegistrationPoll, now >= next { return self.ask(self.registrationQuery(), at: now) }
        }
        return []
    }

    // MARK: Steps

    private mutating func enter(_ state: State, at now: Instant) -> [Output] {
        self.state = state
        self.step = 0
        self.attempt = 0
        // A back-off of the state left behind must not restart the new one later.
        self.waitingUntil = nil
        return [.state(state)] + self.begin(at: now)
    }

    /// (Re)starts the current state from its first command.
    private mutating func begin(at now: Instant) -> [Output] {
        self.step = 0
        switch self.state {
        case .powerOn:
            // The first AT may be eaten (after PPP data mode); the second must answer.
            return self.ask(ATCommand("AT"), at: now)
        case .deviceReady:
            return self.ask(ATCommand("ATE0"), at: now)
        case .simPin:
            return self.ask(ATCommand("AT+CPIN?", responsePrefix: "+CPIN:"), at: now)
        case .signalQuality:
            return self.ask(ATCommand("AT+CSQ", responsePrefix: "+CSQ:"), at: now)
        case .registeringNetwork:
            self.registrationStarted = now
            self.registered = []
            return self.ask(ATCommand("AT+CEREG=2"), at: now)
        case .attachingNetwork:
            return self.ask(ATCommand("AT+CGATT?", responsePrefix: "+CGATT:"), at: now)
        case .activatingContext:
            return self.ask(ATCommand("AT+CGDCONT?", responsePrefix: "+CGDCONT:"), at: now)
        case .initial, .connected, .failed:
            return []
        }
    }

    private mutating func ask(_ command: ATCommand, at now: Instant) -> [Output] {
        self.awaiting = command.text
        self.nextRegistrationPoll = nil
        return [.send(command)]
    }

    private mutating func responded(_ response: ATResponse, at now: Instant) -> [Output] {
        let ok = response.final == .ok
        switch (self.state, response.command) {
        case (.powerOn, "AT"):
            self.step += 1
            if ok { return self.enter(.deviceReady, at: now) }
            return self.step < 2 ? self.ask(ATCommand("AT"), at: now) : self.retry("the modem does not answer AT", at: now)
        case (.deviceReady, "ATE0"):
            return ok ? self.ask(ATCommand("AT+CMEE=1"), at: now) : self.retry("ATE0 refused", at: now)
        case (.deviceReady, "AT+CMEE=1"):
            return ok ? self.ask(ATCommand("AT+CFUN=1", timeout: .seconds(10)), at: now) : self.retry("AT+CMEE=1 refused", at: now)
        case (.deviceReady, "AT+CFUN=1"):
            return ok ? self.enter(.simPin, at: now) : self.retry("AT+CFUN=1 refused", at: now)
        case (.simPin, "AT+CPIN?"):
            return self.simState(response, at: now)
        case (.simPin, _) where response.command.hasPrefix("AT+CPIN="):
            if ok { return self.ask(ATCommand("AT+CPIN?", responsePrefix: "+CPIN:"), at: now) }
            if response.final == .cmeError(16) { return self.fail(.authFailure, "the SIM refused the PIN (+CME ERROR: 16)") }
            return self.retry("PIN entry failed: \(response.final)", at: now)
        case (.signalQuality, "AT+CSQ"):
            let signal = response.lines.lazy.compactMap(CellularReplies.signal).first
            return [.signal(dBm: signal?.dBm ?? nil)] + self.enter(.registeringNetwork, at: now)
        case (.registeringNetwork, "AT+CEREG=2"):
            // Either domain may carry the registration; some modems know only one.
            return self.ask(ATCommand("AT+CGREG=2"), at: now)
        case (.registeringNetwork, "AT+CGREG=2"):
            return self.ask(self.registrationQuery(), at: now)
        case (.registeringNetwork, "AT+CEREG?"), (.registeringNetwork, "AT+CGREG?"):
            var outputs: [Output] = []
            for line in response.lines {
                if let registration = CellularReplies.registration(line, solicited: true) { outputs += self.noted(registration) }
            }
            if !self.registered.isEmpty { return outputs + self.enter(.attachingNetwork, at: now) }
            if response.command == "AT+CEREG?" { return outputs + self.ask(ATCommand("AT+CGREG?", responsePrefix: "+CGREG:"), at: now) }
            self.nextRegistrationPoll = now + self.settings.registrationPoll
            return outputs
        case (.attachingNetwork, "AT+CGATT?"):
            let attached = response.lines.contains { ATFields.after("+CGATT:", in: $0)?.first == "1" }
            if attached { return self.enter(.activatingContext, at: now) }
            return self.ask(ATCommand("AT+CGATT=1", timeout: .seconds(180)), at: now)
        case (.attachingNetwork, "AT+CGATT=1"):
            return ok ? self.enter(.activatingContext, at: now) : self.retry("attach refused: \(response.final)", at: now)
        case (.activatingContext, _):
            return self.contextStep(response, at: now)
        default:
            return []
        }
    }

    private func registrationQuery() -> ATCommand { ATCommand("AT+CEREG?", responsePrefix: "+CEREG:") }

    private mutating func noted(_ registration: CellularReplies.Registration) -> [Output] {
        // Only EPS and GPRS registration carry data (CREG is circuit-switched).
        if registration.domain != .circuitSwitched {
            if registration.status.isRegistered { self.registered.insert(registration.domain) } else { self.registered.remove(registration.domain) }
        }
        return [.registration(registration)]
    }

    private mutating func simState(_ response: ATResponse, at now: Instant) -> [Output] {
        if response.final == .cmeError(14) { return self.retry("SIM busy (+CME ERROR: 14)", at: now) }
        if response.final == .cmeError(10) { return self.fail(.deviceError, "no SIM inserted (+CME ERROR: 10)") }
        guard let sim = response.lines.lazy.compactMap(CellularReplies.sim).first else { return self.retry("no SIM state: \(response.final)", at: now) }
        switch sim {
        case .ready:
            return self.enter(.signalQuality, at: now)
        case .pinRequired:
            guard let pin = self.settings.pin else { return self.fail(.authFailure, "the SIM needs a PIN and none is configured") }
            return self.ask(ATCommand("AT+CPIN=\"\(pin)\"", timeout: .seconds(10), isSecret: true), at: now)
        case .pukRequired:
            return self.fail(.authFailure, "the SIM is locked (PUK required)")
        case .other(let text):
            return self.fail(.authFailure, "the SIM wants \(text)")
        }
    }

    // MARK: The PDP context

    private mutating func contextStep(_ response: ATResponse, at now: Instant) -> [Output] {
        let ok = response.final == .ok
        let command = response.command
        if command == "AT+CGDCONT?" {
            // Reuse a context with our APN and type; else define one after the highest id.
            var match: Int?
            for line in response.lines {
                guard let fields = ATFields.after("+CGDCONT:", in: line), let cid = fields.first.flatMap({ Int($0) }) else { continue }
                self.highestCID = Swift.max(self.highestCID, cid)
                let apn = fields.count > 2 ? fields[2] : ""
                let type = fields.count > 1 ? fields[1] : ""
                if match == nil, type == self.settings.pdpType, self.settings.apn == nil || apn == self.settings.apn { match = cid }
            }
            if let match {
                self.cid = match
                return self.authenticateOrActivate(at: now)
            }
            let cid = self.highestCID + 1
            self.cid = cid
            return self.ask(ATCommand("AT+CGDCONT=\(cid),\"\(self.settings.pdpType)\",\"\(self.settings.apn ?? "")\""), at: now)
        }
        guard let cid = self.cid else { return self.fail(.deviceError, "no context id") }
        if command.hasPrefix("AT+CGDCONT=") {
            return ok ? self.authenticateOrActivate(at: now) : self.fail(.parameter, "the modem refused the context: \(response.final)")
        }
        if command.hasPrefix("AT+CGAUTH=") {
            return ok ? self.ask(ATCommand("AT+CGACT=1,\(cid)", timeout: .seconds(180)), at: now)
                : self.fail(.authFailure, "PDP authentication refused: \(response.final)")
        }
        if command.hasPrefix("AT+CGACT=1,") {
            if ok { return self.ask(ATCommand("AT+CGCONTRDP=\(cid)", responsePrefix: "+CGCONTRDP:"), at: now) }
            // 27.007: 149 PDP authentication failure; 133 option not subscribed (a wrong APN).
            if response.final == .cmeError(149) { return self.fail(.authFailure, "PDP authentication failure (+CME ERROR: 149)") }
            return self.retry("activation failed: \(response.final)", at: now)
        }
        if command.hasPrefix("AT+CGCONTRDP=") {
            self.parameters = response.lines.lazy.compactMap(CellularReplies.contextParameters).first { $0.cid == cid }
            return self.ask(ATCommand("AT+CGPADDR=\(cid)", responsePrefix: "+CGPADDR:"), at: now)
        }
        if command.hasPrefix("AT+CGPADDR=") {
            let addresses = response.lines.lazy.compactMap(CellularReplies.addresses).first { $0.cid == cid }?.addresses ?? []
            guard let address = addresses.first(where: { $0 != "0.0.0.0" }) ?? self.parameters?.address else {
                return self.retry("the context has no address", at: now)
            }
            self.state = .connected
            let parameters = self.parameters ?? CellularReplies.ContextParameters(
                cid: cid, apn: self.settings.apn ?? "", address: address, subnetMask: nil, gateway: nil, dnsServers: [], mtu: nil)
            return [.state(.connected), .connected(parameters, address: address)]
        }
        return []
    }

    private mutating func authenticateOrActivate(at now: Instant) -> [Output] {
        guard let cid = self.cid else { return [] }
        if let user = self.settings.user, let password = self.settings.password {
            return self.ask(ATCommand("AT+CGAUTH=\(cid),1,\"\(user)\",\"\(password)\"", isSecret: true), at: now)
        }
        return self.ask(ATCommand("AT+CGACT=1,\(cid)", timeout: .seconds(180)), at: now)
    }

    // MARK: URCs

    private mutating func unsolicited(_ line: String, at now: Instant) -> [Output] {
        if let registration = CellularReplies.registration(line, solicited: false) {
            let outputs = self.noted(registration)
            if self.state == .registeringNetwork, self.awaiting == nil, !self.registered.isEmpty {
                return outputs + self.enter(.attachingNetwork, at: now)
            }
            if self.state == .connected, registration.domain != .circuitSwitched, !registration.status.isRegistered, self.registered.isEmpty {
                return outputs + [.lost("registration lost: \(registration.status)")]
            }
            return outputs
        }
        if let event = CellularReplies.packetEvent(line), self.state == .connected {
            switch event {
            case .networkDetach, .deviceDetach:
                self.state = .failed
                return [.state(.failed), .lost("the network detached (\(line))")]
            case .networkDeactivated(let cid), .deviceDeactivated(let cid):
                guard cid == nil || cid == self.cid else { return [] }
                self.state = .failed
                return [.state(.failed), .lost("the context was deactivated (\(line))")]
            case .other:
                return []
            }
        }
        return []
    }

    // MARK: Retry and failure

    private mutating func retry(_ reason: String, at now: Instant) -> [Output] {
        guard self.attempt < self.settings.backoff.count else { return self.fail(.deviceError, "\(self.state.rawValue): \(reason); no retries left") }
        let delay = self.settings.backoff[self.attempt]
        self.attempt += 1
        self.waitingUntil = now + delay
        self.awaiting = nil
        self.nextRegistrationPoll = nil
        return [.retry(self.state, attempt: self.attempt, after: delay)]
    }

    private mutating func fail(_ error: NSAPIError, _ reason: String) -> [Output] {
        self.state = .failed
        self.awaiting = nil
        self.waitingUntil = nil
        self.nextRegistrationPoll = nil
        return [.state(.failed), .failed(error, reason)]
    }
}
