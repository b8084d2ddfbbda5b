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

    public static let parseErrorCode = -32700
    public static let invalidRequestCode = -32600
    public static let methodNotFoundCode = -32601
    public static let invalidParamsCode = -32602
    public static let internalErrorCode = -32603
    /// The caller's role does not allow the method.
    public static let notPermittedCode = -32001
    /// `events.subscribe {since}` asked for history the daemon no longer holds.
    public static let replayUnavailableCode = -32002
    /// The daemon is stopping; the request was not (or no longer) carried out.
    public static let shuttingDownCode = -32003
    /// A connection-level limit was hit (clients, queued output).
    public static let limitExceededCode = -32004
    /// `daemon.reload` found the config file invalid; the running configuration stays.
    public static let configurationRefusedCode = -32005

    private static func detail(_ text: String, _ extra: JSONObject = JSONObject()) -> JSONValue {
        var data = extra
        data["detail"] = .string(text)
        return .object(data)
    }

    public static func parseError(_ detail: String) -> RPCError {
        RPCError(code: parseErrorCode, message: "Parse error", data: Self.detail(detail))
    }

    public static func invalidRequest(_ detail: String) -> RPCError {
        RPCError(code: invalidRequestCode, message: "Invalid Request", data: Self.detail(detail))
    }

    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(
            code: methodNotFoundCode, message: "Method not found",
            data: Self.detail("no method named \(method)", JSONObject([("method", .string(method))])))
    }

    /// Invalid params; `param` names the culprit as API.md requires.
    public static func invalidParams(param: String?, _ detail: String) -> RPCError {
        var extra = JSONObject()
        if let param { extra["param"] = .string(param) }
        return RPCError(code: invalidParamsCode, message: "Invalid params", data: Self.detail(detail, extra))
    }

    public static func internalError(_ detail: String) -> RPCError {
        RPCError(code: internalErrorCode, message: "Internal error", data: Self.detail(detail))
    }

    public static func notPermitted(method: String, role: String) -> RPCError {
        RPCError(
            code: notPermittedCode, message: "Not permitted",
            data: Self.detail(
                "\(method) needs the \(role) role", JSONObject([("method", .string(method)), ("role", .string(role))])))
    }

    public static func replayUnavailable(since: Int64, oldest: Int64) -> RPCError {
        RPCError(
            code: replayUnavailableCode, message: "Replay unavailable",
            data: Self.detail(
                "events after \(since) are no longer held; the oldest held is \(oldest)",
                JSONObject([("since", .integer(since)), ("oldest", .integer(oldest))])))
    }

    public static func shuttingDown() -> RPCError {
        RPCError(code: shuttingDownCode, message: "Shutting down", data: Self.detail("the daemon is stopping"))
    }

    public static func limitExceeded(_ detail: String) -> RPCError {
        RPCError(code: limitExceededCode, message: "Limit exceeded", data: Self.detail(detail))
    }

    public static func configurationRefused(key: String, _ detail: String) -> RPCError {
        RPCError(
            code: configurationRefusedCode, message: "Configuration refused",
            data: Self.detail(detail, JSONObject([("key", .string(key))])))
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
