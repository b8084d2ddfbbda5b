import NSAPI
import NetSockClient
import NetSockRPC

/// netsockctl's documented exit codes (docs/netsockctl.md).
public enum ExitStatus: Int32, Sendable, CaseIterable {
    case success = 0
    /// The daemon answered with an error.
    case errorReply = 1
    /// Bad command line.
    case usage = 2
    /// No answer in time, or an NSAPI timeout (WOULD_BLOCK, TIMEOUT, CONNECTION_TIMEOUT).
    case timeout = 3
    /// The caller's role does not allow the method (-32001), or the socket's permissions.
    case notPermitted = 4
    /// No such method (-32601) or socket (NSAPI_ERROR_NO_SOCKET).
    case notFound = 5
    /// Nothing listens on the control socket.
    case daemonNotRunning = 6

    /// The exit code for a failed call: never `success`.
    public init(_ error: ClientError) {
        switch error {
        case .notRunning: self = .daemonNotRunning
        case .disconnected: self = .daemonNotRunning
        case .notPermitted: self = .notPermitted
        case .timeout: self = .timeout
        case .rpc(let rpcError): self.init(rpcError)
        case .protocolViolation, .system: self = .errorReply
        }
    }

    public init(_ error: RPCError) {
        switch error.code {
        case RPCError.notPermittedCode: self = .notPermitted
        case RPCError.methodNotFoundCode: self = .notFound
        case Int(NSAPIError.noSocket.rawValue): self = .notFound
        case Int(NSAPIError.wouldBlock.rawValue), Int(NSAPIError.timeout.rawValue),
            Int(NSAPIError.connectionTimeout.rawValue):
            self = .timeout
        default: self = .errorReply
        }
    }
}
