public import NSAPI
public import NetSockJSON

/// A Swift type that travels in results (and, when ``APIDecodable``, in params): its
/// JSON Schema and its JSON. The schema of a method comes from the types of its params
/// and results, so documentation and validation cannot drift from what the handlers
/// read and write.
public protocol APIValue: SendableMetatype {
    static var schema: Schema { get }
    var json: JSONValue { get }
}

/// A value that can also be read from JSON, as params are.
public protocol APIDecodable: APIValue {
    /// From a value `schema` has accepted; throws -32602 naming `path` for what a schema
    /// cannot say (an address's syntax, say).
    init(json: JSONValue, path: String) throws(RPCError)
    /// The value a param of this type has when left out, if it may be: `nil` (none, the
    /// param is required) except for `Optional`, which is absent as `.some(nil)`.
    static var valueWhenAbsent: Self? { get }
}

extension APIDecodable {
    public static var valueWhenAbsent: Self? { nil }
}

extension APIDecodable {
    /// What the receiving side reports for a value that is not of this type.
    static func mismatch(_ json: JSONValue, _ path: String) -> RPCError {
        .invalidParams(param: path, "\(path) must be \(Self.schema.typeDescription), not \(json.typeName)")
    }
}

extension String: APIDecodable {
    public static var schema: Schema { .string }
    public var json: JSONValue { .string(self) }
    public init(json: JSONValue, path: String) throws(RPCError) {
        guard case .string(let text) = json else { throw Self.mismatch(json, path) }
        self = text
    }
}

extension Bool: APIDecodable {
    public static var schema: Schema { .boolean }
    public var json: JSONValue { .bool(self) }
    public init(json: JSONValue, path: String) throws(RPCError) {
        guard case .bool(let flag) = json else { throw Self.mismatch(json, path) }
        self = flag
    }
}

extension Int: APIDecodable {
    public static var schema: Schema { .integer }
    public var json: JSONValue { .integer(Int64(self)) }
    public init(json: JSONValue, path: String) throws(RPCError) {
        // 5.0 is an integer written as a real; JSON does not tell them apart.
        switch json {
        case .integer(let number): self = Int(number)
        case .double(let real) where real.rounded() == real && abs(real) < 9.0e15: self = Int(real)
        default: throw Self.mismatch(json, path)
        }
    }
}

extension Int64: APIDecodable {
    public static var schema: Schema { .integer }
    public var json: JSONValue { .integer(self) }
    public init(json: JSONValue, path: String) throws(RPCError) { self = Int64(try Int(json: json, path: path)) }
}

extension Int32: APIDecodable {
    public static var schema: Schema { .integer(minimum: Int64(Int32.min), maximum: Int64(Int32.max)) }
    public var json: JSONValue { .integer(Int64(self)) }
    public init(json: JSONValue, path: String) throws(RPCError) {
        guard let value = Int32(exactly: try Int(json: json, path: path)) else {
            throw .invalidParams(param: path, "\(path) is out of range")
        }
        self = value
    }
}

extension UInt16: APIDecodable {
    public static var schema: Schema { .integer(minimum: 0, maximum: 65535) }
    public var json: JSONValue { .integer(Int64(self)) }
    public init(json: JSONValue, path: String) throws(RPCError) {
        guard let value = UInt16(exactly: try Int(json: json, path: path)) else {
            throw .invalidParams(param: path, "\(path) must be at most 65535")
        }
        self = value
    }
}

extension UInt32: APIDecodable {
    public static var schema: Schema { .integer(minimum: 0, maximum: Int64(UInt32.max)) }
    public var json: JSONValue { .integer(Int64(self)) }
    public init(json: JSONValue, path: String) throws(RPCError) {
        guard let value = UInt32(exactly: try Int(json: json, path: path)) else {
            throw .invalidParams(param: path, "\(path) must be at most \(UInt32.max)")
        }
        self = value
    }
}

extension Double: APIDecodable {
    public static var schema: Schema { .number }
    public var json: JSONValue { .double(self) }
    public init(json: JSONValue, path: String) throws(RPCError) {
        guard let value = json.doubleValue else { throw Self.mismatch(json, path) }
        self = value
    }
}

/// Any JSON at all (documented, not checked).
extension JSONValue: APIDecodable {
    public static var schema: Schema { .any }
    public var json: JSONValue { self }
    public init(json: JSONValue, path: String) { self = json }
}

/// An object with members the API does not fix (event data).
extension JSONObject: APIDecodable {
    public static var schema: Schema { .object([], open: true) }
    public var json: JSONValue { .object(self) }
    public init(json: JSONValue, path: String) throws(RPCError) {
        guard case .object(let object) = json else { throw Self.mismatch(json, path) }
        self = object
    }
}

extension Array: APIValue where Element: APIValue {
    public static var schema: Schema { .array(Element.schema) }
    public var json: JSONValue { .array(self.map { $0.json }) }
}

extension Array: APIDecodable where Element: APIDecodable {
    public init(json: JSONValue, path: String) throws(RPCError) {
        guard case .array(let elements) = json else { throw Self.mismatch(json, path) }
        var values: [Element] = []
        values.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() { values.append(try Element(json: element, path: "\(path)[\(index)]")) }
        self = values
    }
}

/// `null` or the value. In params an optional is a param that may be left out (or given
/// as null, which means the same); in results it is a member that may be null.
extension Optional: APIValue where Wrapped: APIValue {
    public static var schema: Schema { .oneOf([Wrapped.schema, .null]) }
    public var json: JSONValue { self.map { $0.json } ?? .null }
}

extension Optional: APIDecodable where Wrapped: APIDecodable {
    public static var valueWhenAbsent: Self? { .some(nil) }
    public init(json: JSONValue, path: String) throws(RPCError) {
        self = json.isNull ? nil : try Wrapped(json: json, path: path)
    }
}

/// Lets param and member declarations see through `Optional` without knowing `Wrapped`.
public protocol OptionalAPIValue {
    static var wrappedSchema: Schema { get }
    static var absent: Self { get }
}

extension Optional: OptionalAPIValue where Wrapped: APIValue {
    public static var wrappedSchema: Schema { Wrapped.schema }
    public static var absent: Self { nil }
}

/// An enumeration that travels by its API name; its schema lists the names, and the
/// generated client gets a Swift enum of the same name.
public protocol APIEnumeration: APIDecodable, CaseIterable {
    var apiName: String { get }
    /// The name the generated client gives the type (default: this type's name).
    static var typeName: String { get }
}

extension APIEnumeration {
    public static var typeName: String { String(describing: Self.self) }

    public static var schema: Schema { self.schema(of: Array(Self.allCases)) }

    /// The schema of a subset of the cases (what one method accepts).
    public static func schema(of cases: [Self]) -> Schema {
        .named(self.typeName, .string(oneOf: cases.map(\.apiName)))
    }

    public var json: JSONValue { .string(self.apiName) }

    public init(json: JSONValue, path: String) throws(RPCError) {
        guard case .string(let name) = json, let match = Self.allCases.first(where: { $0.apiName == name }) else {
            throw .invalidParams(param: path, "\(path) must be one of \(Self.allCases.map(\.apiName).joined(separator: ", "))")
        }
        self = match
    }
}

extension IPVersion: APIEnumeration {}
extension SocketProtocol: APIEnumeration {}
extension SocketOption: APIEnumeration {}
extension SecurityType: APIEnumeration {}
extension ConnectionStatus: APIEnumeration {}
extension MethodRole: APIEnumeration {
    public var apiName: String { self.rawValue }
}
extension ByteEncoding: APIEnumeration {
    public var apiName: String { self.rawValue }
}
extension ShutdownDirection: APIEnumeration {
    public var apiName: String { self.rawValue }
}
extension InterfaceType: APIEnumeration {
    public var apiName: String { self.rawValue }
}

/// An IP address in its text form (RFC 5952 on output).
extension IPAddress: APIDecodable {
    public static var schema: Schema { .string }
    public var json: JSONValue { .string(self.description) }
    public init(json: JSONValue, path: String) throws(RPCError) {
        guard case .string(let text) = json, let address = IPAddress(parsing: text) else {
            throw .invalidParams(param: path, "\(path) must be an IPv4 or IPv6 address")
        }
        self = address
    }
}
