import ArgumentParser
import NetSockClient
import NetSockJSON

/// `netsockctl help [METHOD]`: method help from the daemon's own `rpc.discover`, so it
/// always matches the daemon being talked to.
enum MethodHelp {
    /// The methods, one line each, when the daemon answers; nil otherwise.
    static func methodList(options: GlobalOptions) -> [String]? {
        guard let document = try? options.connect().call(API.RPCDiscover(), timeoutMilliseconds: 2000),
            let methods = document["methods"]?.arrayValue
        else { return nil }
        let width = methods.compactMap { $0["name"]?.stringValue?.count }.max() ?? 0
        return methods.compactMap { method in
            guard let name = method["name"]?.stringValue else { return nil }
            let role = method["x-role"] == "admin" ? " (admin)" : ""
            return "  \(name)\(String(repeating: " ", count: width - name.count))  \(method["summary"]?.stringValue ?? "")\(role)"
        }
    }

    /// The help of one method (or notification); exit 5 when the daemon has none of that name.
    static func describe(_ name: String, options: GlobalOptions) throws -> [String] {
        let document = try options.call(API.RPCDiscover()).value
        let all = (document["methods"]?.arrayValue ?? []) + (document["x-notifications"]?.arrayValue ?? [])
        guard let method = all.first(where: { $0["name"] == .string(name) }) else {
            Terminal.current.err("netsockctl: the daemon has no method named \(name); see netsockctl help")
            throw ExitCode(ExitStatus.notFound.rawValue)
        }
        if options.json {
            Terminal.current.json(method)
            return []
        }
        var lines = ["\(name): \(method["summary"]?.stringValue ?? "")"]
        if method["result"] == nil { lines.append("(a notification the daemon sends)") }
        if let role = method["x-role"]?.stringValue { lines.append("role: \(role)") }
        if let description = method["description"]?.stringValue { lines += ["", description] }
        let params = method["params"]?.arrayValue ?? []
        lines += ["", params.isEmpty ? "params: none" : "params:"]
        let width = params.compactMap { $0["name"]?.stringValue?.count }.max() ?? 0
        for param in params {
            let paramName = param["name"]?.stringValue ?? "?"
            let required = param["required"] == true ? "required" : "optional"
            lines.append("  \(paramName)\(String(repeating: " ", count: width - paramName.count))  \(self.type(param["schema"])), \(required). \(param["description"]?.stringValue ?? "")")
        }
        if let result = method["result"] { lines += ["", "result: \(self.type(result["schema"]))"] }
        if let errors = method["errors"]?.arrayValue, !errors.isEmpty {
            lines += ["", "errors:"] + errors.map { "  \($0["message"]?.stringValue ?? "") (\($0["code"]?.cell ?? "")): \($0["data"]?.stringValue ?? "")" }
        }
        return lines
    }

    /// A JSON Schema in a few words: `string (tcp|udp)`, `{socket, address}`, `[string]`.
    static func type(_ schema: JSONValue?) -> String {
        guard let schema else { return "any" }
        if let choices = schema["enum"]?.arrayValue { return "\(schema["type"]?.stringValue ?? "") (\(choices.map(\.cell).joined(separator: "|")))" }
        switch schema["type"]?.stringValue {
        case "object":
            let keys = schema["properties"]?.objectValue?.keys ?? []
            return keys.isEmpty ? "object" : "{\(keys.joined(separator: ", "))}"
        case "array": return "[\(self.type(schema["items"]))]"
        case let type?: return type
        case nil: return schema["oneOf"] != nil ? "one of several" : "any"
        }
    }
}
