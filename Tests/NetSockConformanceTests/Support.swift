import NetSockClient
import NetSockJSON
import NetSockTestSupport

/// NSAPI codes as the Mbed tests compare them.
enum NSAPI {
    static let ok = 0
    static let wouldBlock = -3001
    static let unsupported = -3002
    static let parameter = -3003
    static let noConnection = -3004
    static let noSocket = -3005
    static let noAddress = -3006
    static let noMemory = -3007
    static let dnsFailure = -3009
    static let dhcpFailure = -3010
    static let inProgress = -3013
    static let already = -3014
    static let isConnected = -3015
    static let authFailure = -3011
    static let timeout = -3019
    static let busy = -3020
}

/// Mbed's echo test sizes: 1...10, then 100...1200 in steps of 100.
let echoSizes = Array(1...10) + Array(stride(from: 100, through: 1200, by: 100))

/// One daemon for the socket suites; each test uses its own connection (its own sockets).
let socketSuiteDaemon: ConformanceDaemon = {
    do {
        return try ConformanceDaemon()
    } catch {
        fatalError("cannot start netsockd for the conformance suite: \(error)")
    }
}()

extension NSAPIClient {
    /// Resolves Mbed's ECHO_SERVER_ADDR as every socket test does.
    func echoAddress(_ environment: ConformanceDaemon) -> String {
        (try? self.rpc.call(API.DNSGetHostByName.name, ["name": .string(environment.echoHost), "version": "ipv4"]))?["address"]?.stringValue
            ?? TestPeers.shared.address
    }

    func connect(_ socket: Int, _ address: String, _ port: Int) -> Int {
        self.code(API.SocketConnect.name, ["socket": JSONValue(socket), "address": .string(address), "port": JSONValue(port)])
    }

    func setTimeout(_ socket: Int, _ milliseconds: Int) {
        _ = self.code(API.SocketSetTimeout.name, ["socket": JSONValue(socket), "timeout_ms": JSONValue(milliseconds)])
    }

    func setBlocking(_ socket: Int, _ blocking: Bool) {
        _ = self.code(API.SocketSetBlocking.name, ["socket": JSONValue(socket), "blocking": .bool(blocking)])
    }

    func sigio(_ socket: Int, _ enabled: Bool) {
        _ = self.code(API.SocketSigio.name, ["socket": JSONValue(socket), "enabled": .bool(enabled)])
    }

    func close(_ socket: Int) -> Int { self.code(API.SocketClose.name, ["socket": JSONValue(socket)]) }

    func bind(_ socket: Int, _ address: String?, _ port: Int) -> Int {
        var params: JSONObject = ["socket": JSONValue(socket), "port": JSONValue(port)]
        if let address { params["address"] = .string(address) }
        return self.code(API.SocketBind.name, params)
    }

    func reopen(_ socket: Int, _ proto: String) -> Int {
        self.code(API.SocketOpen.name, ["protocol": .string(proto), "interface": .string(self.interface), "socket": JSONValue(socket)])
    }

    /// Opens sockets until one fails; returns how many opened and the failure, then closes them.
    func openUntilFailure(_ proto: String) -> (Int, Int) {
        var opened: [Int] = []
        var failure = 0
        while opened.count < 10_000 {
            switch self.call(API.SocketOpen.name, ["protocol": .string(proto), "interface": .string(self.interface)]) {
            case .success(let result): opened.append(Int(result["socket"]?.intValue ?? 0))
            case .failure(let error):
                failure = error.code
                for socket in opened { _ = self.close(socket) }
                return (opened.count, failure)
            }
        }
        return (opened.count, failure)
    }

    /// The interface's own IPv4 address.
    func ownAddress() -> String {
        (try? self.rpc.call(API.InterfaceStatus.name, ["interface": .string(self.interface)]))?["ipv4"]?["address"]?.stringValue ?? "127.0.0.1"
    }
}

/// A port nobody uses now, for bind tests (Mbed uses 1024, which a host may hold).
func freePort() -> Int {
    Int.random(in: 20_000...60_000)
}
