import ArgumentParser
import NetSockClient
import NetSockJSON
import NetSockRPC

/// Completes interface names from the running daemon (for shell completion).
@Sendable func completeInterfaceNames(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
    let options = GlobalOptions.from(words)
    guard let client = try? options.connect(), let list = try? client.call(API.InterfaceList(), timeoutMilliseconds: 2000) else { return [] }
    return list.map(\.name).filter { $0.hasPrefix(prefix) }
}

extension GlobalOptions {
    /// The global options found among arbitrary words (for help and completion, which parse no command).
    static func from(_ words: [String]) -> GlobalOptions {
        var picked: [String] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            if ["-s", "--socket", "--timeout"].contains(word), index + 1 < words.count {
                picked += [word, words[index + 1]]
                index += 1
            } else if word == "--json" {
                picked.append(word)
            }
            index += 1
        }
        return (try? GlobalOptions.parse(picked)) ?? (try! GlobalOptions.parse([]))
    }

    /// One call by name (`netsockctl call`): the result, or the documented exit code after the error is reported.
    func call(_ method: String, _ params: JSONObject = [:]) throws -> JSONValue {
        do {
            return try self.connect().call(method, params, timeoutMilliseconds: self.timeoutMilliseconds)
        } catch {
            throw fail(error, options: self)
        }
    }

    /// One call of the API: its result, or the documented exit code after the error is reported.
    func call<Method: APIMethod>(_ method: Method) throws -> APIReply<Method.Result> {
        do {
            return try self.connect().reply(method, timeoutMilliseconds: self.timeoutMilliseconds)
        } catch {
            throw fail(error, options: self)
        }
    }

    /// Connects, reporting failure with its exit code.
    func client() throws -> RPCClient {
        do {
            return try self.connect()
        } catch {
            throw fail(error, options: self)
        }
    }
}

/// `interface.status` lines for people.
func interfaceLines(_ status: API.InterfaceDetails, _ output: Output) -> [String] {
    var lines: [(String, String)] = [
        ("name", status.name), ("type", status.type.rawValue), ("stack", status.stack.rawValue),
        ("status", output.status(status.status.rawValue)), ("mac", status.mac ?? "-"),
    ]
    if let ipv4 = status.ipv4 {
        lines.append(("ipv4", "\(ipv4.address) netmask \(ipv4.netmask) gateway \(ipv4.gateway ?? "-")"))
    } else {
        lines.append(("ipv4", "-"))
    }
    lines.append(("ipv6", status.ipv6.isEmpty ? "-" : status.ipv6.joined(separator: ", ")))
    lines.append(("dhcp", status.dhcp.json.cell))
    lines.append(("dns", status.dns.isEmpty ? "-" : status.dns.joined(separator: ", ")))
    if let device = status.device { lines.append(("device", device)) }
    if let index = status.index { lines.append(("index", String(index))) }
    if let mtu = status.mtu { lines.append(("mtu", String(mtu))) }
    if let carrier = status.carrier { lines.append(("carrier", carrier.json.cell)) }
    lines.append(("default", status.default.json.cell))
    if let cellular = status.cellular {
        lines.append(("cellular", cellularSummary(cellular)))
        if let imei = cellular.imei { lines.append(("imei", imei)) }
    }
    if let wifi = status.wifi { lines.append(("wifi", wifiSummary(wifi))) }
    return lines.map { key, value in output.bold(key + String(repeating: " ", count: 8 - key.count)) + "  " + value }
}
