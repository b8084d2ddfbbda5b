import NetSockClient
import NetSockJSON
import NetSockTestSupport
import Testing

/// netsockctl against a running daemon: outputs and the documented exit codes.
@Suite struct NetsockctlTests {
    @Test func exitCodesAreTheDocumentedOnes() throws {
        let daemon = try DaemonLauncher()
        #expect(try daemon.ctl(["info"]).status == 0)
        let error = try daemon.ctl(["call", API.EventsSubscribe.name, "topics=bad"])
        #expect(error.status == 1)
        #expect(error.stderr.contains("Invalid params (-32602)"))
        #expect(try daemon.ctl(["call"]).status == 2)
        #expect(try daemon.ctl(["frobnicate"]).status == 2)
        #expect(try daemon.ctl(["call", API.DaemonInfo.name, "--params", "[1]"]).status == 2)
        #expect(try daemon.ctl(["call", API.DaemonInfo.name, "notkeyvalue"]).status == 2)
        let timeout = try daemon.ctl(["--timeout", "0.3", "call", API.EventsWait.name, "topics=[\"interface\"]"])
        #expect(timeout.status == 3)
        let wouldBlock = try daemon.ctl(["call", API.EventsWait.name, #"topics=["interface"]"#, "timeout_ms=50"])
        #expect(wouldBlock.status == 3)
        #expect(wouldBlock.stderr.contains("NSAPI_ERROR_WOULD_BLOCK"))
        let missing = try daemon.ctl(["call", "no.such.method"])
        #expect(missing.status == 5)
        let notRunning = try daemon.ctl(["-s", daemon.directory.path + "/absent.sock", "info"])
        #expect(notRunning.status == 6)
        #expect(notRunning.stderr.contains("not running"))
    }

    @Test func callTypesValuesAndTakesParamsFromEveryWhere() throws {
        let daemon = try DaemonLauncher()
        let published = try daemon.ctl(["call", API.EventsPublish.name, "topic=daemon", "event=typed", #"data={"n":5,"b":true,"s":"x"}"#])
        #expect(published.status == 0, "\(published.stderr)")
        let seq = try JSONCodec.parse(published.stdout)["seq"]
        let fromStdin = try daemon.ctl(["call", API.EventsWait.name, "--params", "-"], stdin: Array(#"{"topics":["daemon"],"since":1}"#.utf8))
        #expect(try JSONCodec.parse(fromStdin.stdout)["seq"] == seq)
        try writeFile(daemon.directory.path + "/p.json", Array(#"{"topics":["daemon"],"since":1}"#.utf8))
        let fromFile = try daemon.ctl(["call", API.EventsWait.name, "--params", "@" + daemon.directory.path + "/p.json"])
        #expect(try JSONCodec.parse(fromFile.stdout)["data"] == ["n": 5, "b": true, "s": "x"])
    }

    @Test func jsonOutputEqualsTheDaemonsResult() throws {
        let daemon = try DaemonLauncher()
        let viaCLI = try JSONCodec.parse(try daemon.ctl(["--json", "call", API.DaemonWhoAmI.name]).stdout)
        let direct = try daemon.client().call(API.DaemonWhoAmI.name)
        #expect(viaCLI["uid"] == direct["uid"])
        #expect(viaCLI["roles"] == direct["roles"])
        let info = try daemon.ctl(["info"])
        #expect(info.stdout.contains("netsockd 0.1.0 (API 1)"))
        #expect(info.stdout.contains("socket      \(daemon.socketPath)"))
        let infoJSON = try JSONCodec.parse(try daemon.ctl(["info", "--json"]).stdout)
        #expect(infoJSON["socket"] == .string(daemon.socketPath))
    }

    @Test func monitorPrintsEventsAsJSONLines() throws {
        let daemon = try DaemonLauncher()
        _ = try daemon.client().call(API.EventsPublish.name, ["topic": "daemon", "event": "one"])
        let monitor = try daemon.ctl(["monitor", "daemon", "--since", "0", "--count", "2", "--json"])
        #expect(monitor.status == 0)
        let lines = monitor.stdout.split(separator: "\n").map { try? JSONCodec.parse(String($0)) }
        #expect(lines.map { $0?["event"] } == ["started", "one"])
        let human = try daemon.ctl(["monitor", "--since", "0", "--count", "1"])
        #expect(human.stdout.hasPrefix("1 "))
        #expect(human.stdout.contains("daemon started"))
        #expect(try daemon.ctl(["monitor", "toast"]).status == 2)
    }
}
