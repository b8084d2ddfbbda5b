public import ArgumentParser

/// `netsock-bench`: the project's benchmarks, each printed beside a reference measured in the same run.
public struct BenchCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "netsock-bench",
        abstract: "netsock benchmarks; every figure is printed beside its reference from the same run.",
        subcommands: [RPCBenchmark.self, TCPBenchmark.self, NetcatBenchmark.self, SoakBenchmark.self, AttachBenchmark.self, IPStackBenchmark.self, IPTCPBenchmark.self, TLSBenchmark.self, CellularBenchmark.self])

    public init() {}
}
