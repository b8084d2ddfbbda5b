public import NetSockJSON

/// The caller of a method as the dispatcher needs to know it.
public protocol RPCCaller {
    func permits(_ role: MethodRole) -> Bool
    /// Why a request may not start now (too many waiting, or too much output held); `nil` runs it.
    func admissionError() -> RPCError?
    /// Encoded replies held back for their batch grew or shrank by `bytes`.
    func heldReplyBytesChanged(by bytes: Int)
    /// The caller has gone but its requests still run (their effects happen): encoding
    /// replies nobody will read would only cost time every other caller waits for.
    var discardsReplies: Bool { get }
}

extension RPCCaller {
    public func admissionError() -> RPCError? { nil }
    public func heldReplyBytesChanged(by bytes: Int) {}
    public var discardsReplies: Bool { false }
}

/// Runs JSON-RPC messages against a ``MethodTable``: envelope rules, role checks,
/// param validation from the specs, batches, notifications and deferred replies.
///
/// Pure and synchronous; handlers that must wait keep their ``Responder``.
/// Batch entries run in order and their replies are gathered in request order;
/// the batch reply leaves once every entry has answered (JSON-RPC allows any order,
/// keeping it makes replies easy to read). Replies leave encoded, and a batch holds
/// its entries encoded, so the caller can count every byte it is asked to keep.
public final class RPCDispatcher<Context: RPCCaller> {
    public var table: MethodTable<Context>
    public var maxBatch: Int
    private let constantResults = ConstantResults()

    public init(table: MethodTable<Context>, maxBatch: Int = 100) {
        self.table = table
        self.maxBatch = maxBatch
    }

    /// Dispatches one parsed message; `reply` is called once with the encoded JSON text
    /// to send, or with `nil` when nothing may be sent (notifications only).
    /// `deferred` sees each responder a handler kept, so its owner can abandon it.
    public func dispatch(
        _ message: JSONValue, context: Context, deferred: (Responder) -> Void = { _ in },
        reply: @escaping ([UInt8]?) -> Void
    ) {
        switch RPCEnvelope(parsing: message, maxBatch: self.maxBatch) {
        case .rejected(let error):
            reply(self.encode(RPCResponse(id: .null, error: error), method: nil, context: context))
        case .single(let incoming):
            self.run(incoming, context: context, deferred: deferred, reply: reply)
        case .batch(let entries):
            let gather = BatchGatherer(count: entries.count, context: context, reply: reply)
            for (index, entry) in entries.enumerated() {
                self.run(entry, context: context, deferred: deferred) { gather.fill(index, $0) }
            }
        }
    }

    private func run(
        _ incoming: RPCIncoming, context: Context, deferred: (Responder) -> Void, reply: @escaping ([UInt8]?) -> Void
    ) {
        switch incoming {
        case .discarded:
            reply(nil)
        case .invalid(let id, let error):
            reply(self.encode(RPCResponse(id: id, error: error), method: nil, context: context))
        case .request(let request):
            if let refusal = context.admissionError() {
                return reply(request.id.map { self.encode(RPCResponse(id: $0, error: refusal), method: nil, context: context) })
            }
            let responder = Responder { outcome in
                guard let id = request.id else { return reply(nil) }
                reply(self.encode(RPCResponse(id: id, outcome: outcome), method: request.method, context: context))
            }
            self.call(request, context: context, responder: responder)
            if !responder.isComplete { deferred(responder) }
        }
    }

    /// The reply's text: nothing for a caller that has gone; a constant result's bytes
    /// from the first time it was encoded.
    private func encode(_ response: RPCResponse, method: String?, context: Context) -> [UInt8] {
        if context.discardsReplies { return [] }
        guard let method, case .success(let result) = response.outcome, self.table[method]?.spec.resultIsConstant == true else {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(256)
            response.encode(into: &bytes)
            return bytes
        }
        return self.constantResults.response(id: response.id, method: method) { JSONCodec.encode(result) }
    }

    /// Runs one request through role check, validation and its handler.
    public func call(_ request: RPCRequest, context: Context, responder: Responder) {
        guard let entry = self.table[request.method] else {
            return responder.fail(.methodNotFound(request.method))
        }
        guard context.permits(entry.spec.role) else {
            return responder.fail(.notPermitted(method: request.method, role: entry.spec.role.rawValue))
        }
        do {
            try Schema.validate(object: request.params, fields: entry.spec.params)
            let call = MethodCall(request: request, context: context, responder: responder)
            switch try entry.handler(call) {
            case .result(let result): responder.succeed(result)
            case .failure(let error): responder.fail(error)
            case .deferred: break
            }
        } catch {
            responder.fail(error)
        }
    }
}

/// Encoded results of methods whose result never changes, and the responses around
/// them: the same bytes jansson wrote for the whole response, with the id in place.
private final class ConstantResults {
    private var encoded: [String: [UInt8]] = [:]

    func response(id: JSONValue, method: String, encodeResult: () -> [UInt8]) -> [UInt8] {
        let result = self.encoded[method] ?? encodeResult()
        self.encoded[method] = result
        // The member order RPCResponse writes: jsonrpc, id, result.
        var bytes = RPCResponse.head
        bytes.reserveCapacity(result.count + 64)
        RPCResponse.writeID(id, into: &bytes)
        bytes += RPCResponse.resultMember
        bytes += result
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }
}

/// Collects the replies of a batch in order and sends them once all are in. Each
/// entry is encoded when it answers, and its bytes are reported to the caller as held.
private final class BatchGatherer<Context: RPCCaller> {
    private var slots: [[UInt8]?]
    private var remaining: Int
    private var held = 0
    private let context: Context
    private let reply: ([UInt8]?) -> Void

    init(count: Int, context: Context, reply: @escaping ([UInt8]?) -> Void) {
        self.slots = Array(repeating: nil, count: count)
        self.remaining = count
        self.context = context
        self.reply = reply
    }

    func fill(_ index: Int, _ encoded: [UInt8]?) {
        if let bytes = encoded {
            self.slots[index] = bytes
            self.held += bytes.count
            self.context.heldReplyBytesChanged(by: bytes.count)
        }
        self.remaining -= 1
        guard self.remaining == 0 else { return }
        self.context.heldReplyBytesChanged(by: -self.held)
        let entries = self.slots.compactMap { $0 }
        // A batch of notifications only gets no reply at all (JSON-RPC 2.0 §6).
        guard !entries.isEmpty else { return self.reply(nil) }
        var array: [UInt8] = [UInt8(ascii: "[")]
        array.reserveCapacity(self.held + entries.count + 1)
        for (position, entry) in entries.enumerated() {
            if position > 0 { array.append(UInt8(ascii: ",")) }
            array.append(contentsOf: entry)
        }
        array.append(UInt8(ascii: "]"))
        self.slots = []
        self.reply(array)
    }
}
