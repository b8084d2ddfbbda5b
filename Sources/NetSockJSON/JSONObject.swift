/// A JSON object that keeps its members in insertion order.
///
/// Order matters to people reading replies and to the generated OpenRPC
/// document, which must be byte-identical from run to run. Small objects (nearly
/// all of this protocol's) are scanned linearly; past `indexThreshold` members a
/// key index keeps look-up and insertion O(1), so a hostile request with 80,000
/// param keys costs linear time, not quadratic.
public struct JSONObject: Sendable, Hashable, Sequence {
    public private(set) var members: [(key: String, value: JSONValue)]
    /// Member positions by key; built once the object outgrows a linear scan.
    private var index: [String: Int]?
    static let indexThreshold = 16

    public init() { self.members = [] }

    /// A later member with the key of an earlier one replaces it, as assignment does.
    public init(_ members: [(String, JSONValue)]) {
        self.members = []
        self.members.reserveCapacity(members.count)
        if members.count > Self.indexThreshold {
            self.index = [:]
            self.index!.reserveCapacity(members.count)
        }
        for (key, value) in members { self[key] = value }
    }

    /// Members whose keys the caller knows to be distinct; no duplicate check.
    public init(uniqueKeysWithValues members: [(String, JSONValue)]) {
        self.members = members.map { (key: $0.0, value: $0.1) }
        if self.members.count > Self.indexThreshold { self.rebuildIndex() }
    }

    /// Members already in the stored form, keys known distinct: taken without a copy.
    public init(uniqueMembers members: [(key: String, value: JSONValue)]) {
        self.members = members
        if self.members.count > Self.indexThreshold { self.rebuildIndex() }
    }

    public var count: Int { self.members.count }
    public var isEmpty: Bool { self.members.isEmpty }
    public var keys: [String] { self.members.map(\.key) }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return self.members.firstIndex { $0.key == key }
    }

    private mutating func rebuildIndex() {
        var index: [String: Int] = [:]
        index.reserveCapacity(self.members.count)
        for (position, member) in self.members.enumerated() { index[member.key] = position }
        self.index = index
    }

    /// Reads a member; assigning `nil` removes it, assigning a new key appends it.
    public subscript(key: String) -> JSONValue? {
        get { self.position(of: key).map { self.members[$0].value } }
        set {
            if let position = self.position(of: key) {
                guard let newValue else {
                    self.members.remove(at: position)
                    if self.index != nil { self.rebuildIndex() }
                    return
                }
                self.members[position].value = newValue
            } else if let newValue {
                self.members.append((key, newValue))
                if self.index != nil {
                    self.index![key] = self.members.count - 1
                } else if self.members.count > Self.indexThreshold {
                    self.rebuildIndex()
                }
            }
        }
    }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
        self.members.makeIterator()
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        // Member order is presentation, not meaning.
        guard lhs.count == rhs.count else { return false }
        for (key, value) in lhs.members where rhs[key] != value { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for member in self.members {
            var memberHasher = Hasher()
            memberHasher.combine(member.key)
            memberHasher.combine(member.value)
            combined ^= memberHasher.finalize()
        }
        hasher.combine(self.count)
        hasher.combine(combined)
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Literal keys are distinct (as Swift requires of dictionary literals), so members are taken as written.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(uniqueKeysWithValues: elements)
    }
}
