import NetSockCellular
import Testing

/// 27.007 replies, on lines captured from modems (as facts) and on hostile ones.
@Suite struct CellularRepliesTests {
    typealias R = CellularReplies

    @Test func sim() {
        #expect(R.sim("+CPIN: READY") == .ready)
        #expect(R.sim("+CPIN: SIM PIN") == .pinRequired)
        #expect(R.sim("+CPIN: SIM PUK") == .pukRequired)
        #expect(R.sim("+CPIN: PH-SIM PIN") == .other("PH-SIM PIN"))
        #expect(R.sim("+CPIN:") == nil && R.sim("+CSQ: 1,2") == nil)
    }

    @Test func signal() {
        #expect(R.signal("+CSQ: 99,99")! == (nil, nil))
        #expect(R.signal("+CSQ: 20,0")! == (-73, 0))
        #expect(R.signal("+CSQ: 31,99")! == (-51, nil))
        for bad in ["+CSQ: 32,0", "+CSQ: -1,0", "+CSQ: 20", "+CSQ: a,b", "+CSQ: 20,0,1"] { #expect(R.signal(bad) == nil, "\(bad)") }
    }

    @Test("registration in every <n> form, solicited and unsolicited")
    func registration() {
        // A captured solicited reply with <n> 0, and the URC and solicited forms with location.
        #expect(R.registration("+CEREG: 0,1", solicited: true) == R.Registration(domain: .eps, status: .home))
        #expect(R.registration("+CEREG: 5", solicited: false) == R.Registration(domain: .eps, status: .roaming))
        #expect(
            R.registration("+CEREG: 2,5,\"1A2B\",\"01A2B3C4\",7", solicited: true)
                == R.Registration(domain: .eps, status: .roaming, area: 0x1A2B, cell: 0x01A2_B3C4, accessTechnology: 7))
        #expect(
            R.registration("+CEREG: 1,\"00C3\",\"0102A5BC\",9", solicited: false)
                == R.Registration(domain: .eps, status: .home, area: 0xC3, cell: 0x0102_A5BC, accessTechnology: 9))
        // Mode 4: reject cause fields and the PSM timers after <AcT> are skipped.
        #expect(R.registration("+CEREG: 4,1,\"00C3\",\"0102A5BC\",9,,,\"00100100\",\"01000111\"", solicited: true)?.accessTechnology == 9)
        #expect(R.registration("+CGREG: 2", solicited: false) == R.Registration(domain: .gprs, status: .searching))
        #expect(R.registration("+CREG: 0,3", solicited: true) == R.Registration(domain: .circuitSwitched, status: .denied))
        #expect(R.Registration(domain: .eps, status: .home).status.isRegistered && !R.RegistrationStatus.searching.isRegistered)
        for bad in ["+CEREG: 11", "+CEREG: 9,1", "+CEREG:", "+CEREG: x", "+COPS: 0"] {
            #expect(R.registration(bad, solicited: bad.contains(",")) == nil, "\(bad)")
        }
    }

    @Test("context parameters, with the address and mask in one dotted string, empty fields and none")
    func contextParameters() {
        let vodafone = R.contextParameters(
            "+CGCONTRDP: 1,5,\"spe.inetd.vodafone.nbiot.mnc028.mcc901.gprs\",\"10.175.211.94.255.255.255.255\",\"\",\"10.105.16.254\",\"10.105.144.254\",\"\",\"\"")
        #expect(vodafone?.cid == 1 && vodafone?.apn == "spe.inetd.vodafone.nbiot.mnc028.mcc901.gprs")
        #expect(vodafone?.address == "10.175.211.94" && vodafone?.subnetMask == "255.255.255.255")
        #expect(vodafone?.gateway == nil && vodafone?.dnsServers == ["10.105.16.254", "10.105.144.254"])
        let plain = R.contextParameters("+CGCONTRDP: 1,5,\"internet\",\"10.9.146.175.255.255.255.0\",\"10.9.146.1\",\"8.8.8.8\",\"8.8.4.4\"")
        #expect(plain?.address == "10.9.146.175" && plain?.subnetMask == "255.255.255.0" && plain?.gateway == "10.9.146.1")
        // Unquoted fields and no gateway, as a Sierra module printed them.
        let unquoted = R.contextParameters("+CGCONTRDP: 1,5,airtelgprs.com,100.75.219.215,,117.96.122.74,59.144.127.117")
        #expect(unquoted?.address == "100.75.219.215" && unquoted?.subnetMask == nil && unquoted?.dnsServers == ["117.96.122.74", "59.144.127.117"])
        let withMTU = R.contextParameters("+CGCONTRDP: 1,5,\"iot\",\"192.0.2.9.255.255.255.0\",\"192.0.2.1\",\"192.0.2.53\",\"\",,,,,,,,1358")
        #expect(withMTU?.mtu == 1358)
        #expect(R.contextParameters("+CGCONTRDP: x") == nil && R.contextParameters("+CGCONTRDP: 1") == nil)
    }

    @Test func addressesAndEvents() {
        #expect(R.addresses("+CGPADDR: 1,\"10.175.211.94\"")! == (1, ["10.175.211.94"]))
        #expect(R.addresses("+CGPADDR: 1,\"192.0.2.9\",\"32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.1\"")?.addresses.count == 2)
        #expect(R.addresses("+CGPADDR: 1")! == (1, []))
        #expect(R.packetEvent("+CGEV: NW DETACH") == .networkDetach)
        #expect(R.packetEvent("+CGEV: ME DETACH") == .deviceDetach)
        #expect(R.packetEvent("+CGEV: NW PDN DEACT 1") == .networkDeactivated(cid: 1))
        #expect(R.packetEvent("+CGEV: ME PDN DEACT 3") == .deviceDeactivated(cid: 3))
        #expect(R.packetEvent("+CGEV: NW DEACT \"IP\",\"10.0.0.2\",1") == .networkDeactivated(cid: nil))
        #expect(R.packetEvent("+CGEV: PDN ACT 1") == .other("PDN ACT 1"))
        #expect(R.packetEvent("+CEREG: 1") == nil)
    }
}
