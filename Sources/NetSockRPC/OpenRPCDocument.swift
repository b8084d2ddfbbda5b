public import NetSockJSON

/// Generates the OpenRPC 1.3 document served by `rpc.discover` from a method table.
///
/// Server-to-client notifications have no place in OpenRPC's `methods` (clients do
/// not call them), so they are listed under the extension `x-notifications` as
/// OpenRPC 1.3 notification objects (method objects without `result`).
public enum OpenRPCDocument {
    public struct Info: Sendable {
        public var title: String
        public var version: String
        public var description: String
        public var extensions: JSONObject

        public init(title: String, version: String, description: String, extensions: JSONObject = JSONObject()) {
            self.title = title
            self.version = version
            self.description = description
            self.extensions = extensions
        }
    }

    public static func generate<Context>(_ table: MethodTable<Context>, info: Info) -> JSONValue {
        var document: JSONObject = [
            "openrpc": "1.3.2",
            "info": ["title": .string(info.title), "version": .string(info.version), "description": .string(info.description)],
            "methods": .array(table.specs.map(self.method)),
        ]
        document["x-notifications"] = .array(table.notifications.map(self.notification))
        for (key, value) in info.extensions { document[key] = value }
        return .object(document)
    }

    private static func contentDescriptor(_ field: Field) -> JSONValue {
        var object: JSONObject = ["name": .string(field.name)]
        if !field.description.isEmpty { object["description"] = .string(field.description) }
        object["required"] = .bool(field.required)
        object["schema"] = field.schema.jsonSchema
        return .object(object)
    }

    private static func method(_ spec: MethodSpec) -> JSONValue {
        var object: JSONObject = ["name": .string(spec.name), "summary": .string(spec.summary)]
        if !spec.description.isEmpty { object["description"] = .string(spec.description) }
        var tags: [JSONValue] = [["name": .string("role:\(spec.role.rawValue)")]]
        tags += spec.tags.map { ["name": .string($0)] }
        object["tags"] = .array(tags)
        object["paramStructure"] = "by-name"
        object["params"] = .array(spec.params.map(self.contentDescriptor))
        object["result"] = [
            "name": "result", "description": .string(spec.resultDescription.isEmpty ? spec.summary : spec.resultDescription),
            "schema": spec.result.jsonSchema,
        ]
        if !spec.errors.isEmpty {
            object["errors"] = .array(
                spec.errors.map { ["code": .integer(Int64($0.rawValue)), "message": .string($0.name), "data": .string($0.meaning)] })
        }
        object["x-role"] = .string(spec.role.rawValue)
        return .object(object)
    }

    private static func notification(_ spec: NotificationSpec) -> JSONValue {
        var object: JSONObject = ["name": .string(spec.name), "summary": .string(spec.summary)]
        if !spec.description.isEmpty { object["description"] = .string(spec.description) }
        object["paramStructure"] = "by-name"
        object["params"] = .array(spec.params.map(self.contentDescriptor))
        return .object(object)
    }
}
