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

/// A port nobody uses now, for bind tests (Mbed uses 1024, which a host may hold).
func freePort() -> Int {
    Int.random(in: 20_000...60_000)
}
