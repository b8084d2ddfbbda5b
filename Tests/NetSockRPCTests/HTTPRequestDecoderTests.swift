import NetSockRPC
import Testing

func decode(_ text: String, chunk: Int = Int.max, maxBody: Int = 1 << 20) -> [HTTPRequestDecoder.Event] {
    let bytes = Array(text.utf8)
    var decoder = HTTPRequestDecoder(maxBodyBytes: maxBody)
    var events: [HTTPRequestDecoder.Event] = []
    var index = 0
    while index < bytes.count {
        decoder.append(bytes[index..<min(index + chunk, bytes.count)])
        index += chunk
        while let event = decoder.next() { events.append(event) }
    }
    if let event = decoder.finish() { events.append(event) }
    return events
}

@Suite struct HTTPRequestDecoderTests {
    static let curlPost =
        "POST / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n"
        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 40\r\n\r\n"
        + #"{"jsonrpc":"2.0","method":"x","id":1}  "# + " "

    @Test func decodesCurlsPostAtEveryChunkSize() {
        for chunk in 1...Self.curlPost.utf8.count {
            let events = decode(Self.curlPost, chunk: chunk)
            guard events.count == 1, case .request(let request) = events[0] else {
                Issue.record("chunk \(chunk): \(events)")
                continue
            }
            #expect(request.method == "POST")
            #expect(request.body.count == 40)
            #expect(request.keepAlive)
        }
    }

    @Test func pipelinedRequestsComeOutInOrder() {
        let one = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
        let two = "POST /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n[]"
        let events = decode(one + one + two)
        #expect(events.count == 3)
        if case .request(let last) = events.last {
            #expect(last.target == "/b")
            #expect(!last.keepAlive)
            #expect(last.body == Array("[]".utf8))
        } else {
            Issue.record("expected a request")
        }
    }

    @Test func chunkedBodiesAreJoined() {
        let text = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n4;ext=1\r\n\":1}\r\n0\r\nX-T: y\r\n\r\n"
        for chunk in [1, 5, text.utf8.count] {
            let events = decode(text, chunk: chunk)
            #expect(events == [.request(HTTPRequest(method: "POST", target: "/", version: (1, 1),
                headers: [("Host", "x"), ("Transfer-Encoding", "chunked")], body: Array("{\"a\":1}".utf8)))], "chunk \(chunk)")
        }
    }

    @Test func expectContinueIsSignalledBeforeTheBody() {
        let head = "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"
        var decoder = HTTPRequestDecoder()
        decoder.append(Array(head.utf8))
        #expect(decoder.next() == .continueExpected)
        #expect(decoder.next() == nil)
        decoder.append(Array("{}".utf8))
        guard case .request = decoder.next() else {
            Issue.record("expected the request")
            return
        }
    }

    @Test func http10ClosesUnlessKeepAlive() {
        guard case .request(let request) = decode("POST / HTTP/1.0\r\nContent-Length: 0\r\n\r\n").first else {
            Issue.record("expected a request")
            return
        }
        #expect(!request.keepAlive)
        guard case .request(let kept) = decode("POST / HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n").first
        else { return }
        #expect(kept.keepAlive)
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 405), ("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405),
        ("POST / HTTP/1.1\r\nHost: x\r\n\r\n", 411), ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n", 413),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 400), ("POST / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        ("POST /\r\nHost: x\r\n\r\n", 400), ("POST  / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost x\r\n\r\n", 400), ("POST / HTTP/1.1\r\nBad Name: x\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: \u{1}\r\n\r\n", 400), ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{}", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\n", 400),
    ])
    func badRequestsGetTheirStatus(text: String, status: Int) {
        let events = decode(text, maxBody: 1000)
        guard case .failure(let got, let reason)? = events.last else {
            Issue.record("\(text.debugDescription): \(events)")
            return
        }
        #expect(got == status, "\(text.debugDescription): \(reason)")
    }

    @Test func hugeHeaderSectionIs431() {
        let text = "POST / HTTP/1.1\r\nHost: x\r\nX-Pad: " + String(repeating: "a", count: 20_000) + "\r\n\r\n"
        #expect(decode(text, chunk: 1000).last == .failure(status: 431, reason: "the header section is too large"))
    }

    @Test func nothingIsDecodedAfterAFailure() {
        var decoder = HTTPRequestDecoder()
        decoder.append(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\nPOST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".utf8))
        guard case .failure(405, _)? = decoder.next() else {
            Issue.record("expected 405")
            return
        }
        #expect(decoder.next() == nil)
        #expect(decoder.finish() == nil)
    }

    @Test func responsesAreWellFormed() {
        let ok = String(decoding: HTTPResponseEncoder.encode(status: 200, body: Array("{}".utf8), close: false), as: UTF8.self)
        #expect(ok == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        let none = String(decoding: HTTPResponseEncoder.encode(status: 204, close: false), as: UTF8.self)
        #expect(none == "HTTP/1.1 204 No Content\r\n\r\n")
        let refused = String(decoding: HTTPResponseEncoder.failure(status: 405, reason: "no"), as: UTF8.self)
        #expect(refused.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
        #expect(refused.contains("Allow: POST\r\n") && refused.contains("Connection: close\r\n"))
    }
}

/// Hostile shapes that once crashed or stalled the decoder: each costs time linear in
/// its size and memory within the limits, and ends in a request or a clear status.
@Suite struct HTTPRequestDecoderHostileTests {
    static func chunked(_ body: [UInt8], chunk: Int) -> [UInt8] {
        var bytes = Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        var index = 0
        while index < body.count {
            let piece = body[index..<min(index + chunk, body.count)]
            bytes += Array(String(piece.count, radix: 16).utf8) + [0x0D, 0x0A] + piece + [0x0D, 0x0A]
            index += chunk
        }
        return bytes + Array("0\r\n\r\n".utf8)
    }

    /// Regression: `next()` recursed once per chunk line, so 30,000 one-byte chunks
    /// (about 210 KB) overflowed the stack.
    @Test func thirtyThousandOneByteChunksDecodeWithoutRecursion() {
        let body = [UInt8](repeating: UInt8(ascii: " "), count: 30_000)
        let bytes = Self.chunked(body, chunk: 1)
        for split in [bytes.count, 4096, 7] {
            var decoder = HTTPRequestDecoder()
            var events: [HTTPRequestDecoder.Event] = []
            var index = 0
            while index < bytes.count {
                decoder.append(bytes[index..<min(index + split, bytes.count)])
                index += split
                while let event = decoder.next() { events.append(event) }
            }
            guard events.count == 1, case .request(let request) = events[0] else {
                Issue.record("split \(split): \(events.count) events")
                continue
            }
            #expect(request.body == body)
        }
    }

    @Test func chunkedBodiesStopAtTheBodyLimit() {
        let bytes = Self.chunked([UInt8](repeating: 0x41, count: 5000), chunk: 1)
        var decoder = HTTPRequestDecoder(maxBodyBytes: 4096)
        decoder.append(bytes)
        var last: HTTPRequestDecoder.Event?
        while let event = decoder.next() { last = event }
        #expect(last == .failure(status: 413, reason: "the body is larger than 4096 bytes"))
    }

    /// Regression: blank lines between requests were stripped two bytes at a time, moving
    /// the whole buffer each time, and without bound.
    @Test func aFloodOfBlankLinesIsRefusedPastTheHeaderLimit() {
        var decoder = HTTPRequestDecoder(maxHeaderBytes: 1024)
        decoder.append(Array("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}".utf8))
        guard case .request = decoder.next() else {
            Issue.record("expected the first request")
            return
        }
        var failure: HTTPRequestDecoder.Event?
        for _ in 0..<1000 {
            decoder.append([UInt8](repeating: 0, count: 512).map { _ in 0x0A })
            if let event = decoder.next() {
                failure = event
                break
            }
        }
        #expect(failure == .failure(status: 400, reason: "too many empty lines before the request"))
        #expect(decoder.bufferedByteCount == 0, "nothing is kept after a failure")
    }

    @Test func aFewBlankLinesBeforeARequestAreIgnored() {
        let events = decode("\r\n\n\r\nPOST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        #expect(events.count == 1)
        if case .request = events.first {} else { Issue.record("\(events)") }
    }

    @Test func endlessTrailersAreRefused() {
        var decoder = HTTPRequestDecoder(maxHeaderBytes: 1024)
        decoder.append(Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n".utf8))
        var failure: HTTPRequestDecoder.Event?
        for index in 0..<1000 where failure == nil {
            decoder.append(Array("X-Trailer-\(index): value\r\n".utf8))
            failure = decoder.next()
        }
        #expect(failure == .failure(status: 431, reason: "trailers are too large"))
    }

    /// A head that arrives one byte at a time is scanned once, not once per byte, and decodes.
    @Test func aHeadSentOneByteAtATimeDecodes() {
        let head = "POST / HTTP/1.1\r\nHost: x\r\n" + (0..<90).map { "X-\($0): \(String(repeating: "v", count: 100))\r\n" }.joined()
            + "Content-Length: 2\r\n\r\n{}"
        let events = decode(head, chunk: 1)
        #expect(events.count == 1)
        if case .request(let request) = events.first { #expect(request.headers.count == 92) }
    }

    @Test func everyTruncationOfARequestIsA400OrNothing() {
        let full = Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: v\r\n\r\n".utf8)
        for length in 1..<full.count {
            var decoder = HTTPRequestDecoder()
            decoder.append(full[..<length])
            while decoder.next() != nil {}
            let end = decoder.finish()
            #expect(end == .failure(status: 400, reason: "the request was truncated"), "length \(length)")
        }
    }

    @Test func liedAboutLengthsAreRefused() {
        for (text, status) in [
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n", 413),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFF\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n7FFFFFFF\r\n", 413),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + String(repeating: "0", count: 2000) + "\r\n", 400),
        ] {
            let events = decode(text)
            guard case .failure(let got, _)? = events.last else {
                Issue.record("\(text): \(events)")
                continue
            }
            #expect(got == status, "\(text)")
        }
    }
}

/// Chunk-size lines are read from their bytes (RFC 9112 §7.1): hex digits, optional
/// whitespace, optional extensions; anything else is refused.
@Suite struct ChunkSizeLineTests {
    @Test func sizesWithWhitespaceAndExtensionsAreRead() {
        for (line, size) in [("1", 1), ("a", 10), ("FF", 255), (" 1f ", 31), ("0", 0), ("10;name=value", 16), ("7fffffff", 0x7FFF_FFFF), ("3 ;x", 3)] {
            #expect(HTTPRequestDecoder.chunkSize(ArraySlice(line.utf8)) == size, "\(line)")
        }
    }

    @Test func anythingElseIsRefused() {
        for line in ["", " ", ";x", "+1", "-1", "0x1", "1 2", "g", "123456789", "1\t\t z"] {
            #expect(HTTPRequestDecoder.chunkSize(ArraySlice(line.utf8)) == nil, "\(line)")
        }
    }
}

extension ChunkSizeLineTests {
    /// Found by the fuzzer: a chunk size of " -eae" read as a negative number, and the
    /// decoder then formed a backwards range and trapped.
    @Test func aNegativeChunkSizeIsRefused() {
        let text = "\r\n\r\nPOST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n -eae\r\n\r\n:Hos: x\r"
        for chunk in [1, 3, text.utf8.count] {
            #expect(decode(text, chunk: chunk).last == .failure(status: 400, reason: "bad chunk size"), "chunk \(chunk)")
        }
    }
}
