public import NetSockJSON
public import NetSockRPC

/// A method of the API as the generated client declares it (`API.SocketOpen`, ...):
/// its name, its params, and the type of its result.
public protocol APIMethod {
    associatedtype Result: APIResult
    static var name: String { get }
    var params: JSONObject { get }
}

/// A value the client reads out of a result or a notification.
public protocol APIResult: Sendable {
    init(result json: JSONValue, path: String) throws(RPCError)
}

/// A notification as the generated client declares it.
public protocol APINotification: APIResult {
    static var method: String { get }
}

extension APIResult where Self: APIDecodable {
    public init(result json: JSONValue, path: String) throws(RPCError) { try self.init(json: json, path: path) }
}

extension String: APIResult {}
extension Int: APIResult {}
extension Int64: APIResult {}
extension Bool: APIResult {}
extension Double: APIResult {}
extension JSONValue: APIResult {}
extension JSONObject: APIResult {}

extension Array: APIResult where Element: APIResult {
    public init(result json: JSONValue, path: String) throws(RPCError) {
        guard case .array(let elements) = json else { throw .invalidParams(param: path, "\(path) must be an array") }
        var values: [Element] = []
        values.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() { values.append(try Element(result: element, path: "\(path)[\(index)]")) }
        self = values
    }
}

extension Optional: APIResult where Wrapped: APIResult {
    public init(result json: JSONValue, path: String) throws(RPCError) {
        self = json.isNull ? nil : try Wrapped(result: json, path: path)
    }
}

/// The empty object most methods answer with.
public struct APINoResult: APIResult, Equatable {
    public init() {}
    public init(result json: JSONValue, path: String) throws(RPCError) {
        guard case .object = json else { throw .invalidParams(param: path, "\(path) must be an object") }
    }
}

/// A result both as it came (to show it) and as its declared type (to read it).
public struct APIReply<Value> {
    public let json: JSONValue
    public let value: Value
}

extension APIMethod {
    /// The request for this call under `id` (a notification without one), for pipelining.
    public func request(id: Int64?) -> RPCRequest { RPCRequest(method: Self.name, params: self.params, id: id.map { .integer($0) }) }

    /// The result JSON read as the declared type.
    public static func read(_ json: JSONValue) throws(ClientError) -> Result {
        do {
            return try Result(result: json, path: "result")
        } catch {
            throw .protocolViolation("\(Self.name) answered a result of another shape: \(error.description)")
        }
    }
}

extension RPCClient {
    /// Calls a method of the API and reads its result as the declared type.
    public func call<Method: APIMethod>(_ method: Method, timeoutMilliseconds: Int = 30_000) throws(ClientError) -> Method.Result {
        try self.reply(method, timeoutMilliseconds: timeoutMilliseconds).value
    }

    /// Calls a method of the API; the result as it came and as the declared type.
    public func reply<Method: APIMethod>(_ method: Method, timeoutMilliseconds: Int = 30_000) throws(ClientError) -> APIReply<Method.Result> {
        let json = try self.call(Method.name, method.params, timeoutMilliseconds: timeoutMilliseconds)
        return APIReply(json: json, value: try Method.read(json))
    }

    /// Calls several methods of one kind in one batch; results in the order given.
    public func callBatch<Method: APIMethod>(_ methods: [Method], timeoutMilliseconds: Int = 30_000) throws(ClientError)
        -> [Result<APIReply<Method.Result>, RPCError>]
    {
        try self.callBatch(methods.map { (Method.name, $0.params) }, timeoutMilliseconds: timeoutMilliseconds).map { outcome in
            outcome.flatMap { json in
                Result { () throws(RPCError) in APIReply(json: json, value: try Method.Result(result: json, path: "result")) }
            }
        }
    }
}

extension RPCClient {
    /// `socket.attach`: the descriptor that carries the socket's payload from now on
    /// (`SOCK_STREAM` for TCP, `SOCK_SEQPACKET` with framed datagrams otherwise), which the
    /// caller owns and closes.
    public func attach(socket: Int, timeoutMilliseconds: Int = 30_000) throws(ClientError) -> (type: String, descriptor: Int32) {
        let attached = try self.call(API.SocketAttach(socket: socket), timeoutMilliseconds: timeoutMilliseconds)
        guard let descriptor = self.takeDescriptor() else { throw .protocolViolation("socket.attach answered without a descriptor") }
        return (attached.type, descriptor)
    }
}

extension APINotification {
    /// The notification's params read as this type, when `notification` is one.
    public init?(_ notification: RPCNotification) {
        guard notification.method == Self.method, let value = try? Self(result: .object(notification.params), path: "params") else {
            return nil
        }
        self = value
    }
}
