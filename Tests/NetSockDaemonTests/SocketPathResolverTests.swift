import NetSockRPC
import Testing

@Suite struct SocketPathResolverTests {
    @Test func firstMatchWinsInAPIOrder() {
        let env = ["NETSOCKD_SOCKET": "/env.sock", "XDG_RUNTIME_DIR": "/run/user/1000"]
        #expect(SocketPathResolver.resolve(option: "/opt.sock", environment: env, configured: "/cfg.sock", uid: 1000) == "/opt.sock")
        #expect(SocketPathResolver.resolve(option: nil, environment: env, configured: "/cfg.sock", uid: 1000) == "/env.sock")
        #expect(SocketPathResolver.resolve(option: nil, environment: [:], configured: "/cfg.sock", uid: 1000) == "/cfg.sock")
        #expect(SocketPathResolver.resolve(option: nil, environment: [:], configured: nil, uid: 0) == "/run/netsockd/netsockd.sock")
        #expect(
            SocketPathResolver.resolve(option: nil, environment: ["XDG_RUNTIME_DIR": "/run/user/1000"], configured: nil, uid: 1000)
                == "/run/user/1000/netsockd.sock")
        #expect(SocketPathResolver.resolve(option: nil, environment: [:], configured: nil, uid: 1000) == "/tmp/netsockd-1000.sock")
        #expect(SocketPathResolver.resolve(option: "", environment: ["NETSOCKD_SOCKET": ""], configured: nil, uid: 7) == "/tmp/netsockd-7.sock")
    }
}
