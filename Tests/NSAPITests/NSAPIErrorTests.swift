import NSAPI
import Testing

@Suite struct NSAPIErrorTests {
    @Test func everyMbedCodeHasItsNameAndValue() {
        let expected: [(String, Int32)] = [
            ("NSAPI_ERROR_WOULD_BLOCK", -3001), ("NSAPI_ERROR_UNSUPPORTED", -3002),
            ("NSAPI_ERROR_PARAMETER", -3003), ("NSAPI_ERROR_NO_CONNECTION", -3004),
            ("NSAPI_ERROR_NO_SOCKET", -3005), ("NSAPI_ERROR_NO_ADDRESS", -3006),
            ("NSAPI_ERROR_NO_MEMORY", -3007), ("NSAPI_ERROR_NO_SSID", -3008),
            ("NSAPI_ERROR_DNS_FAILURE", -3009), ("NSAPI_ERROR_DHCP_FAILURE", -3010),
            ("NSAPI_ERROR_AUTH_FAILURE", -3011), ("NSAPI_ERROR_DEVICE_ERROR", -3012),
            ("NSAPI_ERROR_IN_PROGRESS", -3013), ("NSAPI_ERROR_ALREADY", -3014),
            ("NSAPI_ERROR_IS_CONNECTED", -3015), ("NSAPI_ERROR_CONNECTION_LOST", -3016),
            ("NSAPI_ERROR_CONNECTION_TIMEOUT", -3017), ("NSAPI_ERROR_ADDRESS_IN_USE", -3018),
            ("NSAPI_ERROR_TIMEOUT", -3019), ("NSAPI_ERROR_BUSY", -3020),
        ]
        #expect(NSAPIError.allKnown.map(\.name) == expected.map(\.0))
        #expect(NSAPIError.allKnown.map(\.rawValue) == expected.map(\.1))
        for (name, value) in expected {
            #expect(NSAPIError(name: name)?.rawValue == value)
        }
    }

    @Test func staticMembersMatchTheirCodes() {
        #expect(NSAPIError.wouldBlock.rawValue == -3001)
        #expect(NSAPIError.parameter.rawValue == -3003)
        #expect(NSAPIError.noSocket.rawValue == -3005)
        #expect(NSAPIError.noAddress.rawValue == -3006)
        #expect(NSAPIError.dnsFailure.rawValue == -3009)
        #expect(NSAPIError.inProgress.rawValue == -3013)
        #expect(NSAPIError.isConnected.rawValue == -3015)
        #expect(NSAPIError.timeout.rawValue == -3019)
        #expect(NSAPIError.busy.rawValue == -3020)
    }

    @Test func unknownCodesRoundTripAndHaveAName() {
        let future = NSAPIError(rawValue: -3042)
        #expect(future.name == "NSAPI_ERROR_-3042")
        #expect(NSAPIError(rawValue: future.rawValue) == future)
        #expect(NSAPIError(rawValue: 0).name == "NSAPI_ERROR_0")
    }

    @Test func namesAreLookedUpWithOrWithoutPrefix() {
        #expect(NSAPIError(name: "would_block") == .wouldBlock)
        #expect(NSAPIError(name: "NSAPI_ERROR_BUSY") == .busy)
        #expect(NSAPIError(name: "NOT_A_CODE") == nil)
        #expect(NSAPIError(name: "") == nil)
    }

    @Test func everyKnownCodeHasASentence() {
        for error in NSAPIError.allKnown {
            #expect(!error.meaning.isEmpty)
            #expect(!error.meaning.contains("unknown"))
        }
    }
}

@Suite struct EnumerationTests {
    @Test func connectionStatusUsesMbedValuesAndAPINames() {
        #expect(ConnectionStatus.localUp.rawValue == 0)
        #expect(ConnectionStatus.globalUp.rawValue == 1)
        #expect(ConnectionStatus.disconnected.rawValue == 2)
        #expect(ConnectionStatus.connecting.rawValue == 3)
        #expect(ConnectionStatus.errorUnsupported.rawValue == -3002)
        for status in ConnectionStatus.allCases {
            #expect(ConnectionStatus(apiName: status.apiName) == status)
        }
        #expect(ConnectionStatus(apiName: "GLOBAL_UP") == nil)
        #expect(ConnectionStatus.globalUp.isUp && ConnectionStatus.localUp.isUp)
        #expect(!ConnectionStatus.connecting.isUp)
    }

    @Test func socketOptionsFollowMbedEnumeratorOrder() {
        #expect(SocketOption.reuseAddress.rawValue == 0)
        #expect(SocketOption.bindToDevice.rawValue == 9)
        #expect(SocketOption.broadcast.rawValue == 13)
        #expect(SocketOption.packetInfo.rawValue == 14)
        let apiNames = [
            "reuseaddr", "keepalive", "keepidle", "keepintvl", "linger", "sndbuf", "rcvbuf",
            "add_membership", "drop_membership", "bind_to_device", "iptos", "broadcast",
        ]
        for name in apiNames { #expect(SocketOption(apiName: name) != nil, "\(name)") }
    }

    @Test func securityProtocolAndVersionValues() {
        #expect(SecurityType.wpaWPA2.rawValue == 4)
        #expect(SecurityType.wpa3WPA2.rawValue == 0xB)
        #expect(SecurityType.unknown.rawValue == 0xFF)
        #expect(SecurityType(apiName: "wpa2") == .wpa2)
        #expect(SocketProtocol.tcp.rawValue == 0 && SocketProtocol.udp.rawValue == 1)
        #expect(SocketProtocol(apiName: "nonip") == .nonIP)
        #expect(IPVersion(apiName: "any") == .unspecified)
        #expect(IPVersion.ipv6.rawValue == 2)
    }
}
