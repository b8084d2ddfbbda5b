extension StringProtocol {
    /// Without the spaces and tabs at either end: what HTTP calls optional whitespace
    /// (RFC 9110 §5.6.3), and what AT replies, wpa_supplicant's tables and OpenSSL's
    /// messages pad their fields with.
    public var trimmingBlanks: SubSequence {
        var start = self.startIndex
        var end = self.endIndex
        while start < end, self[start] == " " || self[start] == "\t" { start = self.index(after: start) }
        while end > start {
            let last = self.index(before: end)
            guard self[last] == " " || self[last] == "\t" else { break }
            end = last
        }
        return self[start..<end]
    }
}
