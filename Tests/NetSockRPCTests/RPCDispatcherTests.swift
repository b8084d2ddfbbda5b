import NSAPI
import NetSockJSON
import NetSockRPC
import Testing

/// The examples of the JSON-RPC 2.0 specification, §7, with named params where the
/// specification uses positional ones (this server takes params by name).
@Suite struct SpecificationExampleTests {
    @Test func callWithNamedParameters() throws {
        let a = exchange(#"{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}"#)
        #expect(a == (try JSONCodec.parse(#"{"jsonrpc": "2.0", "result": 19, "id": 3}"#)))
        let b = exchange(#"{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}"#)
        #expect(b == (try JSONCodec.parse(#"{"jsonrpc": "2.0", "result": 19, "id": 4}"#)))
    }

    @Test func positionalParametersAreInvalidParamsHere() {
        let reply = exchange(#"{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}"#)
        #expect(reply?["error"]?["code"] == -32602)
        #expect(reply?["id"] == 1)
    }

    @Test func notificationsGetNoReply() {
        #expect(exchange(#"{"jsonrpc": "2.0", "method": "update", "params": {"a": 1}}"#) == nil)
        #expect(exchange(#"{"jsonrpc": "2.0", "method": "foobar"}"#) == nil)
        // Even invalid params and unknown methods stay silent for a notification.
        #expect(exchange(#"{"jsonrpc": "2.0", "method": "subtract", "params": {"x": 1}}"#) == nil)
        #expect(exchange(#"{"jsonrpc": "2.0", "method": "subtract", "params": [1, 2]}"#) == nil)
    }

    @Test func nonExistentMethod() throws {
        let reply = exchange(#"{"jsonrpc": "2.0", "method": "foobar", "id": "1"}"#)
        #expect(reply?["error"]?["code"] == -32601)
        #expect(reply?["error"]?["message"] == "Method not found")
        #expect(reply?["id"] == "1")
    }

    @Test func invalidRequestObject() {
        let reply = exchange(#"{"jsonrpc": "2.0", "method": 1, "params": "bar"}"#)
        #expect(reply?["error"]?["code"] == -32600)
        #expect(reply?["id"] == .null)
    }

    @Test func batchInvalidJSONIsOneParseError() throws {
        let text = #"[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},{"jsonrpc": "2.0", "method""#
        #expect(throws: JSONParseError.self) { try JSONCodec.parse(text) }
        let reply = exchange(text)
        #expect(reply?["error"]?["code"] == -32700)
        #expect(reply?["id"] == .null)
    }

    @Test func emptyArrayIsOneInvalidRequest() {
        let reply = exchange("[]")
        #expect(reply?.objectValue != nil, "a single object, not an array")
        #expect(reply?["error"]?["code"] == -32600)
        #expect(reply?["id"] == .null)
    }

    @Test func invalidBatchButNotEmpty() {
        let reply = exchange("[1]")
        #expect(reply?.arrayValue?.count == 1)
        #expect(reply?.arrayValue?.first?["error"]?["code"] == -32600)
    }

    @Test func invalidBatch() {
        let reply = exchange("[1,2,3]")
        #expect(reply?.arrayValue?.count == 3)
        for entry in reply?.arrayValue ?? [] {
            #expect(entry["error"]?["code"] == -32600)
            #expect(entry["id"] == .null)
        }
    }

    @Test func batchMixingEverything() throws {
        let text = """
            [
                {"jsonrpc": "2.0", "method": "sum", "params": {"values": [1,2,4]}, "id": "1"},
                {"jsonrpc": "2.0", "method": "notify_hello", "params": {"value": 7}},
                {"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": "2"},
                {"foo": "boo"},
                {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
                {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
            ]
            """
        let reply = try #require(exchange(text)?.arrayValue)
        #expect(reply.count == 5)
        #expect(reply[0] == (try JSONCodec.parse(#"{"jsonrpc": "2.0", "result": 7, "id": "1"}"#)))
        #expect(reply[1] == (try JSONCodec.parse(#"{"jsonrpc": "2.0", "result": 19, "id": "2"}"#)))
        #expect(reply[2]["error"]?["code"] == -32600)
        #expect(reply[2]["id"] == .null)
        #expect(reply[3]["error"]?["code"] == -32601)
        #expect(reply[3]["id"] == "5")
        #expect(reply[4] == (try JSONCodec.parse(#"{"jsonrpc": "2.0", "result": ["hello", 5], "id": "9"}"#)))
    }

    @Test func batchOfNotificationsOnlyGetsNothing() {
        let text = """
            [{"jsonrpc": "2.0", "method": "notify_sum", "params": {"values": [1,2,4]}},
             {"jsonrpc": "2.0", "method": "notify_hello", "params": {"value": 7}}]
            """
        #expect(exchange(text) == nil)
    }
}

@Suite struct EnvelopeTests {
    @Test(arguments: [
        (#"{"method": "sum", "id": 1}"#, "jsonrpc"), (#"{"jsonrpc": "1.0", "method": "sum", "id": 1}"#, "jsonrpc"),
        (#"{"jsonrpc": 2.0, "method": "sum", "id": 1}"#, "jsonrpc"), (#"{"jsonrpc": "2.0", "id": 1}"#, "method"),
        (#"{"jsonrpc": "2.0", "method": "sum", "params": 5, "id": 1}"#, "params"),
        (#"{"jsonrpc": "2.0", "method": "sum", "params": "x", "id": 1}"#, "params"),
        (#"{"jsonrpc": "2.0", "method": "sum", "id": 1, "extra": true}"#, "extra"),
    ])
    func invalidEnvelopesNameTheProblem(text: String, culprit: String) {
        let reply = exchange(text)
        #expect(reply?["error"]?["code"] == -32600, "\(text)")
        #expect(reply?["error"]?["data"]?["detail"]?.stringValue?.contains(culprit) == true)
        #expect(reply?["id"] == 1)
    }

    @Test(arguments: [#"{"jsonrpc": "2.0", "method": "sum", "id": [1]}"#, #"{"jsonrpc": "2.0", "method": "sum", "id": {}}"#,
        #"{"jsonrpc": "2.0", "method": "sum", "id": true}"#])
    func structuredIDsAreInvalidAndAnsweredWithNull(text: String) {
        let reply = exchange(text)
        #expect(reply?["error"]?["code"] == -32600)
        #expect(reply?["id"] == .null)
    }

    @Test func everyIDTypeIsEchoed() {
        #expect(exchange(#"{"jsonrpc": "2.0", "method": "get_data", "id": "abc"}"#)?["id"] == "abc")
        #expect(exchange(#"{"jsonrpc": "2.0", "method": "get_data", "id": -7}"#)?["id"] == -7)
        #expect(exchange(#"{"jsonrpc": "2.0", "method": "get_data", "id": 1.5}"#)?["id"] == .double(1.5))
        #expect(exchange(#"{"jsonrpc": "2.0", "method": "get_data", "id": null}"#)?["id"] == .null)
        #expect(exchange(#"{"jsonrpc": "2.0", "method": "get_data", "id": ""}"#)?["id"] == "")
        let big = exchange(#"{"jsonrpc": "2.0", "method": "get_data", "id": 9223372036854775807}"#)
        #expect(big?["id"] == .integer(Int64.max))
    }

    @Test func scalarMessagesAreInvalidRequests() {
        for text in ["42", "\"x\"", "null", "true"] {
            #expect(exchange(text)?["error"]?["code"] == -32600, "\(text)")
        }
    }

    @Test func oversizeBatchIsRefusedWhole() {
        let entry = #"{"jsonrpc":"2.0","method":"get_data","id":1}"#
        let text = "[" + Array(repeating: entry, count: 101).joined(separator: ",") + "]"
        let reply = exchange(text)
        #expect(reply?["error"]?["code"] == -32600)
        #expect(reply?["error"]?["data"]?["detail"]?.stringValue?.contains("100") == true)
        let fits = "[" + Array(repeating: entry, count: 100).joined(separator: ",") + "]"
        #expect(exchange(fits)?.arrayValue?.count == 100)
    }
}

@Suite struct ParamValidationTests {
    func error(_ params: String) -> JSONValue? {
        exchange(#"{"jsonrpc":"2.0","method":"typed","id":1,"params":"# + params + "}")?["error"]
    }

    @Test(arguments: [
        ("{}", "name"), (#"{"name": 5}"#, "name"), (#"{"name": "123456789"}"#, "name"),
        (#"{"name": "a", "mode": "c"}"#, "mode"), (#"{"name": "a", "count": -1}"#, "count"),
        (#"{"name": "a", "count": 11}"#, "count"), (#"{"name": "a", "count": "3"}"#, "count"),
        (#"{"name": "a", "count": 1.5}"#, "count"), (#"{"name": "a", "flag": 1}"#, "flag"),
        (#"{"name": "a", "topics": ["x", "z"]}"#, "topics[1]"), (#"{"name": "a", "topics": "x"}"#, "topics"),
        (#"{"name": "a", "topics": ["x","x","x","x"]}"#, "topics"), (#"{"name": "a", "bogus": 1}"#, "bogus"),
        (#"{"name": null}"#, "name"),
    ])
    func invalidParamsNameTheCulprit(params: String, culprit: String) {
        let error = self.error(params)
        #expect(error?["code"] == -32602, "\(params)")
        #expect(error?["data"]?["param"] == .string(culprit), "\(params)")
    }

    @Test func validParamsPassAndNullMeansNotGiven() {
        #expect(self.error(#"{"name": "a", "mode": "b", "count": 10, "flag": true, "topics": ["y"]}"#) == nil)
        #expect(self.error(#"{"name": "a", "mode": null, "count": 2.0}"#) == nil)
    }
}

@Suite struct RolesAndOutcomesTests {
    @Test func adminMethodsNeedTheAdminRole() {
        let refused = exchange(#"{"jsonrpc":"2.0","method":"admin.only","id":1}"#)
        #expect(refused?["error"]?["code"] == -32001)
        #expect(refused?["error"]?["data"]?["role"] == "admin")
        let allowed = exchange(#"{"jsonrpc":"2.0","method":"admin.only","id":1}"#, admin: true)
        #expect(allowed?["result"] == .object([:]))
    }

    @Test func nsapiFailuresCarryCodeNameAndDetail() {
        let error = exchange(#"{"jsonrpc":"2.0","method":"fail.nsapi","id":1}"#)?["error"]
        #expect(error?["code"] == -3001)
        #expect(error?["message"] == "NSAPI_ERROR_WOULD_BLOCK")
        #expect(error?["data"]?["detail"] == "nothing to read")
    }

    @Test func deferredRepliesArriveWhenTheHandlerAnswers() throws {
        let parked = Parked()
        let dispatcher = RPCDispatcher(table: specificationTable(parked: parked))
        var replies: [JSONValue?] = []
        var deferred: [Responder] = []
        let batch = try JSONCodec.parse(
            #"[{"jsonrpc":"2.0","method":"park","id":1},{"jsonrpc":"2.0","method":"get_data","id":2}]"#)
        dispatcher.dispatch(batch, context: Caller(), deferred: { deferred.append($0) }) { bytes in
            replies.append(bytes.map { try! JSONCodec.parse($0) })
        }
        #expect(replies.isEmpty, "a batch waits for its slowest entry")
        #expect(deferred.count == 1)
        parked.responders[0].succeed("late")
        parked.responders[0].succeed("twice")  // Ignored: a responder answers once.
        #expect(replies.count == 1)
        let entries = try #require(replies[0]?.arrayValue)
        #expect(entries.map { $0["id"] } == [1, 2])
        #expect(entries[0]["result"] == "late")
    }
}

/// A caller that has gone still has its requests carried out, but nothing is encoded
/// for it: the encoding would cost the time other callers wait for.
@Suite struct DiscardedReplyTests {
    @Test func requestsRunButRepliesAreNotEncoded() throws {
        let parked = Parked()
        let dispatcher = RPCDispatcher(table: specificationTable(parked: parked))
        var replies: [[UInt8]?] = []
        let gone = Caller(discardsReplies: true)
        for text in [#"{"jsonrpc":"2.0","method":"get_data","id":1}"#, #"[{"jsonrpc":"2.0","method":"get_data","id":1},{"jsonrpc":"2.0","method":"subtract","id":2}]"#] {
            dispatcher.dispatch(try JSONCodec.parse(text), context: gone) { replies.append($0) }
        }
        #expect(replies.count == 2, "every message is answered, so its owner can finish")
        #expect(replies.allSatisfy { ($0 ?? []).allSatisfy { $0 != UInt8(ascii: "{") } }, "\(replies)")
        var live: [UInt8]?
        dispatcher.dispatch(try JSONCodec.parse(#"{"jsonrpc":"2.0","method":"get_data","id":1}"#), context: Caller()) { live = $0 }
        #expect(live.map { String(decoding: $0, as: UTF8.self) } == #"{"jsonrpc":"2.0","id":1,"result":["hello",5]}"#)
    }
}

/// A method whose result never changes is encoded once; its responses are the bytes
/// the ordinary path writes, whatever the id.
@Suite struct ConstantResultTests {
    @Test func responsesAreTheOrdinaryBytes() throws {
        let document: JSONValue = ["openrpc": "1.3.2", "methods": [["name": "x", "summary": "a \"quoted\" word"]]]
        var table = MethodTable<Caller>()
        table.register(Doc.self) { _ throws(RPCError) in .result(document) }
        let dispatcher = RPCDispatcher(table: table)
        for id: JSONValue in [1, "two", .null, -3, "\u{1}\""] {
            var request: JSONObject = ["jsonrpc": "2.0", "method": "doc"]
            request["id"] = id
            for _ in 0..<2 {
                var reply: [UInt8]?
                dispatcher.dispatch(.object(request), context: Caller()) { reply = $0 }
                #expect(reply == JSONCodec.encode(RPCResponse(id: id, result: document).json), "id \(id)")
            }
        }
    }
}

struct Doc: MethodDeclaration {
    typealias Result = JSONValue
    static let name = "doc"
    static let summary = ""
    static let resultIsConstant = true
}

/// Replies are written around jansson (the envelope, integer ids); the bytes must be
/// what jansson writes for the whole response.
@Suite struct ResponseEncodingTests {
    @Test(arguments: [
        JSONValue.integer(0), 1, -1, 7, 10, 99, 12345, .integer(Int64.max), .integer(Int64.min), .integer(Int64.min + 1),
        "abc", "é\"\\\n", "", .null, 1.5,
    ])
    func aResponseIsWhatJanssonWritesForIt(_ id: JSONValue) {
        for outcome in [Result<JSONValue, RPCError>.success(["a": [1, "x"], "b": nil]), .failure(.methodNotFound("m"))] {
            let response = RPCResponse(id: id, outcome: outcome)
            var bytes: [UInt8] = []
            response.encode(into: &bytes)
            #expect(bytes == JSONCodec.encodeWithJanssonOnly(response.json))
        }
    }
}
