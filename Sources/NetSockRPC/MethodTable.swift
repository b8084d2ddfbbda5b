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
    /// The Swift name of the declaration, which the generated client's type takes too.
    public var typeName: String

    public init(
        _ name: String, summary: String, description: String = "", params: [Field] = [],
        result: Schema = .object([]), resultDescription: String = "", role: MethodRole = .user,
        errors: [NSAPIError] = [], tags: [String] = [], resultIsConstant: Bool = false, typeName: String? = nil
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
        self.typeName = typeName ?? name.split(whereSeparator: { $0 == "." || $0 == "_" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}

/// A notification the server sends, documented beside the methods.
public struct NotificationSpec: Sendable {
    public var name: String
    public var summary: String
    public var description: String
    public var params: [Field]
    /// The Swift name of the declaration, which the generated client's type takes too.
    public var typeName: String

    public init(_ name: String, summary: String, description: String = "", params: [Field], typeName: String? = nil) {
        self.name = name
        self.summary = summary
        self.description = description
        self.params = params
        self.typeName = typeName ?? name.split(whereSeparator: { $0 == "." || $0 == "_" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
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

/// What a handler did with a call, before the typed layer (``Outcome``) was put on it.
enum MethodOutcome {
    case result(JSONValue)
    case failure(RPCError)
    /// The handler kept ``MethodCall/responder`` and will answer later.
    case deferred
}

/// One invocation as the table sees it; handlers see the typed ``Call``.
struct MethodCall<Context> {
    let request: RPCRequest
    let context: Context
    let responder: Responder
}

/// The table of methods a server offers: one entry per method, holding its spec
/// (the single source of truth for docs and validation) and its handler. Methods
/// enter it as ``MethodDeclaration``s with typed handlers.
public struct MethodTable<Context> {
    typealias Handler = (MethodCall<Context>) throws(RPCError) -> MethodOutcome

    public struct Entry {
        public let spec: MethodSpec
        let handler: Handler
    }

    public private(set) var entries: [String: Entry] = [:]
    /// Registration order, which is the order of the OpenRPC document.
    public private(set) var names: [String] = []
    public private(set) var notifications: [NotificationSpec] = []
    /// Given, every declared method's results are checked against their schemas (tests).
    public let resultCheck: ResultCheck?

    public init(resultCheck: ResultCheck? = nil) { self.resultCheck = resultCheck }

    /// Registers a method by its spec; declared methods come through the typed
    /// `register(_:_:)`, so that no handler reads a param by name.
    mutating func register(_ spec: MethodSpec, _ handler: @escaping Handler) {
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
