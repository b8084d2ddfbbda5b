import ArgumentParser
import NetSockClient
import NetSockJSON
import NetSockRPC

/// Completes interface names from the running daemon (for shell completion).
@Sendable func completeInterfaceNames(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
    let options = GlobalOptions.from(words)
    guard let client = try? options.connect(), let list = try? client.call("interface.list", timeoutMilliseconds: 2000) else { return [] }
    return (list.arrayValue ?? []).compactMap(\.["name"]?.stringValue).filter { $0.hasPrefix(prefix) }
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

    /// One call: the result, or the documented exit code after the error is reported.
    func call(_ method: String, _ params: JSONObject = [:]) throws -> JSONValue {
        do {
            return try self.connect().call(method, params, timeoutMilliseconds: self.timeoutMilliseconds)
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
func interfaceLines(_ status: JSONValue, _ output: Output) -> [String] {
    var lines: [(String, String)] = [
        ("name", status["name"]?.cell ?? "-"), ("type", status["type"]?.cell ?? "-"), ("stack", status["stack"]?.cell ?? "-"),
        ("status", output.status(status["status"]?.cell ?? "-")), ("mac", status["mac"]?.cell ?? "-"),
    ]
    if let ipv4 = status["ipv4"], !ipv4.isNull {
        lines.append(("ipv4", "\(ipv4["address"]?.cell ?? "-") netmask \(ipv4["netmask"]?.cell ?? "-") gateway \(ipv4["gateway"]?.cell ?? "-")"))
    } else {
        lines.append(("ipv4", "-"))
    }
    let ipv6 = status["ipv6"]?.arrayValue?.map(\.cell) ?? []
    lines.append(("ipv6", ipv6.isEmpty ? "-" : ipv6.joined(separator: ", ")))
    lines.append(("dhcp", status["dhcp"]?.cell ?? "-"))
    let dns = status["dns"]?.arrayValue?.map(\.cell) ?? []
    lines.append(("dns", dns.isEmpty ? "-" : dns.joined(separator: ", ")))
    for key in ["device", "index", "mtu", "carrier", "default"] where status[key] != nil {
        lines.append((key, status[key]?.cell ?? "-"))
    }
    return lines.map { key, value in output.bold(key + String(repeating: " ", count: 8 - key.count)) + "  " + value }
}
