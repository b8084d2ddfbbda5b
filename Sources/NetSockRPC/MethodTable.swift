public import NSAPI
public import NetSockJSON

/// Who may call a method. Everyone who can open the socket is a `user`; `admin` is
/// root, the daemon's own user, or a member of `control.admin_group`.
public enum MethodRole: String, Sendable, CaseIterable {
    case user
    case admin
}

/// The declaration of one method: everything but its handler. Validation,
/// `rpc.discover`, `netsockctl help` and `docs/openrpc.json` all derive from it.
public struct MethodSpec: Sendable {
    public var name: String
    public var summary: String
    public var description: String
    public var params: [Field]
    public var result: Schema
    public var resultDescription: String
    public var role: MethodRole
    /// NSAPI failures the method documents, beyond the protocol errors every method has.
    public var errors: [NSAPIError]
    public var tags: [String]
    /// The handler answers with the same value for the life of the table (the API's own
    /// document): the dispatcher encodes it once and reuses the bytes.
    public var resultIsConstant: Bool

    public init(
        _ name: String, summary: String, description: String = "", params: [Field] = [],
        result: Schema = .object([]), resultDescription: String = "", role: MethodRole = .user,
        errors: [NSAPIError] = [], tags: [String] = [], resultIsConstant: Bool = false
    ) {
        self.name = name
        self.summary = summary
        self.description = description
        self.params = params
        self.result = result
        self.resultDescription = resultDescription
        self.role = role
        self.errors = errors
        self.tags = tags
        self.resultIsConstant = resultIsConstant
    }
}

/// A notification the server sends, documented beside the methods.
public struct NotificationSpec: Sendable {
    public var name: String
    public var summary: String
    public var description: String
    public var params: [Field]

    public init(_ name: String, summary: String, description: String = "", params: [Field]) {
        self.name = name
        self.summary = summary
        self.description = description
        self.params = params
    }
}

/// Named params that have passed their spec's validation, with typed access.
///
/// Accessors for required params cannot fail after validation; they fall back to a
/// zero value only if called for a param the spec does not declare (a programmer error).
public struct Params: Sendable {
    public let object: JSONObject

    public init(_ object: JSONObject) { self.object = object }

    /// The param's value; `nil` when absent or an explicit `null` ("not given").
    public subscript(name: String) -> JSONValue? {
        guard let value = self.object[name], !value.isNull else { return nil }
        return value
    }

    public func string(_ name: String) -> String { self[name]?.stringValue ?? "" }
    public func optionalString(_ name: String) -> String? { self[name]?.stringValue }
    public func int(_ name: String) -> Int64 { self.optionalInt(name) ?? 0 }
    public func optionalInt(_ name: String) -> Int64? {
        switch self[name] {
        case .integer(let value)?: value
        case .double(let value)?: Int64(exactly: value)
        default: nil
        }
    }
    public func bool(_ name: String) -> Bool { self[name]?.boolValue ?? false }
    public func optionalBool(_ name: String) -> Bool? { self[name]?.boolValue }
    public func stringArray(_ name: String) -> [String]? { self[name]?.arrayValue?.compactMap(\.stringValue) }
}

/// Delivers the reply of a request exactly once, now or later.
///
/// A handler that cannot answer at once (a blocking `recv`, say) keeps its
/// responder and returns ``MethodOutcome/deferred``. Not thread-safe: use it on the
/// executor that dispatched the request.
public final class Responder {
    private var deliver: ((Result<JSONValue, RPCError>) -> Void)?
    /// Runs once when the request ends, answered or abandoned: its owner stops tracking it.
    public var onFinish: (() -> Void)?

    public init(_ deliver: @escaping (Result<JSONValue, RPCError>) -> Void) {
        self.deliver = deliver
    }

    /// True once a reply was sent (or the request was abandoned).
    public var isComplete: Bool { self.deliver == nil }

    public func succeed(_ result: JSONValue) { self.complete(.success(result)) }
    public func fail(_ error: RPCError) { self.complete(.failure(error)) }
    public func fail(_ error: NSAPIError, _ detail: String? = nil) { self.complete(.failure(RPCError(error, detail: detail))) }

    /// Drops the request without a reply: its client has gone.
    public func abandon() {
        guard self.deliver != nil else { return }
        self.deliver = nil
        self.finished()
    }

    public func complete(_ outcome: Result<JSONValue, RPCError>) {
        guard let deliver else { return }
        self.deliver = nil
        deliver(outcome)
        self.finished()
    }

    private func finished() {
        let hook = self.onFinish
        self.onFinish = nil
        hook?()
    }
}

/// What a handler did with a call.
public enum MethodOutcome {
    case result(JSONValue)
    case failure(RPCError)
    /// The handler kept ``MethodCall/responder`` and will answer later.
    case deferred
}

/// One invocation, as a handler sees it.
public struct MethodCall<Context> {
    public let request: RPCRequest
    public let params: Params
    public let context: Context
    public let responder: Responder

    public var method: String { self.request.method }
}

/// The table of methods a server offers: one entry per method, holding its spec
/// (the single source of truth for docs and validation) and its handler.
public struct MethodTable<Context> {
    public typealias Handler = (MethodCall<Context>) throws(RPCError) -> MethodOutcome

    public struct Entry {
        public let spec: MethodSpec
        public let handler: Handler
    }

    public private(set) var entries: [String: Entry] = [:]
    /// Registration order, which is the order of the OpenRPC document.
    public private(set) var names: [String] = []
    public private(set) var notifications: [NotificationSpec] = []
    /// Given, every declared method's results are checked against their schemas (tests).
    public let resultCheck: ResultCheck?

    public init(resultCheck: ResultCheck? = nil) { self.resultCheck = resultCheck }

    public mutating func register(_ spec: MethodSpec, _ handler: @escaping Handler) {
        precondition(self.entries[spec.name] == nil, "method \(spec.name) registered twice")
        self.entries[spec.name] = Entry(spec: spec, handler: handler)
        self.names.append(spec.name)
    }

    public mutating func register(notification: NotificationSpec) {
        self.notifications.append(notification)
    }

    public var specs: [MethodSpec] { self.names.compactMap { self.entries[$0]?.spec } }

    public subscript(name: String) -> Entry? { self.entries[name] }
}
