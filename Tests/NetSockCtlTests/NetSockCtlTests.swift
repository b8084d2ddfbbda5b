import NSAPI
import NetSockClient
import NetSockCtl
import NetSockJSON
import NetSockRPC
import Foundation
import Testing

@Suite struct ParamArgumentsTests {
    @Test func valuesAreTypedAsLightningCLIDoes() throws {
        let params = try ParamArguments.parse([
            "n=5", "neg=-2", "real=1.5", "t=true", "f=false", "z=null", "s=hello", "a=[1,2]", "o={\"k\":1}",
            "q=\"42\"", "e=", "ip=192.0.2.1", "v6=::1", "word=truely", "eq=a=b",
        ])
        #expect(params["n"] == 5)
        #expect(params["neg"] == -2)
        #expect(params["real"] == 1.5)
        #expect(params["t"] == true)
        #expect(params["f"] == false)
        #expect(params["z"] == .null)
        #expect(params["s"] == "hello")
        #expect(params["a"] == [1, 2])
        #expect(params["o"] == ["k": 1])
        #expect(params["q"] == "42")
        #expect(params["e"] == "")
        #expect(params["ip"] == "192.0.2.1")
        #expect(params["v6"] == "::1")
        #expect(params["word"] == "truely")
        #expect(params["eq"] == "a=b")
        #expect(try ParamArguments.parse(["n=5"], rawStrings: true)["n"] == "5")
    }

    @Test func malformedWordsAreRefused() {
        #expect(throws: ParamArguments.Failure.self) { try ParamArguments.parse(["novalue"]) }
        #expect(throws: ParamArguments.Failure.self) { try ParamArguments.parse(["=5"]) }
        #expect(throws: ParamArguments.Failure.self) { try ParamArguments.parse(["a=1", "a=2"]) }
        #expect(throws: ParamArguments.Failure.self) { try ParamArguments.object(Array("[1]".utf8)) }
        #expect(throws: ParamArguments.Failure.self) { try ParamArguments.object(Array("{".utf8)) }
        #expect(throws: ParamArguments.Failure.self) { try ParamArguments.object([0xFF]) }
    }
}

@Suite struct ExitStatusTests {
    @Test func everyFailureMapsToItsDocumentedCode() {
        #expect(ExitStatus(.notRunning(path: "/x", reason: "")) == .daemonNotRunning)
        #expect(ExitStatus(.disconnected) == .daemonNotRunning)
        #expect(ExitStatus(.notPermitted(path: "/x", reason: "")) == .notPermitted)
        #expect(ExitStatus(.timeout) == .timeout)
        #expect(ExitStatus(.rpc(.notPermitted(method: "m", role: "admin"))) == .notPermitted)
        #expect(ExitStatus(.rpc(.methodNotFound("m"))) == .notFound)
        #expect(ExitStatus(.rpc(RPCError(.noSocket))) == .notFound)
        #expect(ExitStatus(.rpc(RPCError(.wouldBlock))) == .timeout)
        #expect(ExitStatus(.rpc(RPCError(.timeout))) == .timeout)
        #expect(ExitStatus(.rpc(.invalidParams(param: "x", "bad"))) == .errorReply)
        #expect(ExitStatus(.rpc(RPCError(.parameter))) == .errorReply)
        #expect(ExitStatus(.protocolViolation("x")) == .errorReply)
        #expect(ExitStatus.allCases.map(\.rawValue) == [0, 1, 2, 3, 4, 5, 6])
    }
}

@Suite struct ArgumentOrderTests {
    @Test func globalOptionsMayPrecedeTheSubcommand() {
        #expect(NetsockctlCommand.hoistingGlobalOptions(["-s", "/x", "--json", "info"]) == ["info", "-s", "/x", "--json"])
        #expect(NetsockctlCommand.hoistingGlobalOptions(["--socket=/x", "call", "m", "k=v"]) == ["call", "m", "k=v", "--socket=/x"])
        #expect(NetsockctlCommand.hoistingGlobalOptions(["-g", "ipv4.address", "iface", "show", "lo"]) == ["iface", "show", "lo", "-g", "ipv4.address"])
        #expect(NetsockctlCommand.hoistingGlobalOptions(["info", "--json"]) == ["info", "--json"])
        #expect(NetsockctlCommand.hoistingGlobalOptions(["--json"]) == ["--json"])
        #expect(NetsockctlCommand.hoistingGlobalOptions(["--help"]) == ["--help"])
    }
}

@Suite struct GeneratedFilesTests {
    static func root(_ file: String = #filePath) -> String {
        var path = file
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }

    static func read(_ relative: String) throws -> String {
        try String(contentsOfFile: Self.root() + "/" + relative, encoding: .utf8)
    }

    /// `make man` and `make completions` regenerate these; a command missing from them means they are stale.
    @Test func manPageAndCompletionsCoverEveryCommand() throws {
        let commands = ["status", "iface", "dns", "sock", "monitor", "wait-online", "tcp", "udp", "call", "info"]
        let man = try Self.read("docs/man/netsockctl.1")
        let bash = try Self.read("contrib/completions/netsockctl.bash")
        let zsh = try Self.read("contrib/completions/_netsockctl")
        let fish = try Self.read("contrib/completions/netsockctl.fish")
        for command in commands {
            #expect(man.contains("Em \(command)"), "man page: \(command)")
            #expect(bash.contains(command) && zsh.contains(command) && fish.contains(command), "completions: \(command)")
        }
        #expect(bash.contains("---completion"), "interface names complete from the daemon")
        #expect(try Self.read("docs/man/netsockd.1").contains("check-config"))
    }

    @Test func fieldPathsWalkObjectsAndLists() throws {
        let value: JSONValue = ["a": ["b": [1, 2]], "list": [["name": "x"], ["name": "y"]]]
        #expect(FieldPath("a.b.1").values(in: value) == [2])
        #expect(FieldPath("list.name").values(in: value) == ["x", "y"])
        #expect(FieldPath("nope").values(in: value).isEmpty)
    }
}
