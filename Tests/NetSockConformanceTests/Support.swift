import NetSockClient
import NetSockJSON
import NetSockTestSupport

/// NSAPI codes as the Mbed tests compare them.
typealias NSAPI = NSAPICode

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
