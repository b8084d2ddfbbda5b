/// Why bytes are not a valid packet. The stack drops such input and counts it; the
/// reason is for trace logs and tests.
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case truncated
        case malformed(String)
        case tooLong
    }

    public var reason: Reason

    public init(_ reason: Reason) { self.reason = reason }

    public static let truncated = WireError(.truncated)
    public static func malformed(_ detail: String) -> WireError { WireError(.malformed(detail)) }

    public var description: String {
        switch self.reason {
        case .truncated: "truncated"
        case .malformed(let detail): "malformed: \(detail)"
        case .tooLong: "too long"
        }
    }
}
