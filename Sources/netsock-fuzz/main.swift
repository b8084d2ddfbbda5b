import NetSockFuzz

// Built only with `--sanitize=fuzzer` (see Package.swift): libFuzzer supplies `main`,
// and the target to fuzz is named by $NETSOCK_FUZZ_TARGET.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzTarget.selected.run(UnsafeBufferPointer(start: data, count: size))
    return 0
}
