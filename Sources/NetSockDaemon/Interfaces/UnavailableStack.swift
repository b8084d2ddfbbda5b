import NSAPI

/// Stands in for a stack this build does not provide yet (`ip`, `modem`): every
/// call is `NSAPI_ERROR_UNSUPPORTED`, so configured interfaces are listed and
/// refuse work clearly instead of vanishing.
final class UnavailableStack: NetworkStack {
    let name: String
    var eventHandler: ((SocketHandle) -> Void)?

    init(name: String) { self.name = name }

    func socketOpen(_ proto: SocketProtocol) throws(NSAPIError) -> SocketHandle { throw .unsupported }
    func socketClose(_ handle: SocketHandle) {}
    func socketBind(_ handle: SocketHandle, _ address: SocketAddress) throws(NSAPIError) { throw .unsupported }
    func socketListen(_ handle: SocketHandle, backlog: Int) throws(NSAPIError) { throw .unsupported }
    func socketConnect(_ handle: SocketHandle, _ address: SocketAddress) throws(NSAPIError) { throw .unsupported }
    func socketAccept(_ handle: SocketHandle) throws(NSAPIError) -> (SocketHandle, SocketAddress) { throw .unsupported }
    func socketSend(_ handle: SocketHandle, _ data: ArraySlice<UInt8>) throws(NSAPIError) -> Int { throw .unsupported }
    func socketReceive(_ handle: SocketHandle, maxBytes: Int) throws(NSAPIError) -> [UInt8] { throw .unsupported }
    func socketSendTo(_ handle: SocketHandle, _ address: SocketAddress, _ data: ArraySlice<UInt8>) throws(NSAPIError) -> Int {
        throw .unsupported
    }
    func socketReceiveFrom(_ handle: SocketHandle, maxBytes: Int) throws(NSAPIError) -> (SocketAddress, [UInt8]) {
        throw .unsupported
    }
    func socketShutdown(_ handle: SocketHandle, _ direction: ShutdownDirection) throws(NSAPIError) { throw .unsupported }
    func setOption(_ handle: SocketHandle, _ option: SocketOption, _ value: SocketOptionValue) throws(NSAPIError) {
        throw .unsupported
    }
    func getOption(_ handle: SocketHandle, _ option: SocketOption) throws(NSAPIError) -> SocketOptionValue { throw .unsupported }
    func localAddress(_ handle: SocketHandle) throws(NSAPIError) -> SocketAddress { throw .unsupported }
}
