/// An enumeration whose cases travel on the wire under a fixed lower-case name.
public protocol APINamed: CaseIterable {
    /// The name used in JSON-RPC params and results.
    var apiName: String { get }
}

extension APINamed {
    /// The case named `apiName` on the wire; `nil` for any other text.
    public init?(apiName: String) {
        guard let match = Self.allCases.first(where: { $0.apiName == apiName }) else { return nil }
        self = match
    }
}
