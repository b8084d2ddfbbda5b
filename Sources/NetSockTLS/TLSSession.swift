import CNetSockTLS
public import NSAPI

/// Why TLS failed, for a person (`error.data.detail`) and as the NSAPI code.
public struct TLSFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The server's certificate was refused: expired, wrong host, untrusted, self-signed.
        case certificate
        /// The peer broke the protocol (garbage instead of a ServerHello, a fatal alert).
        case handshake
        /// A certificate, key or name given to the socket did not parse.
        case configuration
        /// After the handshake: a record failed to decrypt or the peer sent an alert.
        case session
    }

    public var kind: Kind
    public var code: Int32
    public var description: String

    /// The transport ended under the session (MBEDTLS_ERR_SSL_CONN_EOF), no alert given.
    public var isEndOfStream: Bool { self.code == -0x7280 }

    /// Mbed's TLSSocket: any handshake failure is AUTH_FAILURE, a record error
    /// DEVICE_ERROR, a bad certificate or key given to it PARAMETER.
    public var nsapiError: NSAPIError {
        switch self.kind {
        case .certificate, .handshake: .authFailure
        case .configuration: .parameter
        case .session: .deviceError
        }
    }
}

/// One TLS client session over Mbed TLS (Debian's libmbedtls), with the transport as
/// two byte queues the owner moves: ciphertext in with `feed`, out with `output`.
/// It does no I/O, so the same session works over any stack's TCP socket and in
/// tests over captured or hostile bytes.
public final class TLSSession {
    private let tls: OpaquePointer

    public init() throws(TLSFailure) {
        var error = [CChar](repeating: 0, count: 160)
        guard let tls = cnetsock_tls_new(&error, error.count) else {
            throw TLSFailure(kind: .configuration, code: 0, description: "Mbed TLS: \(Self.text(error))")
        }
        self.tls = tls
    }

    deinit { cnetsock_tls_free(self.tls) }

    // MARK: Configuration

    /// One or more PEM certificates the server's chain must end in.
    public func addTrustAnchors(pem: String) throws(TLSFailure) {
        let result = pem.utf8CString.withUnsafeBufferPointer { cnetsock_tls_add_ca_pem(self.tls, $0.baseAddress, $0.count - 1) }
        try Self.check(result, "root CA certificate")
    }

    /// Every certificate file in a directory (the host's store, /etc/ssl/certs).
    public func addTrustAnchors(directory: String) throws(TLSFailure) {
        try Self.check(cnetsock_tls_add_ca_path(self.tls, directory), "trust store \(directory)")
    }

    /// The client's certificate (chain) and its private key, PEM. The key is a secret:
    /// the copies made here are zeroed once parsed.
    public func setClientCertificate(_ cert: String, key: String) throws(TLSFailure) {
        var certBytes = Array(cert.utf8)
        var keyBytes = Array(key.utf8)
        defer {
            certBytes.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) }
            keyBytes.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) }
        }
        let result = certBytes.withUnsafeBufferPointer { cert in
            keyBytes.withUnsafeBufferPointer { key in
                cert.withMemoryRebound(to: CChar.self) { cert in
                    key.withMemoryRebound(to: CChar.self) { key in
                        cnetsock_tls_set_own_cert(self.tls, cert.baseAddress, cert.count, key.baseAddress, key.count)
                    }
                }
            }
        }
        try Self.check(result, "client certificate or key")
    }

    /// SNI, and the name the server's certificate must carry.
    public func setHostname(_ name: String) throws(TLSFailure) {
        try Self.check(cnetsock_tls_set_hostname(self.tls, name), "host name")
    }

    // MARK: The session

    /// True once the handshake is done; false when it needs more from the transport.
    public func handshake() throws(TLSFailure) -> Bool {
        let result = cnetsock_tls_handshake(self.tls)
        if result == 0 { return true }
        if result == CNETSOCK_TLS_AGAIN { return false }
        let flags = cnetsock_tls_verify_flags(self.tls)
        // MBEDTLS_ERR_X509_CERT_VERIFY_FAILED: the chain, the name or the dates.
        if result == -0x2700, flags != 0 {
            throw TLSFailure(kind: .certificate, code: result, description: "certificate refused: \(Self.reasons(flags))")
        }
        throw TLSFailure(kind: .handshake, code: result, description: "TLS handshake failed: \(Self.errorText(result))")
    }

    /// Plaintext taken, at most one record's worth; nil when the output is full.
    public func write(_ data: UnsafeRawBufferPointer) throws(TLSFailure) -> Int? {
        guard !data.isEmpty else { return 0 }
        let result = cnetsock_tls_write(self.tls, data.baseAddress!.assumingMemoryBound(to: UInt8.self), data.count)
        if result == CNETSOCK_TLS_AGAIN { return nil }
        guard result >= 0 else { throw TLSFailure(kind: .session, code: Int32(result), description: "TLS write: \(Self.errorText(Int32(result)))") }
        return Int(result)
    }

    /// Plaintext read: 0 at the end of the stream (close_notify or the transport's end),
    /// nil when more ciphertext is needed.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TLSFailure) -> Int? {
        guard !buffer.isEmpty else { return 0 }
        let result = cnetsock_tls_read(self.tls, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), buffer.count)
        if result == CNETSOCK_TLS_AGAIN { return nil }
        guard result >= 0 else { throw TLSFailure(kind: .session, code: Int32(result), description: "TLS read: \(Self.errorText(Int32(result)))") }
        return Int(result)
    }

    /// Queues the close_notify alert.
    public func closeNotify() { _ = cnetsock_tls_close_notify(self.tls) }

    // MARK: The transport side

    /// How much ciphertext `feed` takes now.
    public var inputRoom: Int { cnetsock_tls_input_room(self.tls) }

    /// Ciphertext from the transport; returns how much was taken.
    @discardableResult
    public func feed(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        return cnetsock_tls_feed(self.tls, base.assumingMemoryBound(to: UInt8.self), bytes.count)
    }

    /// The transport ended: once what was fed is read, reads see the end.
    public func feedEnd() { cnetsock_tls_feed_end(self.tls) }

    /// Lends the ciphertext waiting for the transport; `body` returns how much it sent.
    public func withOutput(_ body: (UnsafeRawBufferPointer) -> Int) {
        var length = 0
        guard let base = cnetsock_tls_output(self.tls, &length), length > 0 else { return }
        let sent = body(UnsafeRawBufferPointer(start: base, count: length))
        if sent > 0 { cnetsock_tls_output_sent(self.tls, sent) }
    }

    public var hasOutput: Bool {
        var length = 0
        _ = cnetsock_tls_output(self.tls, &length)
        return length > 0
    }

    // MARK: Text

    private static func check(_ result: Int32, _ what: String) throws(TLSFailure) {
        guard result != 0 else { return }
        throw TLSFailure(kind: .configuration, code: result, description: "\(what): \(Self.errorText(result))")
    }

    static func errorText(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 200)
        cnetsock_tls_error_text(code, &buffer, buffer.count)
        return "\(Self.text(buffer)) (-0x\(String(-code, radix: 16)))"
    }

    /// The verification flags as words a person knows: expired, wrong host, untrusted, self-signed.
    static func reasons(_ flags: UInt32) -> String {
        var buffer = [CChar](repeating: 0, count: 1024)
        cnetsock_tls_verify_text(flags, &buffer, buffer.count)
        let lines = Self.text(buffer).split(separator: "\n").map { String($0.trimmingBlanks) }
        return lines.joined(separator: "; ")
    }

    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
