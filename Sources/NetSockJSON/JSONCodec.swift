internal import CJansson

/// Why a byte sequence is not a JSON text we accept.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// jansson's own sentence, or ours for the limits jansson does not enforce.
    public var message: String
    /// Byte offset of the problem within the input, when known.
    public var position: Int

    public init(message: String, position: Int) {
        self.message = message
        self.position = position
    }

    public var description: String { "\(self.message) at byte \(self.position)" }
}

/// JSON text to `JSONValue` and back, through jansson.
///
/// This is the only file that touches jansson; every `json_t` is converted at the
/// boundary and released before the function returns.
public enum JSONCodec {
    /// Deepest nesting accepted by ``parse(_:maxDepth:)``; jansson's own limit is 2048.
    public static let defaultMaxDepth = 512

    /// Parses one complete JSON text (any value, not only objects and arrays).
    ///
    /// Duplicate object keys, invalid UTF-8, trailing garbage and nesting deeper
    /// than `maxDepth` are errors, never traps. NUL characters inside strings are allowed.
    /// Long plain string values (payloads in base64) are taken as they are rather
    /// than lexed by jansson (``LongStrings``); the value is the same either way.
    public static func parse(_ bytes: some Collection<UInt8>, maxDepth: Int = defaultMaxDepth) throws(JSONParseError)
        -> JSONValue
    {
        let result =
            bytes.withContiguousStorageIfAvailable { buffer in self.parse(UnsafeRawBufferPointer(buffer), maxDepth: maxDepth) }
            ?? Array(bytes).withUnsafeBytes { self.parse($0, maxDepth: maxDepth) }
        return try result.get()
    }

    /// Parses UTF-8 text; a convenience for tests and configuration files.
    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        try self.parse(Array(text.utf8), maxDepth: maxDepth)
    }

    /// Texts shorter than this are parsed by jansson alone: the scan for long strings
    /// would cost more than it saves.
    static let longStringScanThreshold = 4096

    private static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) -> Result<JSONValue, JSONParseError> {
        if bytes.count >= self.longStringScanThreshold, let extraction = LongStrings.extract(bytes) {
            let parsed = extraction.skeleton.withUnsafeBytes { skeleton in
                var substitution: Substitution? = Substitution(values: extraction.values, original: bytes)
                return self.load(skeleton, maxDepth: maxDepth, substitution: &substitution)
            }
            // A text that does not parse is parsed again whole, so that its error (and
            // the position in it) is the one jansson gives for what was sent.
            if let parsed, case .success = parsed { return parsed }
        }
        var none: Substitution? = nil
        return self.load(bytes, maxDepth: maxDepth, substitution: &none) ?? .failure(JSONParseError(message: "internal", position: 0))
    }

    /// jansson only, never the long-string scan: the reference the scan is tested against.
    package static func parseWithJanssonOnly(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        var none: Substitution? = nil
        let result = bytes.withUnsafeBytes { self.load($0, maxDepth: maxDepth, substitution: &none) }
        return try (result ?? .failure(JSONParseError(message: "internal", position: 0))).get()
    }

    /// The long string values to put back while converting a parsed skeleton.
    private struct Substitution {
        let values: [(ordinal: Int, range: Range<Int>)]
        let original: UnsafeRawBufferPointer
        /// The next entry of `values` to put back.
        var next = 0
        /// String values converted so far, in document order.
        var ordinal = 0
        /// The skeleton did not line up with the scan (it always should): parse the original.
        var mismatched = false

        mutating func value(for parsed: String) -> String {
            defer { self.ordinal += 1 }
            guard self.next < self.values.count, self.values[self.next].ordinal == self.ordinal else { return parsed }
            guard parsed.isEmpty else {
                self.mismatched = true
                return parsed
            }
            let range = self.values[self.next].range
            self.next += 1
            return String(decoding: UnsafeRawBufferPointer(rebasing: self.original[range]), as: UTF8.self)
        }

        var isComplete: Bool { !self.mismatched && self.next == self.values.count }
    }

    /// jansson's parse and the conversion to `JSONValue`; nil when a substitution did not line up.
    private static func load(_ bytes: UnsafeRawBufferPointer, maxDepth: Int, substitution: inout Substitution?) -> Result<
        JSONValue, JSONParseError
    >? {
        let flags = Int(JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)
        var error = json_error_t()
        let root = bytes.withMemoryRebound(to: CChar.self) { json_loadb($0.baseAddress, $0.count, flags, &error) }
        guard let root else {
            let text = withUnsafeBytes(of: error.text) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            return .failure(JSONParseError(message: text, position: Int(error.position)))
        }
        defer { cjansson_decref(root) }
        do {
            let value = try self.convert(root, depth: 0, maxDepth: maxDepth, substitution: &substitution)
            if let substitution, !substitution.isComplete { return nil }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }

    private static func convert(
        _ json: UnsafeMutablePointer<json_t>, depth: Int, maxDepth: Int, substitution: inout Substitution?
    ) throws(JSONParseError) -> JSONValue {
        switch cjansson_typeof(json) {
        case JSON_NULL: return .null
        case JSON_TRUE: return .bool(true)
        case JSON_FALSE: return .bool(false)
        case JSON_INTEGER: return .integer(Int64(json_integer_value(json)))
        case JSON_REAL: return .double(json_real_value(json))
        case JSON_STRING:
            let length = json_string_length(json)
            let text =
                json_string_value(json).map { pointer in
                    pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
                        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
                    }
                } ?? ""
            guard substitution != nil else { return .string(text) }
            return .string(substitution!.value(for: text))
        case JSON_ARRAY:
            guard depth < maxDepth else { throw JSONParseError(message: "nesting deeper than \(maxDepth)", position: 0) }
            let count = json_array_size(json)
            var elements: [JSONValue] = []
            elements.reserveCapacity(count)
            for index in 0..<count {
                guard let element = json_array_get(json, index) else { continue }
                elements.append(try self.convert(element, depth: depth + 1, maxDepth: maxDepth, substitution: &substitution))
            }
            return .array(elements)
        case JSON_OBJECT:
            guard depth < maxDepth else { throw JSONParseError(message: "nesting deeper than \(maxDepth)", position: 0) }
            // Keys jansson holds distinct (as bytes) may still be equal as Swift strings
            // (canonical equivalence), so they go in through the checked initialiser.
            var members: [(String, JSONValue)] = []
            members.reserveCapacity(json_object_size(json))
            var iterator = json_object_iter(json)
            while let current = iterator {
                let keyLength = json_object_iter_key_len(current)
                let key = json_object_iter_key(current).map { pointer in
                    pointer.withMemoryRebound(to: UInt8.self, capacity: keyLength) {
                        String(decoding: UnsafeBufferPointer(start: $0, count: keyLength), as: UTF8.self)
                    }
                } ?? ""
                if let value = json_object_iter_value(current) {
                    members.append((key, try self.convert(value, depth: depth + 1, maxDepth: maxDepth, substitution: &substitution)))
                }
                iterator = json_object_iter_next(json, current)
            }
            return .object(JSONObject(members))
        default:
            return .null
        }
    }

    /// Output layout of ``encode(_:style:)``.
    public enum Style: Sendable {
        /// One line, no spaces: the wire format.
        case compact
        /// Indented by two spaces, for people.
        case pretty
    }

    /// Serialises `value` as UTF-8 JSON text without a trailing newline.
    public static func encode(_ value: JSONValue, style: Style = .compact) -> [UInt8] {
        var bytes: [UInt8] = []
        self.encode(value, style: style, into: &bytes)
        return bytes
    }

    /// Appends the JSON text of `value` to `bytes`: one pass of jansson's writer straight
    /// into the caller's buffer (a connection's outbound queue, say), no size pass first.
    ///
    /// A long string that is all plain bytes (a payload in base64) is copied in as it
    /// is, which is what jansson would write for it, without its per-character writer;
    /// the objects and arrays around it (to ``longStringDepth`` levels) are written
    /// here in jansson's compact form, and everything else by jansson.
    public static func encode(_ value: JSONValue, style: Style = .compact, into bytes: inout [UInt8]) {
        if case .compact = style, self.hasLongString(value, depth: self.longStringDepth) {
            self.writeAroundLongStrings(value, depth: self.longStringDepth, into: &bytes)
        } else {
            self.encodeWithJansson(value, style: style, into: &bytes)
        }
    }

    /// How deep long strings are looked for: a request's `params.data` and a reply's
    /// `result.data` are at the second level.
    static let longStringDepth = 3

    /// jansson only: the reference the long-string writer is tested against.
    package static func encodeWithJanssonOnly(_ value: JSONValue, style: Style = .compact) -> [UInt8] {
        var bytes: [UInt8] = []
        self.encodeWithJansson(value, style: style, into: &bytes)
        return bytes
    }

    private static func hasLongString(_ value: JSONValue, depth: Int) -> Bool {
        switch value {
        case .string(let text): text.utf8.count >= LongStrings.minimumLength
        case .object(let object) where depth > 0: object.contains { self.hasLongString($0.value, depth: depth - 1) }
        case .array(let elements) where depth > 0: elements.contains { self.hasLongString($0, depth: depth - 1) }
        default: false
        }
    }

    /// Compact JSON as jansson writes it: `{"key":value,...}` and `[value,...]` with no
    /// spaces, plain strings as they are. Recursion is bounded by `depth`, not by input.
    private static func writeAroundLongStrings(_ value: JSONValue, depth: Int, into bytes: inout [UInt8]) {
        switch value {
        case .string(let text):
            if !self.writePlain(text, into: &bytes) { self.encodeWithJansson(value, style: .compact, into: &bytes) }
        case .object(let object) where depth > 0 && self.hasLongString(value, depth: depth):
            bytes.append(UInt8(ascii: "{"))
            for (position, member) in object.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                if !self.writePlain(member.key, into: &bytes) { self.encodeWithJansson(.string(member.key), style: .compact, into: &bytes) }
                bytes.append(UInt8(ascii: ":"))
                self.writeAroundLongStrings(member.value, depth: depth - 1, into: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        case .array(let elements) where depth > 0 && self.hasLongString(value, depth: depth):
            bytes.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                self.writeAroundLongStrings(element, depth: depth - 1, into: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        default:
            self.encodeWithJansson(value, style: .compact, into: &bytes)
        }
    }

    /// Writes `text` quoted when every byte is plain; false (nothing written) otherwise.
    private static func writePlain(_ text: String, into bytes: inout [UInt8]) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            guard PlainText.isPlain(UnsafeRawBufferPointer(utf8)) else { return false }
            bytes.reserveCapacity(bytes.count + utf8.count + 2)
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: utf8)
            bytes.append(UInt8(ascii: "\""))
            return true
        }
    }

    private static func encodeWithJansson(_ value: JSONValue, style: Style, into bytes: inout [UInt8]) {
        let json = self.build(value)
        defer { cjansson_decref(json) }
        var flags = Int(JSON_ENCODE_ANY) | cjansson_real_precision(17)
        switch style {
        case .compact: flags |= Int(JSON_COMPACT)
        case .pretty: flags |= cjansson_indent(2)
        }
        // jansson hands its writer many small pieces (a quote, a key, a colon): they are
        // gathered in a small staging buffer and appended to `bytes` in few copies.
        withUnsafeMutablePointer(to: &bytes) { output in
            withUnsafeTemporaryAllocation(byteCount: DumpStaging.capacity, alignment: 16) { space in
                var staging = DumpStaging(output: output, space: space.baseAddress!)
                _ = json_dump_callback(json, { text, count, context in
                    guard let text, let context else { return -1 }
                    context.assumingMemoryBound(to: DumpStaging.self).pointee.write(text, count)
                    return 0
                }, &staging, flags)
                staging.flush()
            }
        }
    }

    /// Serialises `value` as a `String`.
    public static func encodeString(_ value: JSONValue, style: Style = .compact) -> String {
        String(decoding: self.encode(value, style: style), as: UTF8.self)
    }

    private static func build(_ value: JSONValue) -> UnsafeMutablePointer<json_t> {
        switch value {
        case .null: return json_null()
        case .bool(let flag): return flag ? json_true() : json_false()
        case .integer(let number): return json_integer(json_int_t(number))
        case .double(let number):
            // jansson refuses NaN and infinities; JSON has no spelling for them.
            return number.isFinite ? json_real(number) : json_null()
        case .string(let text):
            if text.isEmpty { return json_string("") }
            var text = text
            return text.withUTF8 { utf8 in
                utf8.withMemoryRebound(to: CChar.self) { json_stringn_nocheck($0.baseAddress, $0.count) }
            }
        case .array(let elements):
            let array = json_array()!
            for element in elements { json_array_append_new(array, self.build(element)) }
            return array
        case .object(let object):
            let result = json_object()!
            for (key, member) in object {
                if key.isEmpty {
                    json_object_set_new_nocheck(result, "", self.build(member))
                    continue
                }
                var key = key
                key.withUTF8 { utf8 in
                    utf8.withMemoryRebound(to: CChar.self) {
                        _ = json_object_setn_new_nocheck(result, $0.baseAddress, $0.count, self.build(member))
                    }
                }
            }
            return result
        }
    }
}

/// Where jansson's writer puts its pieces during ``JSONCodec/encode(_:style:into:)``.
private struct DumpStaging {
    static let capacity = 4096
    let output: UnsafeMutablePointer<[UInt8]>
    let space: UnsafeMutableRawPointer
    var used = 0

    init(output: UnsafeMutablePointer<[UInt8]>, space: UnsafeMutableRawPointer) {
        self.output = output
        self.space = space
    }

    mutating func write(_ text: UnsafePointer<CChar>, _ count: Int) {
        if self.used + count > Self.capacity { self.flush() }
        if count > Self.capacity {
            // A large piece (a long string) goes straight to the output.
            self.output.pointee.append(contentsOf: UnsafeRawBufferPointer(start: text, count: count))
            return
        }
        (self.space + self.used).copyMemory(from: text, byteCount: count)
        self.used += count
    }

    mutating func flush() {
        guard self.used > 0 else { return }
        self.output.pointee.append(contentsOf: UnsafeRawBufferPointer(start: self.space, count: self.used))
        self.used = 0
    }
}
