import NSAPI
import NetSockCellular
import NetSockStack
import Testing

/// The daemon's connect sequence against the simulator's 27.007 model, byte for byte
/// through a real `ATChannel`, with the model's faults.
@Suite struct ModemModelTests {
    /// The state machine, the channel and the model, on a manual clock; replies are
    /// fed back in chunks of `chunk` bytes, as a serial port splits them.
    final class Bench {
        var model: ModemModel
        var machine: CellularStateMachine
        var channel = ATChannel(urcPrefixes: ["+CEREG:", "+CGREG:", "+CREG:", "+CGEV:"])
        var now = Instant.seconds(1)
        var outputs: [CellularStateMachine.Output] = []
        var sent: [String] = []
        let chunk: Int

        init(_ settings: CellularStateMachine.Settings, faults: ModemModel.Faults, chunk: Int = 7) {
            self.model = ModemModel(faults: faults)
            self.machine = CellularStateMachine(settings: settings)
            self.chunk = chunk
        }

        func feed(_ bytes: [UInt8]) -> [CellularStateMachine.Output] {
            var outputs: [CellularStateMachine.Output] = []
            var offset = 0
            while offset < bytes.count {
                let end = Swift.min(bytes.count, offset + self.chunk)
                for event in self.channel.receive(bytes[offset..<end], at: self.now) { outputs += self.machine.handle(event, at: self.now) }
                offset = end
            }
            return outputs
        }

        func take(_ outputs: [CellularStateMachine.Output]) {
            var queue = outputs
            var steps = 0
            while !queue.isEmpty, steps < 10_000 {
                steps += 1
                let output = queue.removeFirst()
                self.outputs.append(output)
                guard case .send(let command) = output else { continue }
                self.sent.append(command.text)
                _ = self.channel.send(command, at: self.now)
                queue += self.feed(self.model.reply(to: command.text))
            }
        }

        func run(until done: () -> Bool, limit: TimeSpan = .seconds(7200)) {
            self.take(self.machine.start(at: self.now))
            let end = self.now + limit
            while !done(), self.now < end {
                let next = [self.channel.deadline, self.machine.nextDeadline].compactMap { $0 }.min() ?? end
                self.now = Swift.max(self.now, Swift.min(next, end))
                var outputs: [CellularStateMachine.Output] = []
                if let event = self.channel.poll(at: self.now) { outputs += self.machine.handle(event, at: self.now) }
                outputs += self.machine.poll(at: self.now)
                self.take(outputs)
            }
        }

        var connectedAddress: String? { self.outputs.lazy.compactMap { if case .connected(_, let address) = $0 { address } else { nil } }.first }
        var failure: NSAPIError? { self.outputs.lazy.compactMap { if case .failed(let error, _) = $0 { error } else { nil } }.first }
    }

    @Test("connects with echo on, a PIN, and registration going searching → denied → home", arguments: [1, 3, 64])
    func connects(chunk: Int) {
        var faults = ModemModel.Faults()
        faults.pin = "1234"
        faults.registrationScript = [2, 2, 3, 3, 1]
        let bench = Bench(CellularStateMachine.Settings(pin: "1234", apn: "internet"), faults: faults, chunk: chunk)
        bench.run(until: { bench.machine.state == .connected || bench.machine.state == .failed })
        #expect(bench.machine.state == .connected, "\(bench.outputs.suffix(4))")
        #expect(bench.connectedAddress == "198.51.100.11")
        let parameters = bench.outputs.lazy.compactMap { if case .connected(let parameters, _) = $0 { parameters } else { nil } }.first
        #expect(parameters?.dnsServers == ["198.51.100.53", "198.51.100.54"] && parameters?.apn == "internet")
        #expect(bench.sent.contains("AT+CGDCONT=2,\"IP\",\"internet\""))
    }

    @Test("a wrong PIN is AUTH_FAILURE at the first refusal")
    func wrongPin() {
        var faults = ModemModel.Faults()
        faults.pin = "1234"
        let bench = Bench(CellularStateMachine.Settings(pin: "9999", apn: "internet"), faults: faults)
        bench.run(until: { bench.machine.state == .failed })
        #expect(bench.failure == .authFailure)
    }

    @Test("an attach the network refuses is retried with back-off, and goes through once the fault clears")
    func attachRetried() {
        var faults = ModemModel.Faults()
        faults.cmeErrors = ["AT+CGATT=1": 30]
        let bench = Bench(CellularStateMachine.Settings(apn: "internet"), faults: faults)
        bench.run(until: { bench.outputs.contains(.retry(.attachingNetwork, attempt: 2, after: .seconds(2))) })
        #expect(bench.machine.state == .attachingNetwork)
        bench.model.faults.cmeErrors = [:]
        bench.run(until: { bench.machine.state == .connected }, limit: .seconds(60))
        #expect(bench.machine.state == .connected)
    }

    @Test("a silent modem ends in DEVICE_ERROR after the whole back-off")
    func silent() {
        var faults = ModemModel.Faults()
        faults.silent = ["AT"]
        let bench = Bench(CellularStateMachine.Settings(), faults: faults)
        bench.run(until: { bench.machine.state == .failed })
        #expect(bench.failure == .deviceError)
        #expect(bench.now - Instant.seconds(1) >= TimeSpan.seconds(2075), "the sum of Mbed's back-off")
    }

    @Test("after connect, the network's detach and our context's deactivation are losses")
    func networkEvents() {
        let bench = Bench(CellularStateMachine.Settings(apn: "internet"), faults: ModemModel.Faults())
        bench.run(until: { bench.machine.state == .connected })
        bench.take(bench.feed(bench.model.deactivate(1)))
        #expect(bench.machine.state == .connected, "another context's deactivation")
        bench.take(bench.feed(bench.model.deactivate(2)))
        #expect(bench.machine.state == .failed)

        let detached = Bench(CellularStateMachine.Settings(apn: "internet"), faults: ModemModel.Faults())
        detached.run(until: { detached.machine.state == .connected })
        detached.take(detached.feed(detached.model.networkDetach()))
        #expect(detached.outputs.contains { if case .lost = $0 { true } else { false } })
    }

    @Test("errors in each +CMEE mode, and the channel reads them all")
    func errorModes() {
        var model = ModemModel()
        var channel = ATChannel()
        func final(_ command: String) -> ATFinal? {
            _ = channel.send(ATCommand(command), at: .zero)
            for event in channel.receive(model.reply(to: command), at: .zero) {
                if case .response(let response) = event { return response.final }
            }
            return nil
        }
        #expect(final("AT+XYZ=1") == .error)
        #expect(final("AT+CMEE=1") == .ok)
        #expect(final("AT+XYZ=1") == .cmeError(4))
        #expect(final("AT+CMEE=2") == .ok)
        #expect(final("AT+XYZ=1") == .cmeError(nil))
    }
}
