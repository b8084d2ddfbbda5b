import NSAPI
import NetSockJSON
import NetSockRPC

/// The method table of the JSON-RPC 2.0 specification's examples (§7), plus a few
/// methods that exercise roles, deferred replies and NSAPI errors.
struct Caller: RPCCaller {
    var admin = false
    var discardsReplies = false
    func permits(_ role: MethodRole) -> Bool { role == .user || self.admin }
}

final class Parked {
    var responders: [TypedResponder<String>] = []
}

struct Subtract: MethodDeclaration {
    typealias Result = Int
    static let name = "subtract"
    static let summary = "minuend - subtrahend"
    @Param("minuend", "left") var minuend: Int
    @Param("subtrahend", "right") var subtrahend: Int
}

struct Sum: MethodDeclaration {
    typealias Result = Int
    static let name = "sum"
    static let summary = "sum"
    @Param("values", "numbers") var values: [Int]?
}

struct NotifyHello: MethodDeclaration {
    typealias Result = JSONValue
    static let name = "notify_hello"
    static let summary = ""
    @Param("value", "") var value: JSONValue?
}

struct NotifySum: MethodDeclaration {
    typealias Result = JSONValue
    static let name = "notify_sum"
    static let summary = ""
    @Param("values", "") var values: JSONValue?
}

struct GetData: MethodDeclaration {
    typealias Result = JSONValue
    static let name = "get_data"
    static let summary = ""
}

struct AdminOnly: MethodDeclaration {
    typealias Result = NoResult
    static let name = "admin.only"
    static let summary = ""
    static let role = MethodRole.admin
}

struct FailNSAPI: MethodDeclaration {
    typealias Result = NoResult
    static let name = "fail.nsapi"
    static let summary = ""
    static let errors: [NSAPIError] = [.wouldBlock]
}

struct Park: MethodDeclaration {
    typealias Result = String
    static let name = "park"
    static let summary = "answers later"
}

struct Typed: MethodDeclaration {
    typealias Result = NoResult
    static let name = "typed"
    static let summary = ""
    @Param("name", .string(maxLength: 8), "a name") var name: String
    @Param("mode", .string(oneOf: ["a", "b"]), "") var mode: String?
    @Param("count", .integer(minimum: 0, maximum: 10), "") var count: Int?
    @Param("flag", "") var flag: Bool?
    @Param("topics", .array(.string(oneOf: ["x", "y"]), maxItems: 3), "") var topics: [String]?
}

func specificationTable(parked: Parked = Parked()) -> MethodTable<Caller> {
    var table = MethodTable<Caller>()
    table.register(Subtract.self) { call throws(RPCError) in .result(call.params.minuend - call.params.subtrahend) }
    table.register(Sum.self) { call throws(RPCError) in .result(call.params.values?.reduce(0, +) ?? 0) }
    table.register(NotifyHello.self) { _ throws(RPCError) in .result(.null) }
    table.register(NotifySum.self) { _ throws(RPCError) in .result(.null) }
    table.register(GetData.self) { _ throws(RPCError) in .result(["hello", 5]) }
    table.register(AdminOnly.self) { _ throws(RPCError) in .result(NoResult()) }
    table.register(FailNSAPI.self) { _ throws(RPCError) in throw NSAPIError.wouldBlock.rpcError("nothing to read") }
    table.register(Park.self) { call throws(RPCError) in
        parked.responders.append(call.responder)
        return .deferred
    }
    table.register(Typed.self) { _ throws(RPCError) in .result(NoResult()) }
    return table
}

/// Dispatches `text` and returns the reply synchronously (nil when nothing is sent).
func exchange(_ text: String, admin: Bool = false, table: MethodTable<Caller> = specificationTable()) -> JSONValue? {
    let dispatcher = RPCDispatcher(table: table, maxBatch: 100)
    var reply: JSONValue?? = .none
    do {
        let message = try JSONCodec.parse(text)
        dispatcher.dispatch(message, context: Caller(admin: admin)) { bytes in
            reply = .some(bytes.map { try! JSONCodec.parse($0) })
        }
    } catch {
        reply = .some(RPCResponse(id: .null, error: .parseError(error.description)).json)
    }
    guard case .some(let value) = reply else {
        fatalError("no reply delivered synchronously")
    }
    return value
}
