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
    var responders: [Responder] = []
}

func specificationTable(parked: Parked = Parked()) -> MethodTable<Caller> {
    var table = MethodTable<Caller>()
    table.register(
        MethodSpec(
            "subtract", summary: "minuend - subtrahend",
            params: [Field("minuend", .integer, "left"), Field("subtrahend", .integer, "right")], result: .integer)
    ) { call in .result(.integer(call.params.int("minuend") - call.params.int("subtrahend"))) }
    table.register(MethodSpec("sum", summary: "sum", params: [.optional("values", .array(.integer), "numbers")])) { call in
        .result(.integer(call.params["values"]?.arrayValue?.compactMap(\.intValue).reduce(0, +) ?? 0))
    }
    table.register(MethodSpec("notify_hello", summary: "", params: [.optional("value", .any, "")])) { _ in .result(.null) }
    table.register(MethodSpec("notify_sum", summary: "", params: [.optional("values", .any, "")])) { _ in .result(.null) }
    table.register(MethodSpec("get_data", summary: "")) { _ in .result(["hello", 5]) }
    table.register(MethodSpec("admin.only", summary: "", role: .admin)) { _ in .result(.object([:])) }
    table.register(MethodSpec("fail.nsapi", summary: "", errors: [.wouldBlock])) { _ in
        .failure(NSAPIError.wouldBlock.rpcError("nothing to read"))
    }
    table.register(MethodSpec("park", summary: "answers later")) { call in
        parked.responders.append(call.responder)
        return .deferred
    }
    table.register(
        MethodSpec(
            "typed", summary: "",
            params: [
                Field("name", .string(maxLength: 8), "a name"), .optional("mode", .string(oneOf: ["a", "b"]), ""),
                .optional("count", .integer(minimum: 0, maximum: 10), ""), .optional("flag", .boolean, ""),
                .optional("topics", .array(.string(oneOf: ["x", "y"]), maxItems: 3), ""),
            ])
    ) { _ in .result(.object([:])) }
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
