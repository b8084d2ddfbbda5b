import NSAPI
import NetSockCellular
import NetSockJSON
import NetSockRPC
import NetSockStack

/// Mbed's CellularInterface settings and state, and a raw AT command for an administrator.
enum CellularMethods {
    static let all: [any DaemonMethod.Type] = [CellularSetSIMPin.self, CellularSetCredentials.self, CellularInfo.self, CellularAT.self]

    static func modem(_ daemon: Daemon, _ name: String) throws(RPCError) -> (ManagedInterface, CellularModem) {
        let interface = try InterfaceMethods.interface(daemon, name)
        guard let modem = interface.modem else { throw RPCError(.unsupported, detail: "\(name) is not a cellular interface") }
        return (interface, modem)
    }
}

struct CellularSetSIMPin: DaemonMethod {
    typealias Result = NoResult
    static let name = "cellular.set_sim_pin"
    static let summary = "The SIM's PIN, entered at the next connect when the SIM asks for it."
    static let description = "A secret: never logged, traced (the AT trace masks +CPIN) or shown. A wrong PIN fails the connect with NSAPI_ERROR_AUTH_FAILURE; three wrong PINs lock the SIM (it then wants its PUK)."
    static let role = MethodRole.admin
    static let errors: [NSAPIError] = [.unsupported]
    static let tags = ["cellular"]

    @Param("interface", .interfaceName, "A cellular interface.") var interface: String
    @Param("pin", .string(maxLength: 8, format: nil), "4 to 8 digits.") var pin: String

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        let (interface, _) = try CellularMethods.modem(daemon, call.params.interface)
        let pin = call.params.pin
        guard (4...8).contains(pin.count), pin.allSatisfy(\.isNumber) else { throw .invalidParams(param: "pin", "must be 4 to 8 digits") }
        interface.cellularSettings.pin = pin
        return .result(NoResult())
    }
}

struct CellularSetCredentials: DaemonMethod {
    typealias Result = NoResult
    static let name = "cellular.set_credentials"
    static let summary = "The APN and, where the operator wants them, the user name and password (PAP/CHAP via +CGAUTH), for the next connect."
    static let description = "The password is a secret: never logged or shown; the AT trace masks +CGAUTH."
    static let role = MethodRole.admin
    static let errors: [NSAPIError] = [.unsupported]
    static let tags = ["cellular"]

    @Param("interface", .interfaceName, "A cellular interface.") var interface: String
    @Param("apn", .string(maxLength: 100, format: nil), "The access point name.") var apn: String
    @Param("username", .string(maxLength: 64, format: nil), "User name, if the APN wants one.") var username: String?
    @Param("password", .string(maxLength: 64, format: nil), "Password, with username.") var password: String?

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        let (interface, _) = try CellularMethods.modem(daemon, call.params.interface)
        for (name, value) in [("apn", call.params.apn), ("username", call.params.username ?? ""), ("password", call.params.password ?? "")] {
            // Inside a quoted AT parameter a quote, CR or LF would end the command early.
            guard value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F && $0 != "\"" }) else {
                throw .invalidParams(param: name, "must be printable ASCII without quotes")
            }
        }
        interface.cellularSettings.apn = call.params.apn
        interface.cellularSettings.user = call.params.username
        interface.cellularSettings.password = call.params.password
        return .result(NoResult())
    }
}

struct CellularInfo: DaemonMethod {
    typealias Result = CellularDetails
    static let name = "cellular.info"
    static let summary = "The modem's IMEI, operator, registration, signal (dBm) and state machine state."
    static let errors: [NSAPIError] = [.unsupported]
    static let tags = ["cellular"]

    @Param("interface", .interfaceName, "A cellular interface.") var interface: String

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<CellularDetails> {
        let (_, modem) = try CellularMethods.modem(daemon, call.params.interface)
        return .result(InterfaceRegistry.details(modem))
    }
}

/// A modem's answer to one raw command.
struct ATAnswer: APIObject {
    var lines: [String]
    var final: String

    static let members: [APIMember<ATAnswer>] = [
        APIMember("lines", \.lines, "The information lines of the reply, in order (URCs that came meanwhile are not among them)."),
        APIMember("final", \.final, "OK, ERROR, +CME ERROR: <n>, +CMS ERROR: <n>, or timeout."),
    ]
}

struct CellularAT: DaemonMethod {
    typealias Result = ATAnswer
    static let name = "cellular.at"
    static let summary = "Sends one raw AT command to the modem and returns its reply, for an administrator whose modem misbehaves."
    static let description = "The command waits its turn behind the daemon's own commands and is traced like them (PINs and passwords masked). Opens the modem's line if it is closed. A reply that does not come in timeout_ms gives final \"timeout\"."
    static let role = MethodRole.admin
    static let errors: [NSAPIError] = [.unsupported, .deviceError]
    static let tags = ["cellular"]

    @Param("interface", .interfaceName, "A cellular interface.") var interface: String
    @Param("command", .string(maxLength: 512, format: nil), "The command, starting with AT (no CR).") var command: String
    @Param("timeout_ms", .integer(minimum: 1, maximum: 180_000), "How long to wait for the final result (default 10000).") var timeoutMilliseconds = 10_000

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<ATAnswer> {
        let (interface, modem) = try CellularMethods.modem(daemon, call.params.interface)
        let text = call.params.command
        guard text.uppercased().hasPrefix("AT"), text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) else {
            throw .invalidParams(param: "command", "must start with AT and hold printable ASCII only")
        }
        do {
            try modem.open()
        } catch {
            throw RPCError(.deviceError, detail: "cannot open \(interface.device ?? "the modem's line"): \(error)")
        }
        let upper = text.uppercased()
        // `AT+CSQ` is answered by `+CSQ:` lines: those are the command's even when a URC shares the prefix.
        var prefix: String?
        if upper.hasPrefix("AT+") {
            let name = upper.dropFirst(2).prefix { $0 != "=" && $0 != "?" }
            prefix = name + ":"
        }
        let command = ATCommand(
            text, timeout: .milliseconds(Int64(call.params.timeoutMilliseconds)), responsePrefix: prefix,
            isSecret: upper.hasPrefix("AT+CPIN=") || upper.hasPrefix("AT+CGAUTH=") || upper.hasPrefix("AT+CPWD="))
        modem.stack.send(raw: command) { response in
            call.responder.complete(.success(ATAnswer(lines: response.lines, final: Self.text(response.final))))
        }
        modem.reschedule()
        return .deferred
    }

    static func text(_ final: ATFinal) -> String {
        switch final {
        case .ok: "OK"
        case .error: "ERROR"
        case .cmeError(let code): "+CME ERROR: \(code.map(String.init) ?? "")"
        case .cmsError(let code): "+CMS ERROR: \(code.map(String.init) ?? "")"
        case .other(let text): text
        case .timeout: "timeout"
        }
    }
}
