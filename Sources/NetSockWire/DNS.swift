public import NSAPI

/// The Domain Name System message format, RFC 1035 §4, with AAAA (RFC 3596).
///
/// Parsing is a checked view in the manner of the other wire types: every read is
/// bounds-checked, compression pointers may only point backwards and are followed
/// at most 64 times, and names are limited to 255 octets, so loops, truncation
/// and oversize input are errors, never traps or hangs.
public enum DNS {
    public static let headerLength = 12
    /// RFC 1035 §2.3.4.
    public static let maxNameLength = 255
    public static let maxLabelLength = 63

    public enum RecordType {
        public static let a: UInt16 = 1
        public static let cname: UInt16 = 5
        public static let aaaa: UInt16 = 28
    }

    public enum ResponseCode {
        public static let noError: UInt8 = 0
        public static let formatError: UInt8 = 1
        public static let serverFailure: UInt8 = 2
        public static let nameError: UInt8 = 3
        public static let refused: UInt8 = 5
    }

    public struct Question: Sendable, Equatable {
        public var name: String
        public var type: UInt16
        public var recordClass: UInt16

        public init(name: String, type: UInt16, recordClass: UInt16 = 1) {
            self.name = name
            self.type = type
            self.recordClass = recordClass
        }
    }

    public enum RecordData: Sendable, Equatable {
        case address(IPAddress)
        case canonicalName(String)
        case other
    }

    public struct Record: Sendable, Equatable {
        public var name: String
        public var type: UInt16
        public var recordClass: UInt16
        public var ttl: UInt32
        public var data: RecordData

        public init(name: String, type: UInt16, recordClass: UInt16, ttl: UInt32, data: RecordData) {
            self.name = name
            self.type = type
            self.recordClass = recordClass
            self.ttl = ttl
            self.data = data
        }
    }

    /// A message's meaning: header fields, the question and the answer section.
    public struct Message: Sendable, Equatable {
        public var id: UInt16
        public var isResponse: Bool
        public var isTruncated: Bool
        public var recursionDesired: Bool
        public var responseCode: UInt8
        public var questions: [Question]
        public var answers: [Record]

        public init(
            id: UInt16, isResponse: Bool, isTruncated: Bool, recursionDesired: Bool, responseCode: UInt8,
            questions: [Question], answers: [Record]
        ) {
            self.id = id
            self.isResponse = isResponse
            self.isTruncated = isTruncated
            self.recursionDesired = recursionDesired
            self.responseCode = responseCode
            self.questions = questions
            self.answers = answers
        }

        /// The addresses answering `name` and `type`, following CNAME chains inside the answer.
        public func addresses(for name: String, type: UInt16) -> [(IPAddress, UInt32)] {
            var names: Set<String> = [DNS.canonical(name)]
            // CNAMEs may come in any order; a few passes settle the chain.
            for _ in 0..<8 {
                for record in self.answers {
                    if case .canonicalName(let target) = record.data, names.contains(DNS.canonical(record.name)) {
                        names.insert(DNS.canonical(target))
                    }
                }
            }
            return self.answers.compactMap { record in
                guard record.type == type, record.recordClass == 1, names.contains(DNS.canonical(record.name)),
                    case .address(let address) = record.data
                else { return nil }
                return (address, record.ttl)
            }
        }

        /// Smallest TTL among the records that answer, for caching.
        public func minimumTTL(for name: String, type: UInt16) -> UInt32? {
            self.addresses(for: name, type: type).map(\.1).min()
        }

        public static func == (lhs: Message, rhs: Message) -> Bool {
            lhs.id == rhs.id && lhs.isResponse == rhs.isResponse && lhs.responseCode == rhs.responseCode
                && lhs.questions == rhs.questions && lhs.answers == rhs.answers && lhs.isTruncated == rhs.isTruncated
        }
    }

    /// Lower case without a trailing dot: names compare case-insensitively (RFC 4343).
    public static func canonical(_ name: String) -> String {
        var text = name.lowercased()
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    // MARK: Encoding

    /// The wire form of a name; refuses empty labels, labels over 63 and names over 255 octets.
    public static func encodeName(_ name: String) throws(WireError) -> [UInt8] {
        // Split on the byte, not on Characters: a label that starts with a combining mark
        // joins the dot before it into one Character, and the two labels would go out as one.
        var text = Array(name.utf8)
        if text.last == UInt8(ascii: ".") { text.removeLast() }
        guard !text.isEmpty else { throw .malformed("empty name") }
        var bytes: [UInt8] = []
        for label in text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            let utf8 = Array(label)
            guard !utf8.isEmpty else { throw .malformed("empty label") }
            guard utf8.count <= self.maxLabelLength else { throw WireError(.tooLong) }
            bytes.append(UInt8(utf8.count))
            bytes += utf8
        }
        bytes.append(0)
        guard bytes.count <= self.maxNameLength else { throw WireError(.tooLong) }
        return bytes
    }

    /// A standard recursive query for one question.
    public static func query(id: UInt16, name: String, type: UInt16) throws(WireError) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        bytes += try self.encodeName(name)
        bytes += [UInt8(type >> 8), UInt8(type & 0xFF), 0, 1]
        return bytes
    }

    /// Encodes a whole message (for tests and the test server): names uncompressed.
    public static func encode(_ message: Message) throws(WireError) -> [UInt8] {
        var flags: UInt16 = message.isResponse ? 0x8000 : 0
        if message.isTruncated { flags |= 0x0200 }
        if message.recursionDesired { flags |= 0x0100 }
        flags |= UInt16(message.responseCode & 0xF)
        var bytes: [UInt8] = []
        for value in [message.id, flags, UInt16(message.questions.count), UInt16(message.answers.count), 0, 0] {
            bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
        }
        for question in message.questions {
            bytes += try self.encodeName(question.name)
            bytes += [UInt8(question.type >> 8), UInt8(question.type & 0xFF), UInt8(question.recordClass >> 8), UInt8(question.recordClass & 0xFF)]
        }
        for record in message.answers {
            bytes += try self.encodeName(record.name)
            bytes += [UInt8(record.type >> 8), UInt8(record.type & 0xFF), UInt8(record.recordClass >> 8), UInt8(record.recordClass & 0xFF)]
            bytes += [UInt8(record.ttl >> 24), UInt8(record.ttl >> 16 & 0xFF), UInt8(record.ttl >> 8 & 0xFF), UInt8(record.ttl & 0xFF)]
            let data: [UInt8]
            switch record.data {
            case .address(let address): data = address.bytes
            case .canonicalName(let name): data = try self.encodeName(name)
            case .other: data = []
            }
            bytes += [UInt8(data.count >> 8), UInt8(data.count & 0xFF)] + data
        }
        return bytes
    }

    // MARK: Parsing

    public static func parse(_ bytes: [UInt8]) throws(WireError) -> Message {
        guard bytes.count >= self.headerLength else { throw .truncated }
        var reader = Reader(bytes: bytes, offset: 0)
        let id = try reader.u16()
        let flags = try reader.u16()
        let questionCount = try reader.u16()
        let answerCount = try reader.u16()
        _ = try reader.u16()  // Authority and additional records are not needed to resolve.
        _ = try reader.u16()
        var message = Message(
            id: id, isResponse: flags & 0x8000 != 0, isTruncated: flags & 0x0200 != 0, recursionDesired: flags & 0x0100 != 0,
            responseCode: UInt8(flags & 0xF), questions: [], answers: [])
        for _ in 0..<questionCount {
            let name = try reader.name()
            message.questions.append(Question(name: name, type: try reader.u16(), recordClass: try reader.u16()))
        }
        for _ in 0..<answerCount {
            let name = try reader.name()
            let type = try reader.u16()
            let recordClass = try reader.u16()
            let ttl = try reader.u32()
            let length = Int(try reader.u16())
            guard reader.offset + length <= bytes.count else { throw .truncated }
            let dataStart = reader.offset
            let data: RecordData
            switch type {
            case RecordType.a where length == 4, RecordType.aaaa where length == 16:
                data = .address(IPAddress(bytes: bytes[dataStart..<(dataStart + length)])!)
            case RecordType.a, RecordType.aaaa:
                throw .malformed("address of \(length) octets")
            case RecordType.cname:
                var inner = Reader(bytes: bytes, offset: dataStart)
                data = .canonicalName(try inner.name())
                guard inner.offset <= dataStart + length else { throw .malformed("CNAME overruns its data") }
            default:
                data = .other
            }
            reader.offset = dataStart + length
            // RFC 2181 §8: a TTL with the top bit set is treated as zero.
            message.answers.append(Record(name: name, type: type, recordClass: recordClass, ttl: ttl > Int32.max.magnitude ? 0 : ttl, data: data))
        }
        return message
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset: Int

        mutating func u16() throws(WireError) -> UInt16 {
            guard self.offset + 2 <= self.bytes.count else { throw .truncated }
            defer { self.offset += 2 }
            return UInt16(self.bytes[self.offset]) << 8 | UInt16(self.bytes[self.offset + 1])
        }

        mutating func u32() throws(WireError) -> UInt32 {
            UInt32(try self.u16()) << 16 | UInt32(try self.u16())
        }

        /// Reads a possibly compressed name; the reader ends after its first pointer or terminator.
        mutating func name() throws(WireError) -> String {
            var labels: [String] = []
            var position = self.offset
            var jumped = false
            var jumps = 0
            var length = 0
            while true {
                guard position < self.bytes.count else { throw .truncated }
                let byte = self.bytes[position]
                switch byte & 0xC0 {
                case 0x00:
                    if byte == 0 {
                        if !jumped { self.offset = position + 1 }
                        return labels.joined(separator: ".")
                    }
                    let count = Int(byte)
                    guard position + 1 + count <= self.bytes.count else { throw .truncated }
                    length += count + 1
                    // RFC 1035 §3.1: 255 octets with the terminating zero.
                    guard length + 1 <= DNS.maxNameLength else { throw WireError(.tooLong) }
                    let label = self.bytes[(position + 1)...(position + count)]
                    // A dot inside a label would read as two labels: another name than the one sent.
                    guard !label.contains(UInt8(ascii: ".")) else { throw .malformed("a label holds a dot") }
                    labels.append(String(decoding: label, as: UTF8.self))
                    position += count + 1
                case 0xC0:
                    guard position + 1 < self.bytes.count else { throw .truncated }
                    let target = Int(byte & 0x3F) << 8 | Int(self.bytes[position + 1])
                    // Only backwards pointers: a pointer to itself or later could loop.
                    guard target < position, jumps < 64 else { throw .malformed("compression loop") }
                    if !jumped { self.offset = position + 2 }
                    jumped = true
                    jumps += 1
                    position = target
                default:
                    throw .malformed("reserved label type")
                }
            }
        }
    }
}

/// A checked view of a DNS message header, in the shape of the other wire types; the
/// sections behind it are read by `DNS.Message(_:)`, which follows names and
/// compression with the bounds described on `DNS`.
public struct DNSPacket {
    public let bytes: UnsafeRawBufferPointer

    public init(checking bytes: UnsafeRawBufferPointer) throws(WireError) {
        guard bytes.count >= DNS.headerLength else { throw .truncated }
        self.bytes = bytes
    }

    public var id: UInt16 { self.bytes.u16(at: 0) }
    public var isResponse: Bool { self.bytes[2] & 0x80 != 0 }
    public var opcode: UInt8 { self.bytes[2] >> 3 & 0x0F }
    public var isTruncated: Bool { self.bytes[2] & 0x02 != 0 }
    public var recursionDesired: Bool { self.bytes[2] & 0x01 != 0 }
    public var responseCode: UInt8 { self.bytes[3] & 0x0F }
    public var questionCount: Int { Int(self.bytes.u16(at: 4)) }
    public var answerCount: Int { Int(self.bytes.u16(at: 6)) }
    public var authorityCount: Int { Int(self.bytes.u16(at: 8)) }
    public var additionalCount: Int { Int(self.bytes.u16(at: 10)) }
}

/// The meaning of a DNS message is its `Message`.
public typealias DNSRepr = DNS.Message

extension DNS.Message {
    public init(_ packet: DNSPacket) throws(WireError) {
        self = try DNS.parse([UInt8](packet.bytes))
    }

    public var bytes: [UInt8] {
        get throws(WireError) { try DNS.encode(self) }
    }
}
