#if canImport(Glibc)
import Glibc
#endif
public import NSAPI
public import NetSockJSON

/// A method of the API, declared once: a struct whose stored properties are its params
/// (each a ``Param``, in the manner of swift-argument-parser's `@Option`), with its
/// name, docs, role and result type as static members. Validation, `rpc.discover`,
/// `docs/openrpc.json`, `netsockctl help` and the generated client all derive from it,
/// and its handler reads the params as typed properties of a decoded instance, so it
/// cannot read a param that was not declared.
///
///     struct SocketClose: MethodDeclaration {
///         static let name = "socket.close"
///         static let summary = "Closes a socket."
///         typealias Result = NoResult
///         @Param("socket", "Socket id.") var socket: Int
///     }
public protocol MethodDeclaration {
    associatedtype Result: APIValue
    static var name: String { get }
    static var summary: String { get }
    static var description: String { get }
    static var resultDescription: String { get }
    static var role: MethodRole { get }
    /// NSAPI failures the method documents, beyond the protocol errors every method has.
    static var errors: [NSAPIError] { get }
    static var tags: [String] { get }
    /// The result never changes for the life of the table: encoded once, then reused.
    static var resultIsConstant: Bool { get }
    /// The declaration with every param at its declared state (for reading the params).
    init()
}

extension MethodDeclaration {
    public static var description: String { "" }
    public static var resultDescription: String { "" }
    public static var role: MethodRole { .user }
    public static var errors: [NSAPIError] { [] }
    public static var tags: [String] { [] }
    public static var resultIsConstant: Bool { false }

    /// The params, in declaration order (documentation only: reflection is slow).
    var declaredParams: [any DeclaredParam] {
        Mirror(reflecting: self).children.compactMap { $0.value as? any DeclaredParam }
    }

    public static var spec: MethodSpec {
        MethodSpec(
            self.name, summary: self.summary, description: self.description, params: Self().declaredParams.map { $0.field },
            result: self.Result.schema, resultDescription: self.resultDescription, role: self.role, errors: self.errors,
            tags: self.tags, resultIsConstant: self.resultIsConstant, typeName: String(describing: Self.self))
    }

    /// The declaration with its params read from `object`, which has passed the spec's
    /// validation; a param that needs more rights than the method refuses the call here.
    ///
    /// Each ``Param`` reads its own value as the declaration is initialised: no
    /// reflection and no per-param allocation on the path every request takes.
    static func decode(_ object: JSONObject, permits: (MethodRole) -> Bool) throws(RPCError) -> Self {
        try withoutActuallyEscaping(permits) { permits throws(RPCError) in
            let decoding = ParamDecoding(object: object, method: self.name, permits: permits)
            let declaration = decoding.decoding { Self() }
            if let error = decoding.error { throw error }
            return declaration
        }
    }
}

/// One param of a ``MethodDeclaration``.
///
/// `@Param("port", "Port number.") var port: UInt16` is required; a param of an
/// `Optional` type may be left out (or be null, which means the same); one with a value
/// (`@Param("backlog", "...") var backlog = 1`) takes that value when left out. The
/// schema comes from the type unless given (`.integer(minimum: 1)`), and `role` names
/// the rights a caller needs to give the param a value other than its default.
@propertyWrapper
public struct Param<Value: APIDecodable> {
    let name: String
    let summary: String
    let schema: Schema?
    public let role: MethodRole?
    private let defaultValue: Value?
    private let value: Value?

    public var wrappedValue: Value {
        guard let value = self.value else { preconditionFailure("param \(self.name) read before its call was decoded") }
        return value
    }

    /// A required param, or for an `Optional` type one that may be left out.
    public init(_ name: String, _ description: String) { self.init(name, nil, nil, description, defaultValue: nil) }
    public init(_ name: String, _ schema: Schema, _ description: String) { self.init(name, schema, nil, description, defaultValue: nil) }
    public init(_ name: String, role: MethodRole, _ description: String) { self.init(name, nil, role, description, defaultValue: nil) }

    /// A param that takes `wrappedValue` when left out.
    public init(wrappedValue: Value, _ name: String, _ description: String) {
        self.init(name, nil, nil, description, defaultValue: wrappedValue)
    }
    public init(wrappedValue: Value, _ name: String, _ schema: Schema, _ description: String) {
        self.init(name, schema, nil, description, defaultValue: wrappedValue)
    }
    public init(wrappedValue: Value, _ name: String, role: MethodRole, _ description: String) {
        self.init(name, nil, role, description, defaultValue: wrappedValue)
    }

    private init(_ name: String, _ schema: Schema?, _ role: MethodRole?, _ description: String, defaultValue: Value?) {
        self.name = name
        self.summary = description
        self.schema = schema
        self.role = role
        // An optional param left out is nil, as if given its default.
        let defaultValue = defaultValue ?? Value.valueWhenAbsent
        self.defaultValue = defaultValue
        self.value = ParamDecoding.current?.load(name, role: role, defaultValue: defaultValue)
    }
}

/// A ``Param`` seen without its value type, as documentation sees it.
protocol DeclaredParam {
    var field: Field { get }
}

extension Param: DeclaredParam {
    var field: Field {
        let optional = Value.self as? any OptionalAPIValue.Type
        let required = optional == nil && self.defaultValue == nil
        return Field(self.name, self.schema ?? optional?.wrappedSchema ?? Value.schema, required: required, self.summary)
    }
}

/// The request a declaration is being decoded from, while its ``Param``s initialise.
/// Kept per thread: tests decode on many threads at once.
final class ParamDecoding {
    let object: JSONObject
    let method: String
    let permits: (MethodRole) -> Bool
    /// The first param that could not be read; the rest are skipped.
    private(set) var error: RPCError?

    init(object: JSONObject, method: String, permits: @escaping (MethodRole) -> Bool) {
        self.object = object
        self.method = method
        self.permits = permits
    }

    func load<Value: APIDecodable>(_ name: String, role: MethodRole?, defaultValue: Value?) -> Value? {
        guard self.error == nil else { return nil }
        do throws(RPCError) {
            let member = self.object[name]
            if let role, !self.permits(role), let member, !member.isNull, member != defaultValue?.json {
                throw .notPermitted(method: "\(self.method) {\(name)}", role: role.rawValue)
            }
            if let member, !(member.isNull && defaultValue != nil) { return try Value(json: member, path: name) }
            if let defaultValue { return defaultValue }
            throw .invalidParams(param: name, "missing required param \(name)")
        } catch {
            self.error = error
            return nil
        }
    }

    /// Runs `body` (a declaration's `init()`) with this decoding current on this thread.
    func decoding<Result>(_ body: () -> Result) -> Result {
        let outer = pthread_getspecific(Self.key)
        pthread_setspecific(Self.key, Unmanaged.passUnretained(self).toOpaque())
        defer { pthread_setspecific(Self.key, outer) }
        return body()
    }

    static var current: ParamDecoding? {
        pthread_getspecific(self.key).map { Unmanaged<ParamDecoding>.fromOpaque($0).takeUnretainedValue() }
    }

    nonisolated(unsafe) private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
}

/// What a typed handler did with its call.
public enum Outcome<Result: APIValue> {
    case result(Result)
    /// The handler kept the ``Call`` and will answer through it later.
    case deferred
}

/// One call of a declared method, as its handler sees it: the decoded params, the
/// caller, and the way to answer later.
public struct Call<Method: MethodDeclaration, Context> {
    public let params: Method
    public let context: Context
    /// The request's id (`nil` for a notification), for notifications that name it.
    public let requestID: JSONValue?
    public let responder: TypedResponder<Method.Result>
}

/// Answers one request with a typed result, now or later, exactly once.
public struct TypedResponder<Result: APIValue> {
    let responder: Responder
    let encode: (Result) throws(RPCError) -> JSONValue

    public var isComplete: Bool { self.responder.isComplete }
    public func succeed(_ result: Result) { self.complete(.success(result)) }
    public func fail(_ error: RPCError) { self.responder.fail(error) }
    public func fail(_ error: NSAPIError, _ detail: String? = nil) { self.responder.fail(error, detail) }
    /// Drops the request without a reply: its client has gone.
    public func abandon() { self.responder.abandon() }

    public func complete(_ outcome: Swift.Result<Result, RPCError>) {
        switch outcome {
        case .success(let result):
            do {
                self.responder.succeed(try self.encode(result))
            } catch {
                self.responder.fail(error)
            }
        case .failure(let error):
            self.responder.fail(error)
        }
    }

    /// Completes with an NSAPI operation's outcome, its failure as the error of that code.
    public func complete<Success>(_ outcome: Swift.Result<Success, NSAPIError>, _ transform: (Success) -> Result) {
        self.complete(outcome.map(transform).mapError { RPCError($0) })
    }

    /// Runs `body` when the request ends, answered or abandoned.
    public func onFinish(_ body: @escaping () -> Void) { self.responder.onFinish = body }
}

/// Checks each result a handler gives against its declared schema (tests turn it on):
/// told the method, the encoded result, and whether it matched.
public typealias ResultCheck = (_ method: String, _ result: JSONValue, _ mismatch: RPCError?) -> Void

extension MethodTable where Context: RPCCaller {
    /// Registers a declared method and its typed handler.
    public mutating func register<Method: MethodDeclaration>(
        _ method: Method.Type, _ handler: @escaping (Call<Method, Context>) throws(RPCError) -> Outcome<Method.Result>
    ) {
        let check = self.resultCheck
        let encode = { (result: Method.Result) throws(RPCError) -> JSONValue in
            let json = result.json
            guard let check else { return json }
            var mismatch: RPCError?
            do throws(RPCError) {
                try Method.Result.schema.validate(json, path: "result")
            } catch {
                mismatch = .internalError("the result of \(Method.name) does not match its declared schema: \(error.description)")
            }
            check(Method.name, json, mismatch)
            if let mismatch { throw mismatch }
            return json
        }
        self.register(Method.spec) { untyped throws(RPCError) in
            let params = try Method.decode(untyped.request.params, permits: untyped.context.permits)
            let call = Call<Method, Context>(
                params: params, context: untyped.context, requestID: untyped.request.id,
                responder: TypedResponder(responder: untyped.responder, encode: encode))
            switch try handler(call) {
            case .result(let result): return .result(try encode(result))
            case .deferred: return .deferred
            }
        }
    }
}
