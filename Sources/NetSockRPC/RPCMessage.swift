public import NetSockJSON

/// A well-formed JSON-RPC 2.0 request or notification.
public struct RPCRequest: Sendable, Equatable {
    public var method: String
    /// Named params; an absent `params` member is an empty object.
    public var params: JSONObject
    /// The id: a string, number or null. `nil` means the message is a notification.
    public var id: JSONValue?

    public init(method: String, params: JSONObject = JSONObject(), id: JSONValue?) {
        self.method = method
        self.params = params
        self.id = id
    }

    public var isNotification: Bool { self.id == nil }

    public var json: JSONValue {
        var object = JSONObject([("jsonrpc", "2.0"), ("method", .string(self.method))])
        if !self.params.isEmpty { object["params"] = .object(self.params) }
        if let id { object["id"] = id }
        return .object(object)
    }
}

/// A JSON-RPC 2.0 response: the id and exactly one of result or error.
public struct RPCResponse: Sendable, Equatable {
    public var id: JSONValue
    public var outcome: Result<JSONValue, RPCError>

    public init(id: JSONValue, outcome: Result<JSONValue, RPCError>) {
        self.id = id
        self.outcome = outcome
    }

    public init(id: JSONValue, result: JSONValue) { self.init(id: id, outcome: .success(result)) }
    public init(id: JSONValue, error: RPCError) { self.init(id: id, outcome: .failure(error)) }

    public var json: JSONValue {
        switch self.outcome {
        case .success(let result): ["jsonrpc": "2.0", "id": self.id, "result": result]
        case .failure(let error): ["jsonrpc": "2.0", "id": self.id, "error": error.json]
        }
    }

    /// Appends the response's text to `bytes`. The envelope is fixed text; jansson writes
    /// the id and the result (or error) into the same buffer, so a large result is
    /// written once, where it goes. Same bytes as encoding ``json``.
    public func encode(into bytes: inout [UInt8]) {
        bytes.append(contentsOf: Self.head)
        Self.writeID(self.id, into: &bytes)
        switch self.outcome {
        case .success(let result):
            bytes.append(contentsOf: Self.resultMember)
            JSONCodec.encode(result, into: &bytes)
        case .failure(let error):
            bytes.append(contentsOf: Self.errorMember)
            JSONCodec.encode(error.json, into: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// The id as jansson writes it. An integer (nearly every id) is written here: its
    /// decimal digits are all there is to it, and a jansson call for it costs a tree, a
    /// dump and a `snprintf`; anything else goes through jansson.
    static func writeID(_ id: JSONValue, into bytes: inout [UInt8]) {
        guard case .integer(let number) = id else { return JSONCodec.encode(id, into: &bytes) }
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 20 digits at most, in 24 bytes.
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[23 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            bytes.append(contentsOf: buffer[(24 - count)...])
        }
    }

    static let head: [UInt8] = Array(#"{"jsonrpc":"2.0","id":"#.utf8)
    static let resultMember: [UInt8] = Array(#","result":"#.utf8)
    static let errorMember: [UInt8] = Array(#","error":"#.utf8)

    /// Reads a response received from a peer; `nil` if `json` is not one.
    public init?(json: JSONValue) {
        guard let object = json.objectValue, object["jsonrpc"] == "2.0", let id = object["id"] else { return nil }
        if let result = object["result"], object["error"] == nil {
            self.init(id: id, result: result)
        } else if let errorJSON = object["error"], object["result"] == nil, let error = RPCError(json: errorJSON) {
            self.init(id: id, error: error)
        } else {
            return nil
        }
    }
}

/// A server-to-client notification (`events.notify`, `socket.sigio`, ...).
public struct RPCNotification: Sendable, Equatable {
    public var method: String
    public var params: JSONObject

    public init(method: String, params: JSONObject) {
        self.method = method
        self.params = params
    }

    public var json: JSONValue {
        ["jsonrpc": "2.0", "method": .string(self.method), "params": .object(self.params)]
    }
}

/// One entry of an incoming message after envelope validation.
public enum RPCIncoming: Sendable, Equatable {
    case request(RPCRequest)
    /// Not a valid request; answered with this error under `id` (null when unreadable).
    case invalid(id: JSONValue, error: RPCError)
    /// A notification that cannot be carried out; JSON-RPC forbids any reply to it.
    case discarded
}

/// An incoming JSON-RPC message: one entry, a batch, or a whole-message error.
public enum RPCEnvelope: Sendable, Equatable {
    case single(RPCIncoming)
    case batch([RPCIncoming])
    /// The message as a whole is refused (empty or oversize batch); one error object answers it.
    case rejected(RPCError)

    /// Validates the envelope of a parsed message as JSON-RPC 2.0 §4-§6 require.
    ///
    /// This server takes params by name only, so array params are "invalid params"
    /// (`-32602`), while params that are neither array nor object are "invalid request".
    public init(parsing message: JSONValue, maxBatch: Int) {
        switch message {
        case .array(let entries):
            guard !entries.isEmpty else {
                self = .rejected(.invalidRequest("an empty batch is not a request"))
                return
            }
            guard entries.count <= maxBatch else {
                self = .rejected(.invalidRequest("a batch of \(entries.count) entries exceeds the limit of \(maxBatch)"))
                return
            }
            self = .batch(entries.map(Self.validate))
        default:
            self = .single(Self.validate(message))
        }
    }

    private static let allowedMembers: Set<String> = ["jsonrpc", "method", "params", "id"]

    static func validate(_ entry: JSONValue) -> RPCIncoming {
        guard let object = entry.objectValue else {
            return .invalid(id: .null, error: .invalidRequest("a request must be an object, not \(entry.typeName)"))
        }
        var id: JSONValue?
        if let rawID = object["id"] {
            switch rawID {
            case .string, .integer, .double, .null: id = rawID
            default:
                return .invalid(id: .null, error: .invalidRequest("id must be a string, number or null"))
            }
        }
        let replyID = id ?? .null
        guard object["jsonrpc"] == "2.0" else {
            return .invalid(id: replyID, error: .invalidRequest("jsonrpc must be exactly \"2.0\""))
        }
        guard let method = object["method"]?.stringValue else {
            return .invalid(id: replyID, error: .invalidRequest("method must be a string"))
        }
        if let extra = object.keys.first(where: { !Self.allowedMembers.contains($0) }) {
            return .invalid(id: replyID, error: .invalidRequest("unknown member \"\(extra)\" in the request"))
        }
        var params = JSONObject()
        switch object["params"] {
        case nil: break
        case .object(let named)?: params = named
        case .array?:
            // A structured value, so a valid request, but we take params by name only.
            if let id {
                return .invalid(id: id, error: .invalidParams(param: nil, "params must be an object (by name)"))
            }
            return .discarded
        case let other?:
            return .invalid(id: replyID, error: .invalidRequest("params must be an object, not \(other.typeName)"))
        }
        return .request(RPCRequest(method: method, params: params, id: id))
    }
}
