#if canImport(Glibc)
import Glibc
#endif
import NetSockJSON
import NetSockPOSIX
import NetSockRPC

/// The result-schema check the test suites run the daemon under. With
/// `NETSOCK_RESULT_CHECK_DIR` set, every declared method's results are checked against
/// the schema it documents (a mismatch is answered as -32603, so the calling test fails
/// at that call), and `DIR/PID.log` records each method that answered and each
/// mismatch; `Tests/check-results.py` then fails a run in which any method never
/// answered or any result did not match.
final class ResultLog {
    private let fd: Int32
    private var seen: Set<String> = []

    static let environmentKey = "NETSOCK_RESULT_CHECK_DIR"

    init?(environment: [String: String]) {
        guard let directory = environment[Self.environmentKey], !directory.isEmpty else { return nil }
        let fd = open("\(directory)/\(getpid()).log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        self.fd = fd
    }

    deinit { close(self.fd) }

    func record(method: String, result: JSONValue, mismatch: RPCError?) {
        if let mismatch {
            let detail = mismatch.data?["detail"]?.stringValue ?? mismatch.message
            self.write("MISMATCH \(method) \(detail)")
        } else if self.seen.insert(method).inserted {
            self.write("ok \(method)")
        }
    }

    private func write(_ line: String) { FileDescriptorIO.writeAll(self.fd, Array((line + "\n").utf8)) }
}
