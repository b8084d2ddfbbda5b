public import NSAPI
public import NetSockJSON

/// A JSON-RPC 2.0 error object: protocol errors, server errors and NSAPI failures.
///
/// NSAPI codes (-3001...-3020) lie outside the band JSON-RPC reserves
/// (-32768...-32000), so they travel as `code` unchanged with Mbed's name as `message`.
public struct RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// The protocol and server errors outside NSAPI: the one list the constructors below
    /// and the OpenRPC document take their codes and messages from.
    public enum Code: Int, CaseIterable, Sendable {
        case parseError = -32700
        case invalidRequest = -32600
        case methodNotFound = -32601
        case invalidParams = -32602
        case internalError = -32603
        /// The caller's role does not allow the method.
        case notPermitted = -32001
        /// `events.subscribe {since}` asked for history the daemon no longer holds.
        case replayUnavailable = -32002
        /// The daemon is stopping; the request was not (or no longer) carried out.
        case shuttingDown = -32003
        /// A connection-level limit was hit (clients, queued output).
        case limitExceeded = -32004
        /// `daemon.reload` found the config file invalid; the running configuration stays.
        case configurationRefused = -32005

        public var message: String {
            switch self {
            case .parseError: "Parse error"
            case .invalidRequest: "Invalid Request"
            case .methodNotFound: "Method not found"
            case .invalidParams: "Invalid params"
            case .internalError: "Internal error"
            case .notPermitted: "Not permitted"
            case .replayUnavailable: "Replay unavailable"
            case .shuttingDown: "Shutting down"
            case .limitExceeded: "Limit exceeded"
            case .configurationRefused: "Configuration refused"
            }
        }
    }

    public init(_ code: Code, data: JSONValue? = nil) { self.init(code: code.rawValue, message: code.message, data: data) }

    public static let parseErrorCode = Code.parseError.rawValue
    public static let invalidRequestCode = Code.invalidRequest.rawValue
    public static let methodNotFoundCode = Code.methodNotFound.rawValue
    public static let invalidParamsCode = Code.invalidParams.rawValue
    public static let internalErrorCode = Code.internalError.rawValue
    public static let notPermittedCode = Code.notPermitted.rawValue
    public static let replayUnavailableCode = Code.replayUnavailable.rawValue
    public static let shuttingDownCode = Code.shuttingDown.rawValue
    public static let limitExceededCode = Code.limitExceeded.rawValue
    public static let configurationRefusedCode = Code.configurationRefused.rawValue

    private static func detail(_ text: String, _ extra: JSONObject = JSONObject()) -> JSONValue {
        var data = extra
        data["detail"] = .string(text)
        return .object(data)
    }

    public static func parseError(_ detail: String) -> RPCError {
        RPCError(.parseError, data: Self.detail(detail))
    }

    public static func invalidRequest(_ detail: String) -> RPCError {
        RPCError(.invalidRequest, data: Self.detail(detail))
    }

    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(.methodNotFound, data: Self.detail("no method named \(method)", JSONObject([("method", .string(method))])))
    }

    /// Invalid params; `param` names the culprit as API.md requires.
    public static func invalidParams(param: String?, _ detail: String) -> RPCError {
        var extra = JSONObject()
        if let param { extra["param"] = .string(param) }
        return RPCError(.invalidParams, data: Self.detail(detail, extra))
    }

    public static func internalError(_ detail: String) -> RPCError {
        RPCError(.internalError, data: Self.detail(detail))
    }

    public static func notPermitted(method: String, role: String) -> RPCError {
        RPCError(.notPermitted, data: Self.detail(
                "\(method) needs the \(role) role", JSONObject([("method", .string(method)), ("role", .string(role))])))
    }

    public static func replayUnavailable(since: Int64, oldest: Int64) -> RPCError {
        RPCError(.replayUnavailable, data: Self.detail(
                "events after \(since) are no longer held; the oldest held is \(oldest)",
                JSONObject([("since", .integer(since)), ("oldest", .integer(oldest))])))
    }

    public static func shuttingDown() -> RPCError {
        RPCError(.shuttingDown, data: Self.detail("the daemon is stopping"))
    }

    public static func limitExceeded(_ detail: String) -> RPCError {
        RPCError(.limitExceeded, data: Self.detail(detail))
    }

    public static func configurationRefused(key: String, _ detail: String) -> RPCError {
        RPCError(.configurationRefused, data: Self.detail(detail, JSONObject([("key", .string(key))])))
    }

    /// An NSAPI failure: `code` is the `nsapi_error_t`, `message` its Mbed name.
    public init(_ nsapi: NSAPIError, detail: String? = nil) {
        self.init(code: Int(nsapi.rawValue), message: nsapi.name, data: Self.detail(detail ?? nsapi.meaning))
    }

    /// The NSAPI code, when this error carries one.
    public var nsapiError: NSAPIError? {
        (-3999 ... -3001).contains(self.code) ? NSAPIError(rawValue: Int32(self.code)) : nil
    }

    /// The `data.detail` sentence, if any.
    public var detail: String? { self.data?["detail"]?.stringValue }

    public var json: JSONValue {
        var object = JSONObject([("code", .integer(Int64(self.code))), ("message", .string(self.message))])
        if let data { object["data"] = data }
        return .object(object)
    }

    /// Reads an error object received from a peer; `nil` if it is not one.
    public init?(json: JSONValue) {
        guard let code = json["code"]?.intValue, let message = json["message"]?.stringValue else { return nil }
        self.init(code: Int(code), message: message, data: json["data"])
    }

    public var description: String {
        if let detail { return "\(self.message) (\(self.code)): \(detail)" }
        return "\(self.message) (\(self.code))"
    }
}

extension NSAPIError {
    /// This failure as a JSON-RPC error object with a sentence for people.
    public func rpcError(_ detail: String? = nil) -> RPCError { RPCError(self, detail: detail) }
}
