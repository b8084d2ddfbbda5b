import NSAPI
import NetSockWire

/// Bytes from hex text; spaces ignored.
func hex(_ text: String) -> [UInt8] {
    let digits = text.filter { !$0.isWhitespace }.map { UInt8(String($0), radix: 16)! }
    return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
}

func ip(_ text: String) -> IPv4Address { IPv4Address(parsing: text)! }

/// A small deterministic generator, so hostile-input tests replay exactly.
struct WireRandom {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(self.next() % UInt64(bound)) }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: self.next()) }
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in self.byte() } }
}

/// Parses with a view, mapping its error, so tests can compare outcomes.
func outcome<T>(_ bytes: [UInt8], _ parse: (UnsafeRawBufferPointer) throws -> T) -> Result<T, WireError> {
    bytes.withUnsafeBytes { buffer in
        do {
            return .success(try parse(buffer))
        } catch let error as WireError {
            return .failure(error)
        } catch {
            fatalError("a parser threw \(error), not a WireError")
        }
    }
}
