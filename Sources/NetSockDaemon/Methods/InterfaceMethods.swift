import NSAPI
import NetSockJSON
import NetSockRPC

/// `interface.*`: Mbed's NetworkInterface over JSON-RPC.
enum InterfaceMethods {
    static let interfaceField = Field("interface", .string(maxLength: 15), "Interface name.")
    static let statusNames = ConnectionStatus.allCases.map(\.apiName)

    /// The named interface (the default one when `name` is nil), or -32602 naming the param.
    static func interface(_ daemon: Daemon, _ name: String?) throws(RPCError) -> ManagedInterface {
        guard let interface = daemon.interfaces.interface(named: name) else {
            if let name { throw .invalidParams(param: "interface", "no interface named \(name)") }
            throw RPCError(.noConnection, detail: "no default interface is configured")
        }
        return interface
    }

    static func register(into table: inout MethodTable<Session>, _ daemon: @escaping DaemonAccess) {
        table.register(
            MethodSpec(
                "interface.list", summary: "Every interface with its type, stack and status.",
                result: .array(.object([
                    Field("name", .string, ""), Field("type", .string(oneOf: InterfaceType.allCases.map(\.rawValue)), ""),
                    Field("stack", .string, ""), Field("status", .string(oneOf: statusNames), ""), Field("default", .boolean, ""),
                ])),
                tags: ["interface"])
        ) { _ throws(RPCError) in
            let running = try daemon()
            return .result(.array(running.interfaces.interfaces.map { running.interfaces.summary($0) }))
        }

        table.register(
            MethodSpec(
                "interface.status", summary: "One interface in detail: status, MAC, addresses, gateway, DNS servers.",
                params: [.optional("interface", .string(maxLength: 15), "Interface name; the default interface when absent.")],
                result: .object([
                    Field("name", .string, ""), Field("type", .string, ""), Field("stack", .string, ""),
                    Field("status", .string(oneOf: statusNames), ""), Field("mac", .any, "aa:bb:cc:dd:ee:ff or null"),
                    Field("ipv4", .any, "{address, netmask, gateway} or null"), Field("ipv6", .array(.string), ""),
                    Field("dhcp", .boolean, ""), Field("dns", .array(.string), ""),
                ], open: true),
                tags: ["interface"])
        ) { call throws(RPCError) in
            let running = try daemon()
            let interface = try self.interface(running, call.params.optionalString("interface"))
            return .result(running.interfaces.details(interface, dns: running.resolver.servers(for: interface.name).map(DNSMethods.text)))
        }

        table.register(
            MethodSpec(
                "interface.connect", summary: "Brings the interface up and, when blocking, waits for an address.",
                description: "Status events follow: connecting, (local_up), global_up. Up already: NSAPI_ERROR_IS_CONNECTED; connecting: NSAPI_ERROR_BUSY; no address in time: NSAPI_ERROR_NO_CONNECTION. blocking false returns at once with status connecting. While it works, progress {request, stage} notifications name the stage: link_up, static_network, waiting_for_address.",
                params: [interfaceField, .optional("blocking", .boolean, "Wait for an address (default true).")],
                result: .object([Field("status", .string(oneOf: statusNames), "")]), role: .admin,
                errors: [.isConnected, .busy, .noConnection, .deviceError, .unsupported], tags: ["interface", "blocking"])
        ) { call throws(RPCError) in
            let running = try daemon()
            let interface = try self.interface(running, call.params.string("interface"))
            let session = call.context
            let request = call.request.id ?? .null
            let progress = { (stage: String) in
                session.notifyUnconditionally("progress", ["request": request, "stage": .string(stage)])
            }
            running.interfaces.connect(interface, blocking: call.params.optionalBool("blocking") ?? true, progress: progress) { result in
                call.responder.complete(result.map { ["status": .string($0.apiName)] }.mapError { RPCError($0) })
            }
            return .deferred
        }

        table.register(
            MethodSpec(
                "interface.disconnect", summary: "Takes the interface down (NSAPI_ERROR_NO_CONNECTION when already down).",
                params: [interfaceField], result: .object([Field("status", .string(oneOf: statusNames), "")]), role: .admin,
                errors: [.noConnection, .deviceError, .unsupported], tags: ["interface"])
        ) { call throws(RPCError) in
            let running = try daemon()
            let interface = try self.interface(running, call.params.string("interface"))
            let status = try nsapi { () throws(NSAPIError) in try running.interfaces.disconnect(interface) }
            return .result(["status": .string(status.apiName)])
        }

        table.register(
            MethodSpec(
                "interface.set_network", summary: "A static address, netmask and gateway; applied now when up, else on connect.",
                description: "netmask is dotted (255.255.255.0) or a prefix length (24); gateway may be empty for none. Turns DHCP off.",
                params: [
                    interfaceField, Field("address", .string, "IPv4 or IPv6 address."),
                    Field("netmask", .string, "Netmask or prefix length."), Field("gateway", .string, "Gateway address, or empty."),
                ],
                role: .admin, errors: [.parameter, .deviceError, .unsupported], tags: ["interface"])
        ) { call throws(RPCError) in
            let running = try daemon()
            let interface = try self.interface(running, call.params.string("interface"))
            let network = try self.staticNetwork(call.params)
            try nsapi { () throws(NSAPIError) in try running.interfaces.setNetwork(interface, network) }
            return .result(.object([:]))
        }

        table.register(
            MethodSpec(
                "interface.set_dhcp", summary: "Whether addresses come from DHCP; false keeps the static network.",
                description: "On the kernel stack DHCP belongs to the host's own client; true clears the static network netsockd would apply.",
                params: [interfaceField, Field("enabled", .boolean, "")], role: .admin, tags: ["interface"])
        ) { call throws(RPCError) in
            let interface = try self.interface(try daemon(), call.params.string("interface"))
            interface.dhcp = call.params.bool("enabled")
            if interface.dhcp { interface.staticNetwork = nil }
            return .result(.object([:]))
        }

        table.register(
            MethodSpec(
                "interface.set_default", summary: "Makes the interface the default for sockets and DNS.",
                params: [interfaceField], role: .admin, tags: ["interface"])
        ) { call throws(RPCError) in
            let running = try daemon()
            let interface = try self.interface(running, call.params.string("interface"))
            running.interfaces.defaultName = interface.name
            running.events.publish(topic: "interface", event: "default_changed", data: ["interface": .string(interface.name)])
            return .result(.object([:]))
        }
    }

    static func staticNetwork(_ params: Params) throws(RPCError) -> ManagedInterface.StaticNetwork {
        guard let address = IPAddress(parsing: params.string("address")), !address.isUnspecified, !address.isMulticast else {
            throw .invalidParams(param: "address", "address must be a unicast IPv4 or IPv6 address")
        }
        let maskText = params.string("netmask")
        let bits = address.version == .ipv4 ? 32 : 128
        var prefix: Int
        if let number = Int(maskText), (0...bits).contains(number) {
            prefix = number
        } else if case .v4(let mask)? = IPAddress(parsing: maskText), address.version == .ipv4 {
            prefix = mask.value.nonzeroBitCount
            // A netmask is contiguous ones: 255.0.255.0 is no netmask.
            guard mask.value == (prefix == 0 ? 0 : ~UInt32(0) << (32 - UInt32(prefix))) else {
                throw .invalidParams(param: "netmask", "netmask must be contiguous, such as 255.255.255.0")
            }
        } else {
            throw .invalidParams(param: "netmask", "netmask must be dotted (255.255.255.0) or a prefix length")
        }
        var gateway: IPAddress?
        let gatewayText = params.string("gateway")
        if !gatewayText.isEmpty {
            guard let parsed = IPAddress(parsing: gatewayText), parsed.version == address.version else {
                throw .invalidParams(param: "gateway", "gateway must be an address of the same family, or empty")
            }
            gateway = parsed.isUnspecified ? nil : parsed
        }
        return .init(address: address, prefixLength: prefix, gateway: gateway)
    }
}
