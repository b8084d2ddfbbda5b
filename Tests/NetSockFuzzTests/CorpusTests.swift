#if canImport(Glibc)
import Glibc
#endif
import NetSockFuzz
import Testing

/// Every seed of every fuzz target runs through its harness (the same code libFuzzer
/// drives in `make fuzz`), so a corpus input that traps or is slow fails `swift test`.
@Suite struct CorpusTests {
    static var corpusRoot: String {
        var path = #filePath
        for _ in 0..<2 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path + "/Fuzz/Corpus"
    }

    static func files(_ directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if !name.hasPrefix(".") { names.append(directory + "/" + name) }
        }
        return names.sorted()
    }

    static func read(_ path: String) -> [UInt8] {
        guard let file = fopen(path, "rb") else { return [] }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return bytes
    }

    @Test(arguments: FuzzTarget.all.map(\.name))
    func everySeedRunsCleanly(target name: String) throws {
        let target = try #require(FuzzTarget.named(name))
        let seeds = Self.files(Self.corpusRoot + "/" + name)
        #expect(seeds.count >= 5, "a corpus of seeds for \(name)")
        for seed in seeds { target.run(Self.read(seed)) }
        // And the truncations of each seed, which is where parsers break most.
        for seed in seeds {
            let bytes = Self.read(seed)
            for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 64)) { target.run(Array(bytes[..<length])) }
        }
    }
}
