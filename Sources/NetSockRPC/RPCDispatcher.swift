public import NetSockJSON

/// The caller of a method as the dispatcher needs to know it.
public protocol RPCCaller {
    func permits(_ role: MethodRole) -> Bool
}

/// Runs JSON-RPC messages against a ``MethodTable``: envelope rules, role checks,
/// param validation from the specs, batches, notifications and deferred replies.
///
/// Pure and synchronous; handlers that must wait keep their ``Responder``.
/// Batch entries run in order and their replies are gathered in request order;
/// the batch reply leaves once every entry has answered (JSON-RPC allows any order,
/// keeping it makes replies easy to read).
public struct RPCDispatcher<Context: RPCCaller> {
    public var table: MethodTable<Context>
    public var maxBatch: Int

    public init(table: MethodTable<Context>, maxBatch: Int = 100) {
        self.table = table
        self.maxBatch = maxBatch
    }

    /// Dispatches one parsed message; `reply` is called once with the JSON to send,
    /// or with `nil` when nothing may be sent (notifications only).
    /// `deferred` sees each responder a handler kept, so its owner can abandon it.
    public func dispatch(
        _ message: JSONValue, context: Context, deferred: (Responder) -> Void = { _ in },
        reply: @escaping (JSONValue?) -> Void
    ) {
        switch RPCEnvelope(parsing: message, maxBatch: self.maxBatch) {
        case .rejected(let error):
            reply(RPCResponse(id: .null, error: error).json)
        case .single(let incoming):
            self.run(incoming, context: context, deferred: deferred) { reply($0?.json) }
        case .batch(let entries):
            let gather = BatchGatherer(count: entries.count, reply: reply)
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

/// Collects the replies of a batch in order and sends them once all are in.
private final class BatchGatherer {
    private var slots: [RPCResponse?]
    private var remaining: Int
    private let reply: (JSONValue?) -> Void

    init(count: Int, reply: @escaping (JSONValue?) -> Void) {
        self.slots = Array(repeating: nil, count: count)
        self.remaining = count
        self.reply = reply
    }

    func fill(_ index: Int, _ response: RPCResponse?) {
        self.slots[index] = response
        self.remaining -= 1
        guard self.remaining == 0 else { return }
        let responses = self.slots.compactMap { $0?.json }
        // A batch of notifications only gets no reply at all (JSON-RPC 2.0 §6).
        self.reply(responses.isEmpty ? nil : .array(responses))
    }
}
