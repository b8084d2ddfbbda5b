import NSAPI
import NetSockJSON
import NetSockRPC
import Testing

/// A method declared the typed way: params as `@Param` properties, a result object.
struct Move: MethodDeclaration {
    typealias Result = Moved
    static let name = "test.move"
    static let summary = "Moves a thing."
    static let errors: [NSAPIError] = [.parameter]

    @Param("thing", "What to move.") var thing: String
    @Param("to", "Where to.") var destination: IPAddress
    @Param("port", "Port.") var port: UInt16
    @Param("speed", .integer(minimum: 1, maximum: 10), "How fast.") var speed = 3
    @Param("via", "A waypoint.") var via: String?
    @Param("protocol", SocketProtocol.schema(of: [.tcp, .udp]), "How.") var proto = SocketProtocol.tcp
    @Param("force", role: .admin, "Move even what is fixed.") var force = false
}

struct Moved: APIObject {
    var thing: String
    var speed: Int
    var via: String?
    var note: String?

    static let members: [APIMember<Moved>] = [
        APIMember("thing", \.thing, "What moved."), APIMember("speed", \.speed, "How fast."),
        APIMember("via", \.via, "The waypoint, or null."), APIMember("note", omittedWhenNil: \.note, "Only when there is one."),
    ]
}

/// A result type whose JSON does not fit the schema it declares (a bug the check finds).
struct Liar: APIValue {
    static var schema: Schema { .object([Field("n", .integer, "")]) }
    var json: JSONValue { ["n": "not a number"] }
}

struct Lie: MethodDeclaration {
    typealias Result = Liar
    static let name = "test.lie"
    static let summary = "Answers what it does not declare."
}

@Suite struct MethodDeclarationTests {
    static func table(check: ResultCheck? = nil) -> MethodTable<Caller> {
        var table = MethodTable<Caller>(resultCheck: check)
        table.register(Move.self) { call throws(RPCError) in
            let params = call.params
            return .result(Moved(thing: "\(params.thing)@\(params.destination):\(params.port)/\(params.proto.apiName)", speed: params.speed, via: params.via))
        }
        table.register(Lie.self) { _ throws(RPCError) in .result(Liar()) }
        return table
    }

    static func call(_ params: JSONObject, admin: Bool = false, check: ResultCheck? = nil, method: String = "test.move") -> JSONValue? {
        var reply: JSONValue?
        RPCDispatcher(table: self.table(check: check)).dispatch(
            .object(["jsonrpc": "2.0", "method": .string(method), "params": .object(params), "id": 1]), context: Caller(admin: admin)
        ) { bytes in reply = bytes.flatMap { try? JSONCodec.parse($0) } }
        return reply
    }

    @Test func theSpecComesFromTheDeclaration() {
        let spec = Move.spec
        #expect(spec.name == "test.move" && spec.errors == [.parameter])
        #expect(spec.params.map(\.name) == ["thing", "to", "port", "speed", "via", "protocol", "force"])
        #expect(spec.params.map(\.required) == [true, true, true, false, false, false, false])
        #expect(spec.params[2].schema.jsonSchema == ["type": "integer", "minimum": 0, "maximum": 65535], "from the type")
        #expect(spec.params[3].schema.jsonSchema == ["type": "integer", "minimum": 1, "maximum": 10], "as declared")
        #expect(spec.params[4].schema.jsonSchema == ["type": "string"], "an optional param documents its wrapped type")
        #expect(spec.params[5].schema.jsonSchema == ["type": "string", "enum": ["tcp", "udp"]])
        #expect(spec.result.jsonSchema["required"] == ["thing", "speed", "via"])
        #expect(spec.result.jsonSchema["properties"]?["via"]?["oneOf"] == [["type": "string"], ["type": "null"]])
    }

    @Test func paramsArriveTypedWithTheirDefaults() {
        let reply = Self.call(["thing": "box", "to": "192.0.2.1", "port": 7])
        #expect(reply?["result"] == ["thing": "box@192.0.2.1:7/tcp", "speed": 3, "via": .null])
        let full = Self.call(["thing": "box", "to": "2001:db8::1", "port": 7, "speed": 9, "via": "x", "protocol": "udp", "force": false])
        #expect(full?["result"] == ["thing": "box@2001:db8::1:7/udp", "speed": 9, "via": "x"])
        #expect(Self.call(["thing": "box", "to": "192.0.2.1", "port": 7, "speed": .null, "via": .null])?["result"]?["speed"] == 3,
            "null means not given")
    }

    @Test func badParamsNameTheCulprit() {
        for (params, culprit) in [
            (["to": "192.0.2.1", "port": 7] as JSONObject, "thing"), (["thing": "b", "to": "nowhere", "port": 7], "to"),
            (["thing": "b", "to": "192.0.2.1", "port": 70000], "port"), (["thing": "b", "to": "192.0.2.1", "port": 7, "speed": 11], "speed"),
            (["thing": "b", "to": "192.0.2.1", "port": 7, "protocol": "icmp"], "protocol"),
            (["thing": "b", "to": "192.0.2.1", "port": 7, "extra": 1], "extra"),
        ] {
            let reply = Self.call(params)
            #expect(reply?["error"]?["code"] == -32602, "\(params)")
            #expect(reply?["error"]?["data"]?["param"] == .string(culprit), "\(params)")
        }
    }

    @Test func aParamThatNeedsMoreRightsRefusesTheCall() {
        let params: JSONObject = ["thing": "b", "to": "192.0.2.1", "port": 7, "force": true]
        let refused = Self.call(params)
        #expect(refused?["error"]?["code"] == -32001)
        #expect(refused?["error"]?["data"]?["method"] == "test.move {force}")
        #expect(Self.call(params, admin: true)?["result"] != nil)
        #expect(Self.call(["thing": "b", "to": "192.0.2.1", "port": 7, "force": false])?["result"] != nil, "the default needs no rights")
    }

    @Test func resultsAreCheckedAgainstTheirSchemaWhenAsked() {
        var seen: [(String, Bool)] = []
        let check: ResultCheck = { method, _, mismatch in seen.append((method, mismatch == nil)) }
        #expect(Self.call([:], method: "test.lie")?["result"] == ["n": "not a number"], "unchecked, it goes out")
        let checked = Self.call([:], check: check, method: "test.lie")
        #expect(checked?["error"]?["code"] == -32603)
        #expect(checked?["error"]?["data"]?["detail"]?.stringValue?.contains("test.lie") == true)
        _ = Self.call(["thing": "b", "to": "192.0.2.1", "port": 7], check: check)
        #expect(seen.map(\.0) == ["test.lie", "test.move"])
        #expect(seen.map(\.1) == [false, true])
    }
}
