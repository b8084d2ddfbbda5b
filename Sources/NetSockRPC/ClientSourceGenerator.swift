/// Writes the Swift source of the typed client (`NetSockClient/API.swift`) from a
/// method table's declarations: a struct per method holding its params (with `name`,
/// `params` and its `Result` type), a type per named schema (enumerations and result
/// objects, under the names the daemon gives them), and a struct per notification.
/// The daemon's declarations are the one source; `make api` regenerates the file and
/// a test fails when the checked-in copy differs.
///
/// Wire names become Swift names by camel case (`timeout_ms` → `timeoutMs`); every
/// struct decodes leniently (members it does not know are ignored) so that an older
/// client keeps working against a daemon that added members.
public enum ClientSourceGenerator {
    public struct GenerationError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func source(methods: [MethodSpec], notifications: [NotificationSpec]) throws(GenerationError) -> String {
        var generator = Generator()
        var methodTexts: [String] = []
        for spec in methods { methodTexts.append(try generator.method(spec)) }
        var notificationTexts: [String] = []
        for spec in notifications { notificationTexts.append(try generator.notification(spec)) }
        var out = """
            // Generated from netsockd's method declarations by `make api`: do not edit.
            // A test fails when this file differs from what the declarations generate.
            public import NetSockJSON
            public import NetSockRPC

            /// The netsockd API as Swift types: `RPCClient.call(_:)` sends a method's struct
            /// and returns its typed result.
            public enum API {}

            """
        for name in generator.typeOrder {
            out += "\n" + (generator.types[name] ?? "")
        }
        for text in methodTexts { out += "\n" + text }
        for text in notificationTexts { out += "\n" + text }
        return out
    }

    private struct Generator {
        var types: [String: String] = [:]
        var typeOrder: [String] = []
        /// Enumeration cases by type name, merged over every use (a param may accept a subset).
        var enumCases: [String: [String]] = [:]

        mutating func method(_ spec: MethodSpec) throws(GenerationError) -> String {
            var nested: [String] = []
            let result = try self.type(for: spec.result, nameIfObject: "Result", nested: &nested, inParams: false)
            var lines = self.docLines(spec.summary, indent: "    ")
            lines.append("    public struct \(spec.typeName): APIMethod, Sendable {")
            lines.append("        public static let name = \(Self.literal(spec.name))")
            if result != "Result" { lines.append("        public typealias Result = \(result)") }
            var arguments: [String] = []
            var assignments: [String] = []
            var encodings: [String] = []
            for field in spec.params {
                let property = Self.identifier(field.name)
                var type = try self.type(for: field.schema, nameIfObject: Self.typeIdentifier(field.name), nested: &nested, inParams: true)
                let optional = !field.required
                if optional && !type.hasSuffix("?") { type += "?" }
                lines += self.docLines(field.description, indent: "        ")
                lines.append("        public var \(property): \(type)")
                arguments.append("\(property): \(type)\(optional ? " = nil" : "")")
                assignments.append("            self.\(Self.bare(property)) = \(property)")
                if optional {
                    encodings.append("            if let value = self.\(Self.bare(property)) { params[\(Self.literal(field.name))] = value.json }")
                } else {
                    encodings.append("            params[\(Self.literal(field.name))] = self.\(Self.bare(property)).json")
                }
            }
            lines.append("")
            lines.append("        public init(\(arguments.joined(separator: ", "))) {")
            lines += assignments
            lines.append("        }")
            lines.append("")
            lines.append("        public var params: JSONObject {")
            lines.append(encodings.isEmpty ? "            JSONObject()" : "            var params = JSONObject()")
            if !encodings.isEmpty {
                lines += encodings
                lines.append("            return params")
            }
            lines.append("        }")
            for text in nested { lines.append(""); lines.append(text) }
            lines.append("    }")
            return "extension API {\n" + lines.joined(separator: "\n") + "\n}\n"
        }

        mutating func notification(_ spec: NotificationSpec) throws(GenerationError) -> String {
            var nested: [String] = []
            let body = try self.structText(
                name: spec.typeName, fields: spec.params, extraConformance: "APINotification", staticLines: ["public static let method = \(Self.literal(spec.name))"],
                indent: "    ", nested: &nested)
            return "extension API {\n" + self.docLines(spec.summary, indent: "    ").map { $0 + "\n" }.joined() + body + "\n}\n"
        }

        /// The Swift type for values of `schema`; objects without a name become nested
        /// structs called `nameIfObject`.
        mutating func type(for schema: Schema, nameIfObject: String, nested: inout [String], inParams: Bool) throws(GenerationError) -> String {
            switch schema {
            case .string: return "String"
            case .integer: return "Int"
            case .number: return "Double"
            case .boolean: return "Bool"
            case .null, .any: return "JSONValue"
            case .array(let items, _):
                return "[" + (try self.type(for: items, nameIfObject: nameIfObject + "Item", nested: &nested, inParams: inParams)) + "]"
            case .map(let values):
                return "[String: " + (try self.type(for: values, nameIfObject: nameIfObject + "Value", nested: &nested, inParams: inParams)) + "]"
            case .oneOf(let choices):
                let others = choices.filter { if case .null = $0 { return false } else { return true } }
                if others.count == 1 && choices.count == 2 {
                    let wrapped = try self.type(for: others[0], nameIfObject: nameIfObject, nested: &nested, inParams: inParams)
                    return wrapped.hasSuffix("?") ? wrapped : wrapped + "?"
                }
                return "JSONValue"
            case .object(let fields, let open):
                if fields.isEmpty { return open ? "JSONObject" : "APINoResult" }
                guard !inParams else { return "JSONObject" }
                nested.append(try self.structText(name: nameIfObject, fields: fields, extraConformance: nil, staticLines: [], indent: "        ", nested: &nested))
                return nameIfObject
            case .ref(let name, let inner), .named(let name, let inner):
                return try self.named(name, inner)
            }
        }

        mutating func named(_ name: String, _ schema: Schema) throws(GenerationError) -> String {
            let qualified = "API.\(name)"
            switch schema.unnamed {
            case .string(let cases?, _, _):
                let known = self.enumCases[name] ?? []
                let merged = known + cases.filter { !known.contains($0) }
                self.enumCases[name] = merged
                if self.types[name] == nil { self.typeOrder.append(name) }
                self.types[name] = self.enumText(name, merged)
                return qualified
            case .object(let fields, _):
                if self.types[name] == nil {
                    self.typeOrder.append(name)
                    self.types[name] = ""  // Reserved: the fields may refer to the type itself.
                    var nested: [String] = []
                    let text = try self.structText(name: name, fields: fields, extraConformance: nil, staticLines: [], indent: "    ", nested: &nested)
                    self.types[name] = "extension API {\n" + text + "\n}\n"
                }
                return qualified
            default:
                throw GenerationError(description: "no Swift type for the named schema \(name)")
            }
        }

        func enumText(_ name: String, _ cases: [String]) -> String {
            var lines = ["extension API {", "    public enum \(name): String, Sendable, CaseIterable, APIEnumeration, APIResult {"]
            for value in cases {
                let identifier = Self.identifier(value)
                lines.append(identifier == value ? "        case \(identifier)" : "        case \(identifier) = \(Self.literal(value))")
            }
            lines.append("")
            lines.append("        public var apiName: String { self.rawValue }")
            lines.append("    }")
            lines.append("}")
            return lines.joined(separator: "\n") + "\n"
        }

        mutating func structText(
            name: String, fields: [Field], extraConformance: String?, staticLines: [String], indent: String, nested: inout [String]
        ) throws(GenerationError) -> String {
            var inner: [String] = []
            var lines: [String] = []
            let conformances = ["APIResult", "Sendable", "Equatable"] + (extraConformance.map { [$0] } ?? [])
            lines.append("\(indent)public struct \(name): \(conformances.joined(separator: ", ")) {")
            for line in staticLines { lines.append("\(indent)    \(line)") }
            var decodings: [String] = []
            for field in fields {
                let property = Self.identifier(field.name)
                var type = try self.type(for: field.schema, nameIfObject: Self.typeIdentifier(field.name), nested: &inner, inParams: false)
                if !field.required && !type.hasSuffix("?") { type += "?" }
                lines += self.docLines(field.description, indent: indent + "    ")
                lines.append("\(indent)    public var \(property): \(type)")
                decodings.append(
                    "\(indent)        self.\(Self.bare(property)) = try \(Self.constructor(type))(result: object[\(Self.literal(field.name))] ?? .null, path: path + \(Self.literal("." + field.name)))")
            }
            lines.append("")
            lines.append("\(indent)    public init(result json: JSONValue, path: String) throws(RPCError) {")
            lines.append("\(indent)        guard case .object(let object) = json else { throw .invalidParams(param: path, \"\\(path) must be an object\") }")
            if decodings.isEmpty { lines.append("\(indent)        _ = object") }
            lines += decodings
            lines.append("\(indent)    }")
            for text in inner {
                lines.append("")
                lines.append(text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n"))
            }
            lines.append("\(indent)}")
            return lines.joined(separator: "\n")
        }

        func docLines(_ text: String, indent: String) -> [String] {
            text.isEmpty ? [] : text.split(separator: "\n").map { "\(indent)/// \($0)" }
        }

        /// `[String]?` → `Optional<[String]>`: a type written so that `init(result:)` can follow it.
        static func constructor(_ type: String) -> String {
            type.hasSuffix("?") ? "Optional<\(self.constructor(String(type.dropLast())))>" : type
        }

        static let keywords: Set<String> = [
            "any", "as", "associatedtype", "break", "case", "catch", "class", "continue", "default", "defer", "deinit", "do", "else",
            "enum", "extension", "fallthrough", "false", "fileprivate", "for", "func", "guard", "if", "import", "in", "init", "inout",
            "internal", "is", "let", "nil", "open", "operator", "private", "protocol", "public", "repeat", "rethrows", "return",
            "self", "Self", "static", "struct", "subscript", "super", "switch", "throw", "throws", "true", "try", "Type",
            "typealias", "var", "where", "while",
        ]

        /// `timeout_ms` → `timeoutMs`; keywords in backticks.
        static func identifier(_ wire: String) -> String {
            let parts = wire.split(whereSeparator: { $0 == "_" || $0 == "-" || $0 == "." })
            guard let first = parts.first else { return "_" }
            let name = first.lowercased() + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
            let valid = name.first.map { $0.isLetter || $0 == "_" } ?? false
            let safe = valid ? name : "_" + name
            return self.keywords.contains(safe) ? "`\(safe)`" : safe
        }

        static func typeIdentifier(_ wire: String) -> String {
            wire.split(whereSeparator: { $0 == "_" || $0 == "-" || $0 == "." }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        }

        /// `self.x` needs no backticks even for a keyword, except where Swift insists.
        static func bare(_ identifier: String) -> String { identifier }

        static func literal(_ text: String) -> String {
            var escaped = ""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": escaped += "\\\""
                case "\\": escaped += "\\\\"
                case "\n": escaped += "\\n"
                default: escaped.unicodeScalars.append(scalar)
                }
            }
            return "\"\(escaped)\""
        }
    }
}
