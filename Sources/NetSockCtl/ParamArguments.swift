import NetSockJSON

/// Turns `key=value` words into named params, typing values as lightning-cli does:
/// numbers, `true`, `false`, `null`, and JSON arrays, objects or quoted strings are
/// taken as JSON; anything else is a string.
public enum ParamArguments {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func parse(_ words: [String], rawStrings: Bool = false) throws(Failure) -> JSONObject {
        var params = JSONObject()
        for word in words {
            guard let equals = word.firstIndex(of: "="), equals != word.startIndex else {
                throw Failure(description: "expected key=value, got \"\(word)\"")
            }
            let key = String(word[..<equals])
            let text = String(word[word.index(after: equals)...])
            guard params[key] == nil else { throw Failure(description: "param \(key) given twice") }
            params[key] = rawStrings ? .string(text) : self.value(text)
        }
        return params
    }

    /// The typed value of one word.
    public static func value(_ text: String) -> JSONValue {
        guard let first = text.first else { return .string("") }
        let looksTyped = first == "{" || first == "[" || first == "\"" || first == "-" || first.isNumber
            || text == "true" || text == "false" || text == "null"
        guard looksTyped, let parsed = try? JSONCodec.parse(text) else { return .string(text) }
        return parsed
    }

    /// Parses `--params` text: it must be a JSON object.
    public static func object(_ text: [UInt8]) throws(Failure) -> JSONObject {
        let value: JSONValue
        do {
            value = try JSONCodec.parse(text)
        } catch {
            throw Failure(description: "--params is not valid JSON: \(error)")
        }
        guard let object = value.objectValue else {
            throw Failure(description: "--params must be a JSON object (params are by name)")
        }
        return object
    }
}
