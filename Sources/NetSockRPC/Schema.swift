public import NetSockJSON

/// The shape of a parameter or result: enough JSON Schema to validate params and
/// to document them in the OpenRPC document, from one declaration.
public indirect enum Schema: Sendable {
    case string(oneOf: [String]? = nil, maxLength: Int? = nil, format: String? = nil)
    case integer(minimum: Int64? = nil, maximum: Int64? = nil)
    case number
    case boolean
    case null
    /// Any JSON value (documented, not checked).
    case any
    case array(Schema, maxItems: Int? = nil)
    /// An object with declared fields; other members are refused unless `open`.
    case object([Field], open: Bool = false)
    /// An object whose members all share one schema (a map).
    case map(Schema)
    case oneOf([Schema])
    /// A reference to a shared component schema by name, for documentation only.
    case ref(String, Schema)
    /// A schema with a Swift type name: the generated client declares a type of that
    /// name for it. Validates and documents exactly as the schema it names.
    case named(String, Schema)

    public static let string = Schema.string()
    public static let integer = Schema.integer()

    /// Checks `value`; on failure throws `-32602` naming `path` (the culprit param).
    public func validate(_ value: JSONValue, path: String) throws(RPCError) {
        switch self {
        case .string(let choices, let maxLength, _):
            guard case .string(let text) = value else { throw Self.mismatch(path, "a string", value) }
            if let choices, !choices.contains(text) {
                throw .invalidParams(param: path, "\(path) must be one of \(choices.joined(separator: ", "))")
            }
            if let maxLength, text.utf8.count > maxLength {
                throw .invalidParams(param: path, "\(path) is longer than \(maxLength) bytes")
            }
        case .integer(let minimum, let maximum):
            guard case .integer(let number) = value else {
                if case .double(let real) = value, real.rounded() == real, abs(real) < 9.0e15 {
                    // 5.0 is an integer written as a real; accept it, as JSON does not distinguish.
                    try Schema.integer(minimum: minimum, maximum: maximum).validate(.integer(Int64(real)), path: path)
                    return
                }
                throw Self.mismatch(path, "an integer", value)
            }
            if let minimum, number < minimum { throw .invalidParams(param: path, "\(path) must be at least \(minimum)") }
            if let maximum, number > maximum { throw .invalidParams(param: path, "\(path) must be at most \(maximum)") }
        case .number:
            guard value.doubleValue != nil else { throw Self.mismatch(path, "a number", value) }
        case .boolean:
            guard case .bool = value else { throw Self.mismatch(path, "a boolean", value) }
        case .null:
            guard case .null = value else { throw Self.mismatch(path, "null", value) }
        case .any:
            return
        case .array(let items, let maxItems):
            guard case .array(let elements) = value else { throw Self.mismatch(path, "an array", value) }
            if let maxItems, elements.count > maxItems {
                throw .invalidParams(param: path, "\(path) holds more than \(maxItems) items")
            }
            for (index, element) in elements.enumerated() { try items.validate(element, path: "\(path)[\(index)]") }
        case .object(let fields, let open):
            guard case .object(let object) = value else { throw Self.mismatch(path, "an object", value) }
            try Self.validate(object: object, fields: fields, open: open, prefix: path + ".")
        case .map(let values):
            guard case .object(let object) = value else { throw Self.mismatch(path, "an object", value) }
            for (key, member) in object { try values.validate(member, path: "\(path).\(key)") }
        case .oneOf(let choices):
            for choice in choices where (try? choice.validate(value, path: path)) != nil { return }
            throw .invalidParams(param: path, "\(path) has an unexpected type (\(value.typeName))")
        case .ref(_, let schema), .named(_, let schema):
            try schema.validate(value, path: path)
        }
    }

    /// Validates named members against `fields`: missing, extra and wrong-typed members are errors.
    public static func validate(object: JSONObject, fields: [Field], open: Bool = false, prefix: String = "")
        throws(RPCError)
    {
        for field in fields {
            guard let member = object[field.name] else {
                if field.required { throw .invalidParams(param: prefix + field.name, "missing required param \(prefix + field.name)") }
                continue
            }
            if member.isNull && !field.required && !field.nullable {
                // null for an optional param means "not given", as lightning-cli treats it.
                continue
            }
            try field.schema.validate(member, path: prefix + field.name)
        }
        guard !open else { return }
        for key in object.keys where !fields.contains(where: { $0.name == key }) {
            throw .invalidParams(param: prefix + key, "unknown param \(prefix + key)")
        }
    }

    private static func mismatch(_ path: String, _ expected: String, _ value: JSONValue) -> RPCError {
        .invalidParams(param: path, "\(path) must be \(expected), not \(value.typeName)")
    }

    /// This schema as a JSON Schema object for the OpenRPC document.
    public var jsonSchema: JSONValue {
        switch self {
        case .string(let choices, let maxLength, let format):
            var object: JSONObject = ["type": "string"]
            if let choices { object["enum"] = JSONValue(choices) }
            if let maxLength { object["maxLength"] = JSONValue(maxLength) }
            if let format { object["format"] = .string(format) }
            return .object(object)
        case .integer(let minimum, let maximum):
            var object: JSONObject = ["type": "integer"]
            if let minimum { object["minimum"] = .integer(minimum) }
            if let maximum { object["maximum"] = .integer(maximum) }
            return .object(object)
        case .number: return ["type": "number"]
        case .boolean: return ["type": "boolean"]
        case .null: return ["type": "null"]
        case .any: return .object(JSONObject())
        case .array(let items, let maxItems):
            var object: JSONObject = ["type": "array", "items": items.jsonSchema]
            if let maxItems { object["maxItems"] = JSONValue(maxItems) }
            return .object(object)
        case .object(let fields, let open):
            var properties = JSONObject()
            for field in fields {
                var schema = field.schema.jsonSchema.objectValue ?? JSONObject()
                if !field.description.isEmpty { schema["description"] = .string(field.description) }
                properties[field.name] = .object(schema)
            }
            var object: JSONObject = ["type": "object", "properties": .object(properties)]
            let required = fields.filter(\.required).map(\.name)
            if !required.isEmpty { object["required"] = JSONValue(required) }
            object["additionalProperties"] = .bool(open)
            return .object(object)
        case .map(let values):
            return ["type": "object", "additionalProperties": values.jsonSchema]
        case .oneOf(let choices):
            return ["oneOf": .array(choices.map(\.jsonSchema))]
        case .ref(let name, _):
            return ["$ref": .string("#/components/schemas/\(name)")]
        case .named(_, let schema):
            return schema.jsonSchema
        }
    }

    /// "a string", "an integer", ...: what a value of this schema is, for error messages.
    public var typeDescription: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .number: "a number"
        case .boolean: "a boolean"
        case .null: "null"
        case .any: "any value"
        case .array: "an array"
        case .object, .map: "an object"
        case .oneOf(let choices): choices.map(\.typeDescription).joined(separator: " or ")
        case .ref(_, let schema), .named(_, let schema): schema.typeDescription
        }
    }

    /// The schema without its Swift type name (and references resolved).
    public var unnamed: Schema {
        switch self {
        case .ref(_, let schema), .named(_, let schema): schema.unnamed
        default: self
        }
    }
}

/// A named member of params (or of a documented result object).
public struct Field: Sendable {
    public var name: String
    public var schema: Schema
    public var required: Bool
    /// Whether an explicit `null` is a meaningful value rather than "not given".
    public var nullable: Bool
    public var description: String

    public init(_ name: String, _ schema: Schema, required: Bool = true, nullable: Bool = false, _ description: String) {
        self.name = name
        self.schema = schema
        self.required = required
        self.nullable = nullable
        self.description = description
    }

    /// An optional field.
    public static func optional(_ name: String, _ schema: Schema, _ description: String) -> Field {
        Field(name, schema, required: false, description)
    }
}
