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
public struct RPCDispatcher<Context: RPCCaller> {
    public var table: MethodTable<Context>
    public var maxBatch: Int

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
        let encode: (RPCResponse) -> [UInt8] = context.discardsReplies ? { _ in [] } : { JSONCodec.encode($0.json) }
        switch RPCEnvelope(parsing: message, maxBatch: self.maxBatch) {
        case .rejected(let error):
            reply(encode(RPCResponse(id: .null, error: error)))
        case .single(let incoming):
            self.run(incoming, context: context, deferred: deferred) { reply($0.map(encode)) }
        case .batch(let entries):
            let gather = BatchGatherer(count: entries.count, context: context, encode: encode, reply: reply)
            for (index, entry) in entries.enumerated() {
                self.run(entry, context: context, deferred: deferred) { gather.fill(index, $0) }
            }
        }
    }

    private func run(
        _ incoming: RPCIncoming, context: Context, deferred: (Responder) -> Void,
        reply: @escaping (RPCResponse?) -> Void
    ) {
        switch incoming {
        case .discarded:
            reply(nil)
        case .invalid(let id, let error):
            reply(RPCResponse(id: id, error: error))
        case .request(let request):
            if let refusal = context.admissionError() {
                return reply(request.id.map { RPCResponse(id: $0, error: refusal) })
            }
            let responder = Responder { outcome in
                guard let id = request.id else { return reply(nil) }
                reply(RPCResponse(id: id, outcome: outcome))
            }
            self.call(request, context: context, responder: responder)
            if !responder.isComplete { deferred(responder) }
        }
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
            let call = MethodCall(
                request: request, params: Params(request.params), context: context, responder: responder)
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

/// Collects the replies of a batch in order and sends them once all are in. Each
/// entry is encoded when it answers, and its bytes are reported to the caller as held.
private final class BatchGatherer<Context: RPCCaller> {
    private var slots: [[UInt8]?]
    private var remaining: Int
    private var held = 0
    private let context: Context
    private let encode: (RPCResponse) -> [UInt8]
    private let reply: ([UInt8]?) -> Void

    init(count: Int, context: Context, encode: @escaping (RPCResponse) -> [UInt8], reply: @escaping ([UInt8]?) -> Void) {
        self.slots = Array(repeating: nil, count: count)
        self.remaining = count
        self.context = context
        self.encode = encode
        self.reply = reply
    }

    func fill(_ index: Int, _ response: RPCResponse?) {
        if let response {
            let bytes = self.encode(response)
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
