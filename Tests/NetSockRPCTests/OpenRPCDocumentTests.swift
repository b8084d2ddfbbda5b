import NetSockJSON
import NetSockRPC
import Testing

@Suite struct OpenRPCDocumentTests {
    @Test func documentDescribesEveryMethodFromTheTable() throws {
        var table = specificationTable()
        table.register(notification: NotificationSpec("events.notify", summary: "an event", params: [Field("seq", .integer, "")]))
        let document = OpenRPCDocument.generate(table, info: .init(title: "t", version: "1", description: "d"))
        #expect(document["openrpc"] == "1.3.2")
        let methods = try #require(document["methods"]?.arrayValue)
        #expect(methods.compactMap { $0["name"]?.stringValue } == table.names)
        let subtract = try #require(methods.first { $0["name"] == "subtract" })
        #expect(subtract["paramStructure"] == "by-name")
        #expect(subtract["params"]?.arrayValue?.count == 2)
        #expect(subtract["params"]?.arrayValue?.first?["schema"]?["type"] == "integer")
        let admin = try #require(methods.first { $0["name"] == "admin.only" })
        #expect(admin["x-role"] == "admin")
        let nsapi = try #require(methods.first { $0["name"] == "fail.nsapi" })
        #expect(nsapi["errors"]?.arrayValue?.first?["code"] == -3001)
        #expect(document["x-notifications"]?.arrayValue?.first?["name"] == "events.notify")
        #expect(document["x-notifications"]?.arrayValue?.first?["result"] == nil)
    }

    @Test func generationIsDeterministic() {
        let a = JSONCodec.encode(OpenRPCDocument.generate(specificationTable(), info: .init(title: "t", version: "1", description: "")))
        let b = JSONCodec.encode(OpenRPCDocument.generate(specificationTable(), info: .init(title: "t", version: "1", description: "")))
        #expect(a == b)
    }

    @Test func schemasBecomeJSONSchema() {
        let schema = Schema.object([Field("a", .string(oneOf: ["x"]), "doc"), .optional("b", .array(.integer(minimum: 1)), "")])
        let json = schema.jsonSchema
        #expect(json["type"] == "object")
        #expect(json["required"] == ["a"])
        #expect(json["properties"]?["a"]?["enum"] == ["x"])
        #expect(json["properties"]?["a"]?["description"] == "doc")
        #expect(json["properties"]?["b"]?["items"]?["minimum"] == 1)
        #expect(json["additionalProperties"] == false)
    }
}
