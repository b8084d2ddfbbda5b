public import NetSockJSON

/// A result (or part of one) that is a JSON object: a plain Swift struct whose members
/// are listed once, with their wire names and docs, in ``members``. Its schema and its
/// JSON both come from that list, so they cannot disagree.
///
///     struct SocketRef: APIObject {
///         var socket: Int
///         static let members: [APIMember<Self>] = [APIMember("socket", \.socket, "The socket id.")]
///     }
public protocol APIObject: APIValue, Sendable {
    static var members: [APIMember<Self>] { get }
    /// The Swift name the generated client gives the type (default: this type's name).
    static var typeName: String { get }
    /// Whether receivers must accept members not listed (default false).
    static var isOpen: Bool { get }
}

extension APIObject {
    public static var typeName: String { String(describing: Self.self) }
    public static var isOpen: Bool { false }

    public static var schema: Schema { .named(self.typeName, .object(self.members.map(\.field), open: self.isOpen)) }

    public var json: JSONValue {
        // Member names are distinct by declaration (the OpenRPC test checks), so no look-ups.
        let declared = Self.members
        var members: [(key: String, value: JSONValue)] = []
        members.reserveCapacity(declared.count)
        for member in declared {
            if let value = member.encode(self) { members.append((member.field.name, value)) }
        }
        return .object(JSONObject(uniqueMembers: members))
    }
}

/// One member of an ``APIObject``: its wire name, its doc, and where its value is.
public struct APIMember<Root>: Sendable {
    public let field: Field
    let encode: @Sendable (Root) -> JSONValue?

    /// A member that is always present; an `Optional` value is written as null.
    public init<Value: APIValue>(_ name: String, _ keyPath: KeyPath<Root, Value>, _ description: String, schema: Schema? = nil) {
        self.field = Field(name, schema ?? Value.schema, description)
        let path = FixedKeyPath(keyPath)
        self.encode = { $0[keyPath: path.keyPath].json }
    }

    /// A member left out altogether when its value is nil.
    public init<Value: APIValue>(
        _ name: String, omittedWhenNil keyPath: KeyPath<Root, Value?>, _ description: String, schema: Schema? = nil
    ) {
        self.field = Field(name, schema ?? Value.schema, required: false, description)
        let path = FixedKeyPath(keyPath)
        self.encode = { $0[keyPath: path.keyPath]?.json }
    }
}

extension APIMember {
    /// The same member, read through `path` from an enclosing type (whose object lists
    /// this one's members among its own).
    public func nested<Outer>(in path: KeyPath<Outer, Root>) -> APIMember<Outer> {
        let inner = self.encode
        let path = FixedKeyPath(path)
        return APIMember<Outer>(field: self.field) { inner($0[keyPath: path.keyPath]) }
    }

    init(field: Field, encode: @escaping @Sendable (Root) -> JSONValue?) {
        self.field = field
        self.encode = encode
    }
}

/// A key path is immutable once formed; this says so to the compiler.
private struct FixedKeyPath<Root, Value>: @unchecked Sendable {
    let keyPath: KeyPath<Root, Value>
    init(_ keyPath: KeyPath<Root, Value>) { self.keyPath = keyPath }
}

/// The empty object most methods answer with.
public struct NoResult: APIObject {
    public init() {}
    public static let members: [APIMember<NoResult>] = []
    public static var schema: Schema { .object([]) }
}
