#if canImport(Glibc)
import Glibc
#endif
import NetSockClient
import NetSockJSON
import NetSockRPC
import NetSockPOSIX
import NetSockTestSupport
import Testing

/// Every netsockctl subcommand against a running daemon, on a terminal (through a
/// pseudo-terminal) and not: stdout, stderr and exit codes.
@Suite struct NetsockctlCommandTests {
    static let environment: ConformanceDaemon = {
        do { return try ConformanceDaemon() } catch { fatalError("\(error)") }
    }()
    var daemon: DaemonLauncher { Self.environment.daemon }

    func json(_ arguments: [String]) throws -> JSONValue {
        let result = try self.daemon.ctl(arguments + ["--json"])
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return try JSONCodec.parse(result.stdout)
    }

    @Test func statusOnATerminalAndInAPipe() throws {
        let piped = try self.daemon.ctl(["status"])
        #expect(piped.status == 0)
        let lines = piped.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("netsockd 0.1.0 (API 1), pid ") == true)
        #expect(lines.dropFirst().first?.hasPrefix("INTERFACE  TYPE") == true)
        #expect(lines.contains { $0.hasPrefix("lo ") && $0.contains("global_up") && $0.contains("127.0.0.1") })
        #expect(!piped.stdout.contains("\u{1B}["), "no colour in a pipe")
        let terminal = try self.daemon.ctlOnTerminal(["status"])
        #expect(terminal.status == 0)
        #expect(terminal.output.contains("\u{1B}[32mglobal_up\u{1B}[0m"), "status colours on a terminal")
        let noColor = try self.daemon.ctlOnTerminal(["status"], environment: ["NO_COLOR": "1"])
        #expect(!noColor.output.contains("\u{1B}[32m"))
        let object = try self.json(["status"])
        #expect(object["daemon"]?["api_version"] == 1)
        #expect(object["interfaces"]?.arrayValue?.first?["name"] == "lo")
    }

    @Test func ifaceListAndShowMatchTheDaemon() throws {
        let client = try self.daemon.client()
        #expect(try self.json(["iface", "list"]) == (try client.call(API.InterfaceList.name)))
        #expect(try self.json(["iface", "show", "lo"]) == (try client.call(API.InterfaceStatus.name, ["interface": "lo"])))
        let table = try self.daemon.ctl(["iface", "list"])
        #expect(table.stdout.hasPrefix("NAME  TYPE      STACK   STATUS"))
        let lines = try self.daemon.ctl(["iface", "show", "lo"]).stdout
        #expect(lines.contains("ipv4      127.0.0.1 netmask 255.0.0.0"))
        #expect(try self.daemon.ctl(["-g", "ipv4.address", "iface", "show", "lo"]).stdout == "127.0.0.1\n")
        #expect(try self.daemon.ctl(["iface", "list", "-g", "name"]).stdout.split(separator: "\n").first == "lo")
        let jsonl = try self.daemon.ctl(["iface", "list", "--jsonl"]).stdout.split(separator: "\n")
        #expect(jsonl.allSatisfy { (try? JSONCodec.parse(String($0)))?["name"] != nil })
        let missing = try self.daemon.ctl(["-g", "nosuch.field", "iface", "show", "lo"])
        #expect(missing.status == 5)
        let unknown = try self.daemon.ctl(["iface", "show", "nope0"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("Invalid params (-32602)") && unknown.stderr.contains("nope0"))
    }

    /// `tcp connect --tls` as `ncat --ssl` users expect: plaintext on the pipe, the
    /// certificate checked against --ca, a client certificate when the server asks.
    @Test func tcpConnectOverTLS() throws {
        let peers = TestPeers.shared
        let pki = peers.tlsDirectory
        let port = String(peers.tls["tls_echo"] ?? 0)
        let echoed = try self.daemon.ctl(["tcp", "connect", "--tls", "--ca", pki + "/ca.pem", "echo.netsock.test", port], stdin: Array("over TLS\n".utf8))
        #expect(echoed.status == 0, "\(echoed.stderr)")
        #expect(echoed.stdout == "over TLS\n")
        // The host's own store does not know the test CA: refused, with the reason.
        let refused = try self.daemon.ctl(["tcp", "connect", "--tls", "echo.netsock.test", port], stdin: [])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("AUTH_FAILURE") && refused.stderr.contains("not correctly signed"), "\(refused.stderr)")
        let wrongName = try self.daemon.ctl(
            ["tcp", "connect", "--tls", "--ca", pki + "/ca.pem", "--servername", "other.netsock.test", "echo.netsock.test", port], stdin: [])
        #expect(wrongName.status != 0 && wrongName.stderr.contains("Common Name"), "\(wrongName.stderr)")
        let clientAuth = String(peers.tls["tls_client_auth"] ?? 0)
        let mutual = try self.daemon.ctl(
            ["tcp", "connect", "--tls", "--ca", pki + "/ca.pem", "--cert", pki + "/client.pem", "--key", pki + "/client.key", "echo.netsock.test", clientAuth],
            stdin: Array("mutual\n".utf8))
        #expect(mutual.status == 0 && mutual.stdout == "mutual\n", "\(mutual.stderr)")
        #expect(try self.daemon.ctl(["tcp", "connect", "--ca", "x.pem", "echo.netsock.test", port]).status == 2, "--ca without --tls is a usage error")
        #expect(try self.daemon.ctl(["tcp", "connect", "--tls", "--cert", "c.pem", "echo.netsock.test", port]).status == 2, "--cert needs --key")
    }

    @Test func dnsSubcommands() throws {
        #expect(try self.daemon.ctl(["dns", "resolve", "echo.netsock.test", "-4"]).stdout == "127.0.0.1\n")
        #expect(try self.daemon.ctl(["dns", "resolve", "v6only.netsock.test", "-6"]).stdout == "::1\n")
        let all = try self.daemon.ctl(["dns", "resolve", "google.com", "-4", "--all"]).stdout.split(separator: "\n")
        #expect(all.sorted() == ["127.0.1.1", "127.0.1.2"])
        let failure = try self.daemon.ctl(["dns", "resolve", "nosuch.netsock.test"])
        #expect(failure.status == 1 && failure.stderr.contains("NSAPI_ERROR_DNS_FAILURE"))
        #expect(try self.daemon.ctl(["dns", "resolve", "x", "-4", "-6"]).status == 2)
        #expect(try self.daemon.ctl(["dns", "servers"]).stdout == "127.0.0.1:\(TestPeers.shared.dns)\n")
        #expect(try self.daemon.ctl(["dns", "add", "192.0.2.99", "--interface", "lo"]).status == 0)
        #expect(try self.daemon.ctl(["dns", "servers", "--interface", "lo"]).stdout.hasPrefix("192.0.2.99\n"))
        #expect(try self.daemon.ctl(["dns", "reset"]).status == 0)
        #expect(try self.json(["dns", "servers"]) == (try self.daemon.client().call(API.DNSServers.name)))
    }

    @Test func sockListShowsEveryClientsSocketsToAnAdmin() throws {
        let holder = try self.daemon.client()
        let socket = try holder.call(API.SocketOpen.name, ["protocol": "udp", "interface": "lo"])["socket"]
        _ = try holder.call(API.SocketBind.name, ["socket": socket ?? 0, "address": "127.0.0.1", "port": 0])
        let listing = try self.json(["sock", "list"])
        #expect(listing.arrayValue?.contains { $0["socket"] == socket && $0["pid"] == .integer(Int64(getpid())) } == true)
        let table = try self.daemon.ctl(["sock", "list"]).stdout
        #expect(table.hasPrefix("CLIENT  PID"))
        #expect(table.contains("udp") && table.contains("127.0.0.1:"))
        #expect(try self.json(["sock", "list", "--mine"]) == .array([]))
    }

    @Test func helpComesFromTheDaemon() throws {
        let all = try self.daemon.ctl(["help"])
        #expect(all.status == 0)
        #expect(all.stdout.contains("METHODS (from the daemon"))
        #expect(all.stdout.contains(API.SocketOpen.name) && all.stdout.contains(API.DNSReset.name) && all.stdout.contains("(admin)"))
        let one = try self.daemon.ctl(["help", API.SocketOpen.name])
        #expect(one.stdout.hasPrefix("socket.open: Opens a TCP, UDP, ICMP or TLS socket"))
        #expect(one.stdout.contains("protocol   string (tcp|udp|icmp|nonip|tls), required."))
        #expect(one.stdout.contains("NSAPI_ERROR_NO_SOCKET (-3005)"))
        #expect(try self.daemon.ctl(["help", API.DNSResultNotification.method]).stdout.contains("(a notification the daemon sends)"))
        let missing = try self.daemon.ctl(["help", "no.such"])
        #expect(missing.status == 5)
        #expect(try self.daemon.ctl(["help", "iface"]).stdout.contains("USAGE: netsockctl iface <subcommand>"))
        #expect(try JSONCodec.parse(try self.daemon.ctl(["help", API.SocketClose.name, "--json"]).stdout)["name"] == .string(API.SocketClose.name))
    }

    @Test func secretsComeFromAFileOrStdinNeverFromArgv() throws {
        let refused = try self.daemon.ctl(["call", API.DNSGetHostByName.name, "pin=1234"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("never taken from the command line"))
        let path = self.daemon.directory.path + "/secret"
        try writeFile(path, Array("127.0.0.1\n".utf8))
        // The secret lands in the named param: here a host name the daemon echoes back.
        let fromFile = try self.daemon.ctl(["call", API.DNSGetHostByName.name, "--secret", "name", "--secret-file", path])
        #expect(try JSONCodec.parse(fromFile.stdout)["address"] == "127.0.0.1", "\(fromFile.stderr)")
        let fromStdin = try self.daemon.ctl(["call", API.DNSGetHostByName.name, "--secret", "name", "--secret-stdin"], stdin: Array("::1\n".utf8))
        #expect(try JSONCodec.parse(fromStdin.stdout)["address"] == "::1")
        #expect(try self.daemon.ctl(["call", API.DaemonInfo.name, "--secret", "name"]).status == 2)
        #expect(try self.daemon.ctl(["call", API.DaemonInfo.name, "--secret-stdin"]).status == 2)
    }

    @Test func interfaceNamesCompleteFromTheDaemon() throws {
        // What the generated bash completion runs for `netsockctl iface show <TAB>`.
        let result = try self.daemon.ctl(["---completion", "iface", "show", "--", "positional@0", "3", "0", "netsockctl", "iface", "show", ""])
        #expect(result.stdout.split(separator: "\n").contains("lo"))
    }

    @Test func monitorStreamsJSONLines() throws {
        _ = try self.daemon.client().call(API.EventsPublish.name, ["topic": "daemon", "event": "for-monitor"])
        let lines = try self.daemon.ctl(["monitor", "daemon", "--since", "0", "--count", "2", "--jsonl"]).stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { (try? JSONCodec.parse(String($0)))?["seq"] != nil })
    }
}

/// Netcat mode over the daemon's sockets.
@Suite struct NetcatTests {
    var daemon: DaemonLauncher { NetsockctlCommandTests.environment.daemon }

    @Test func hundredMegabytesThroughAnEchoPeerAndBackUnchanged() throws {
        let directory = self.daemon.directory.path
        let input = directory + "/nc-input"
        // 100 MiB of varied bytes (every value, no pattern a codec could compress away).
        let generate = try Subprocess.run("/bin/sh", ["-c", "head -c 104857600 /dev/urandom > \(input)"], directory: directory)
        #expect(generate.status == 0)
        defer { unlink(input) }
        let command = "\(BuiltProducts.netsockctl) --timeout 900 tcp connect 127.0.0.1 \(TestPeers.shared.echo) < \(input) | sha256sum"
        let run = try Subprocess.run(
            "/bin/sh", ["-c", command], environment: ["NETSOCKD_SOCKET": self.daemon.socketPath, "PATH": "/usr/bin:/bin"],
            directory: directory, timeoutSeconds: 900)
        let expected = try Subprocess.run("/usr/bin/sha256sum", [input], directory: directory).stdout.prefix(64)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.prefix(64) == expected)
    }

    @Test func aBinaryFileThroughUDPInDatagrams() throws {
        let directory = self.daemon.directory.path
        let input = directory + "/udp-input"
        let output = directory + "/udp-output"
        #expect(try Subprocess.run("/bin/sh", ["-c", "head -c 204800 /dev/urandom > \(input)"], directory: directory).status == 0)
        let port = Int.random(in: 30_000...40_000)
        let environment = ["NETSOCKD_SOCKET": self.daemon.socketPath]
        var env = ProcessEnvironment.current
        for (key, value) in environment { env[key] = value }
        let listener = try Subprocess(
            BuiltProducts.netsockctl, ["udp", "listen", String(port), "--address", "127.0.0.1", "--count", "200", "--idle", "10"],
            environment: env, directory: directory)
        usleep(500_000)
        let send = try Subprocess.run(
            "/bin/sh", ["-c", "\(BuiltProducts.netsockctl) udp send 127.0.0.1 \(port) --size 1024 < \(input)"], environment: env,
            directory: directory)
        #expect(send.status == 0, "\(send.stderr)")
        #expect(listener.wait(timeoutSeconds: 30) == 0)
        try writeFile(output, Array(listener.stdout.utf8))
        let same = try Subprocess.run("/usr/bin/cmp", [input, listener.stdoutPath], directory: directory)
        #expect(same.status == 0, "every datagram arrived in order, byte for byte")
    }

    @Test func listenAcceptsAndConnectSeesRefusals() throws {
        let directory = self.daemon.directory.path
        var env = ProcessEnvironment.current
        env["NETSOCKD_SOCKET"] = self.daemon.socketPath
        let port = Int.random(in: 40_001...50_000)
        let listener = try Subprocess(
            BuiltProducts.netsockctl, ["tcp", "listen", String(port), "--address", "127.0.0.1"], environment: env, directory: directory)
        usleep(500_000)
        let talk = try Subprocess.run("/bin/sh", ["-c", "printf 'to the listener' | socat - TCP:127.0.0.1:\(port)"], directory: directory)
        #expect(talk.status == 0)
        #expect(listener.wait(timeoutSeconds: 10) == 0)
        #expect(listener.stdout == "to the listener")
        let refused = try self.daemon.ctl(["tcp", "connect", "127.0.0.1", "1"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("NSAPI_ERROR_NO_CONNECTION"))
        let answer = try self.daemon.ctl(["tcp", "connect", "echo.netsock.test", String(TestPeers.shared.daytime)])
        #expect(answer.status == 0 && answer.stdout.hasSuffix("\r\n"), "a host name, and the peer's close ends it")
        let keepPort = Int.random(in: 50_001...60_000)
        let keeper = try Subprocess(
            BuiltProducts.netsockctl, ["tcp", "listen", String(keepPort), "--address", "127.0.0.1", "--keep"], environment: env,
            directory: directory)
        usleep(500_000)
        for word in ["first ", "second"] {
            let sent = try Subprocess.run("/bin/sh", ["-c", "printf '\(word)' | socat - TCP:127.0.0.1:\(keepPort)"], directory: directory)
            #expect(sent.status == 0)
        }
        usleep(300_000)
        keeper.terminate()
        #expect(keeper.stdout == "first second", "--keep serves one connection after another")
        let one = try self.daemon.ctl(["udp", "send", "127.0.0.1", "9", "hello", "--json"])
        #expect(try JSONCodec.parse(one.stdout) == ["datagrams": 1, "bytes": 5])
    }
}
