import NSAPI
import NetSockCellular
import NetSockStack
import Testing

/// The connect sequence against a scripted modem on a manual clock: every state, the
/// retries and their back-off, and each failure with its NSAPI code.
@Suite struct CellularStateMachineTests {
    /// Answers commands from a script (exact text, else the first prefix that matches),
    /// through a real `ATChannel`, and records what was sent and what the machine said.
    final class ScriptedModem {
        var replies: [(match: String, reply: String)]
        /// Answers used once each, before `replies` (a SIM that wants its PIN, then is ready).
        var once: [(match: String, reply: String)] = []
        var silent: Set<String> = []
        var channel = ATChannel(urcPrefixes: ["+CEREG:", "+CGREG:", "+CREG:", "+CGEV:"])
        var machine: CellularStateMachine
        var now = Instant.seconds(100)
        var sent: [String] = []
        var outputs: [CellularStateMachine.Output] = []

        init(_ settings: CellularStateMachine.Settings, replies: [(String, String)]) {
            self.machine = CellularStateMachine(settings: settings)
            self.replies = replies.map { (match: $0.0, reply: $0.1) }
        }

        func start() { self.take(self.machine.start(at: self.now)) }

        /// Feeds the machine's output back through the modem until it waits for time.
        func take(_ outputs: [CellularStateMachine.Output]) {
            var queue = outputs
            var steps = 0
            while !queue.isEmpty {
                steps += 1
                guard steps < 10_000 else {
                    Issue.record("the machine keeps sending: \(self.sent.suffix(5))")
                    return
                }
                let output = queue.removeFirst()
                self.outputs.append(output)
                guard case .send(let command) = output else { continue }
                self.sent.append(ATTrace.sent(command))
                _ = self.channel.send(command, at: self.now)
                if self.silent.contains(command.text) { continue }
                var reply: String?
                if let index = self.once.firstIndex(where: { $0.match == command.text }) { reply = self.once.remove(at: index).reply }
                reply = reply ?? self.replies.first { $0.match == command.text }?.reply
                    ?? self.replies.first { command.text.hasPrefix($0.match) }?.reply
                for event in self.channel.receive(Array((reply ?? "\r\nOK\r\n").utf8), at: self.now) { queue += self.machine.handle(event, at: self.now) }
            }
        }

        /// A URC from the network.
        func urc(_ line: String) {
            var outputs: [CellularStateMachine.Output] = []
            for event in self.channel.receive(Array("\r\n\(line)\r\n".utf8), at: self.now) { outputs += self.machine.handle(event, at: self.now) }
            self.take(outputs)
        }

        /// Moves the clock to the next deadline (the channel's or the machine's) and runs it.
        func advance(upTo limit: TimeSpan = .seconds(4000)) {
            let end = self.now + limit
            let next = [self.channel.deadline, self.machine.nextDeadline].compactMap { $0 }.min() ?? end
            self.now = Swift.min(next, end)
            var outputs: [CellularStateMachine.Output] = []
            if let event = self.channel.poll(at: self.now) { outputs += self.machine.handle(event, at: self.now) }
            outputs += self.machine.poll(at: self.now)
            self.take(outputs)
        }

        var states: [CellularStateMachine.State] { self.outputs.compactMap { if case .state(let state) = $0 { state } else { nil } } }
        var failure: (NSAPIError, String)? {
            self.outputs.lazy.compactMap { if case .failed(let error, let reason) = $0 { (error, reason) } else { nil } }.first
        }
    }

    static let happy: [(String, String)] = [
        ("AT+CPIN?", "\r\n+CPIN: READY\r\n\r\nOK\r\n"),
        ("AT+CSQ", "\r\n+CSQ: 20,99\r\n\r\nOK\r\n"),
        ("AT+CEREG?", "\r\n+CEREG: 2,1,\"1A2B\",\"01A2B3C4\",7\r\n\r\nOK\r\n"),
        ("AT+CGATT?", "\r\n+CGATT: 1\r\n\r\nOK\r\n"),
        ("AT+CGDCONT?", "\r\n+CGDCONT: 1,\"IP\",\"ims\",\"0.0.0.0\",0,0\r\n\r\nOK\r\n"),
        ("AT+CGCONTRDP=2", "\r\n+CGCONTRDP: 2,5,\"internet\",\"10.9.146.175.255.255.255.0\",\"10.9.146.1\",\"8.8.8.8\",\"8.8.4.4\"\r\n\r\nOK\r\n"),
        ("AT+CGPADDR=2", "\r\n+CGPADDR: 2,\"10.9.146.175\"\r\n\r\nOK\r\n"),
    ]

    @Test("the whole sequence, in Mbed's states and with the commands 27.007 asks for")
    func happyPath() throws {
        let modem = ScriptedModem(CellularStateMachine.Settings(apn: "internet"), replies: Self.happy)
        modem.start()
        #expect(modem.states == [.powerOn, .deviceReady, .simPin, .signalQuality, .registeringNetwork, .attachingNetwork, .activatingContext, .connected])
        #expect(modem.sent.map { String($0.dropFirst("AT TX: ".count)) } == [
            "AT", "ATE0", "AT+CMEE=1", "AT+CFUN=1", "AT+CPIN?", "AT+CSQ", "AT+CEREG=2", "AT+CGREG=2", "AT+CEREG?", "AT+CGATT?",
            "AT+CGDCONT?", "AT+CGDCONT=2,\"IP\",\"internet\"", "AT+CGACT=1,2", "AT+CGCONTRDP=2", "AT+CGPADDR=2",
        ])
        #expect(modem.outputs.contains(.signal(dBm: -73)))
        let connected = modem.outputs.compactMap { if case .connected(let parameters, let address) = $0 { (parameters, address) } else { nil } }.first
        #expect(connected?.1 == "10.9.146.175")
        #expect(connected?.0.dnsServers == ["8.8.8.8", "8.8.4.4"] && connected?.0.gateway == "10.9.146.1" && connected?.0.subnetMask == "255.255.255.0")
        #expect(modem.machine.state == .connected)
    }

    @Test("a context with our APN is reused; credentials go in CGAUTH, masked in the trace")
    func contextReuseAndAuth() {
        var settings = CellularStateMachine.Settings(apn: "internet", user: "user", password: "hunter2")
        settings.pdpType = "IP"
        var replies = Self.happy
        replies[4] = ("AT+CGDCONT?", "\r\n+CGDCONT: 1,\"IP\",\"internet\",\"0.0.0.0\",0,0\r\n\r\nOK\r\n")
        replies += [("AT+CGCONTRDP=1", "\r\n+CGCONTRDP: 1,5,\"internet\",\"10.1.2.3.255.0.0.0\",\"\",\"9.9.9.9\"\r\n\r\nOK\r\n"), ("AT+CGPADDR=1", "\r\n+CGPADDR: 1,\"10.1.2.3\"\r\n\r\nOK\r\n")]
        let modem = ScriptedModem(settings, replies: replies)
        modem.start()
        #expect(!modem.sent.contains { $0.contains("AT+CGDCONT=") })
        #expect(modem.sent.contains("AT TX: AT+CGAUTH=<secret>"))
        #expect(!modem.sent.contains { $0.contains("hunter2") })
        #expect(modem.machine.state == .connected)
    }

    @Test("SIM PIN: entered when asked, masked; a wrong one is AUTH_FAILURE; none configured is AUTH_FAILURE")
    func simPin() {
        let modem = ScriptedModem(CellularStateMachine.Settings(pin: "1234", apn: "internet"), replies: Self.happy)
        modem.once = [("AT+CPIN?", "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n")]
        modem.start()
        #expect(modem.sent.contains("AT TX: AT+CPIN=<secret>"))
        #expect(!modem.sent.contains { $0.contains("1234") })
        #expect(modem.sent.filter { $0 == "AT TX: AT+CPIN?" }.count == 2)
        #expect(modem.machine.state == .connected)

        let wrong = ScriptedModem(CellularStateMachine.Settings(pin: "0000"), replies: [("AT+CPIN?", "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n"), ("AT+CPIN=", "\r\n+CME ERROR: 16\r\n")])
        wrong.start()
        #expect(wrong.failure?.0 == .authFailure)
        #expect(wrong.machine.state == .failed)

        let none = ScriptedModem(CellularStateMachine.Settings(), replies: [("AT+CPIN?", "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n")])
        none.start()
        #expect(none.failure?.0 == .authFailure && none.failure?.1.contains("needs a PIN") == true)
    }

    @Test("registration: searching, polled, then the URC says roaming and the sequence goes on")
    func registrationByURC() {
        var replies = Self.happy
        replies[2] = ("AT+CEREG?", "\r\n+CEREG: 2,2\r\n\r\nOK\r\n")
        replies.append(("AT+CGREG?", "\r\n+CGREG: 2,2\r\n\r\nOK\r\n"))
        let modem = ScriptedModem(CellularStateMachine.Settings(apn: "internet"), replies: replies)
        modem.start()
        #expect(modem.machine.state == .registeringNetwork)
        let before = modem.sent.count
        modem.advance()  // The 5 s poll asks again.
        #expect(modem.sent.count > before && modem.sent.last == "AT TX: AT+CGREG?")
        modem.urc("+CEREG: 5,\"1A2B\",\"01A2B3C4\",9")
        #expect(modem.outputs.contains(.registration(CellularReplies.Registration(domain: .eps, status: .roaming, area: 0x1A2B, cell: 0x01A2_B3C4, accessTechnology: 9))))
        #expect(modem.machine.state == .connected)
    }

    @Test("registration that never comes: retried after Mbed's back-off from the start of the state")
    func registrationTimeout() {
        var replies = Self.happy
        replies[2] = ("AT+CEREG?", "\r\n+CEREG: 2,3\r\n\r\nOK\r\n")
        replies.append(("AT+CGREG?", "\r\n+CGREG: 2,3\r\n\r\nOK\r\n"))
        let modem = ScriptedModem(CellularStateMachine.Settings(apn: "internet"), replies: replies)
        modem.start()
        let started = modem.now
        while modem.machine.state == .registeringNetwork, !modem.outputs.contains(where: { if case .retry = $0 { true } else { false } }) {
            modem.advance()
        }
        #expect(modem.outputs.contains(.retry(.registeringNetwork, attempt: 1, after: .seconds(1))))
        #expect(modem.now - started >= .seconds(180))
        let sentBefore = modem.sent.count
        modem.advance()
        #expect(modem.sent[sentBefore] == "AT TX: AT+CEREG=2", "the state starts again after the back-off")
    }

    @Test("polls during a back-off do nothing; a registration URC during it moves on, and the old wait is forgotten")
    func backoffIsQuiet() {
        var replies = Self.happy
        replies[2] = ("AT+CEREG?", "\r\n+CEREG: 2,2\r\n\r\nOK\r\n")
        replies.append(("AT+CGREG?", "\r\n+CGREG: 2,2\r\n\r\nOK\r\n"))
        let modem = ScriptedModem(CellularStateMachine.Settings(apn: "internet"), replies: replies)
        modem.start()
        func retries() -> Int { modem.outputs.filter { if case .retry = $0 { true } else { false } }.count }
        while retries() == 0, modem.machine.state == .registeringNetwork { modem.advance() }
        #expect(retries() == 1)
        for _ in 0..<50 {
            modem.now += .milliseconds(10)
            modem.take(modem.machine.poll(at: modem.now))
        }
        #expect(retries() == 1, "polling inside the back-off spends no retries")
        modem.urc("+CEREG: 1")
        #expect(modem.machine.state == .connected)
        let sent = modem.sent.count
        modem.now += .seconds(5)
        modem.take(modem.machine.poll(at: modem.now))
        #expect(modem.sent.count == sent, "the old back-off does not restart a state")
    }

    @Test("a silent modem: every retry of Mbed's back-off, then DEVICE_ERROR")
    func silentModem() {
        let modem = ScriptedModem(CellularStateMachine.Settings(), replies: [])
        modem.silent = ["AT"]
        modem.start()
        var rounds = 0
        while modem.machine.state != .failed, rounds < 1000 {
            modem.advance()
            rounds += 1
        }
        let retries = modem.outputs.compactMap { if case .retry(let state, let attempt, let after) = $0 { (state, attempt, after) } else { nil } }
        #expect(retries.count == 10)
        #expect(retries.map(\.2) == [1, 2, 4, 8, 16, 32, 64, 128, 600, 1200].map { TimeSpan.seconds($0) })
        #expect(retries.allSatisfy { $0.0 == .powerOn })
        #expect(modem.failure?.0 == .deviceError)
    }

    @Test("SIM busy is retried; no SIM is DEVICE_ERROR at once")
    func simErrors() {
        let busy = ScriptedModem(CellularStateMachine.Settings(), replies: [("AT+CPIN?", "\r\n+CME ERROR: 14\r\n")])
        busy.start()
        #expect(busy.outputs.contains(.retry(.simPin, attempt: 1, after: .seconds(1))))
        busy.replies[0] = ("AT+CPIN?", "\r\n+CPIN: READY\r\n\r\nOK\r\n")
        busy.advance()
        #expect(busy.states.contains(.signalQuality))
        let absent = ScriptedModem(CellularStateMachine.Settings(), replies: [("AT+CPIN?", "\r\n+CME ERROR: 10\r\n")])
        absent.start()
        #expect(absent.failure?.0 == .deviceError && absent.outputs.allSatisfy { if case .retry = $0 { false } else { true } })
    }

    @Test("activation refused for authentication is AUTH_FAILURE; a refused attach is retried")
    func activationAndAttach() {
        var replies = Self.happy
        replies.insert(("AT+CGACT=1,", "\r\n+CME ERROR: 149\r\n"), at: 0)
        let refused = ScriptedModem(CellularStateMachine.Settings(apn: "internet"), replies: replies)
        refused.start()
        #expect(refused.failure?.0 == .authFailure)

        var detached = Self.happy
        detached[3] = ("AT+CGATT?", "\r\n+CGATT: 0\r\n\r\nOK\r\n")
        detached.insert(("AT+CGATT=1", "\r\n+CME ERROR: 30\r\n"), at: 0)
        let attach = ScriptedModem(CellularStateMachine.Settings(apn: "internet"), replies: detached)
        attach.start()
        #expect(attach.outputs.contains(.retry(.attachingNetwork, attempt: 1, after: .seconds(1))))
    }

    @Test("after connect: a network detach and our context's deactivation are losses; another context's is not")
    func lossesAfterConnect() {
        let modem = ScriptedModem(CellularStateMachine.Settings(apn: "internet"), replies: Self.happy)
        modem.start()
        modem.urc("+CGEV: NW PDN DEACT 7")
        #expect(modem.machine.state == .connected)
        modem.urc("+CGEV: NW PDN DEACT 2")
        #expect(modem.machine.state == .failed)
        #expect(modem.outputs.contains { if case .lost(let reason) = $0 { reason.contains("deactivated") } else { false } })

        let other = ScriptedModem(CellularStateMachine.Settings(apn: "internet"), replies: Self.happy)
        other.start()
        other.urc("+CGEV: NW DETACH")
        #expect(other.outputs.contains { if case .lost(let reason) = $0 { reason.contains("detached") } else { false } })
    }
}
