import NSAPI
import NetSockWire

/// Multicast group membership as an IGMPv2 host (RFC 2236): a report when a group is
/// first joined and once more within the unsolicited report interval, answers to
/// queries after a random delay that another member's report cancels, and a leave
/// when the last local member goes, if ours was the last report.
///
/// Messages go with TTL 1 and without the Router Alert option (this stack emits no IP
/// options); snooping switches and routers in practice accept them.
extension Interface {
    struct GroupMembership {
        var members = 0
        /// A report due: the repeat after a join, or the answer to a query.
        var reportDue: Instant?
        /// Whether the last report on the link for this group was ours (§4, leaving).
        var lastReporter = true
    }

    static let allHosts = IPv4Address(224, 0, 0, 1)
    static let allRouters = IPv4Address(224, 0, 0, 2)
    /// RFC 2236 §8.10.
    static let unsolicitedReportInterval = TimeSpan.seconds(10)
    /// RFC 2236 §8.11: how long a version 1 query keeps us reporting in version 1.
    static let versionOneRouterPresentTimeout = TimeSpan.seconds(400)

    /// While an IGMPv1 router is present, reports are version 1 and nobody leaves (§4).
    func versionOneRouterPresent(at now: Instant) -> Bool {
        self.versionOneRouterUntil.map { now < $0 } ?? false
    }



    /// Joins `group` for one more local member; the first join reports at once.
    public func joinGroup(_ group: IPv4Address, at now: Instant) throws(StackError) {
        guard group.isMulticast else { throw .invalidArgument }
        if group == Self.allHosts { return }
        if var membership = self.memberships[group] {
            membership.members += 1
            self.memberships[group] = membership
            return
        }
        var membership = GroupMembership(members: 1)
        membership.reportDue = now + self.randomDelay(upTo: Self.unsolicitedReportInterval)
        self.memberships[group] = membership
        self.sendIGMP(.membershipReport(group: group, version: self.versionOneRouterPresent(at: now) ? .v1 : .v2), to: group, at: now)
    }

    /// One local member fewer; the last one leaving sends a Leave Group to all routers.
    public func leaveGroup(_ group: IPv4Address, at now: Instant) {
        guard var membership = self.memberships[group] else { return }
        membership.members -= 1
        guard membership.members <= 0 else {
            self.memberships[group] = membership
            return
        }
        self.memberships[group] = nil
        if membership.lastReporter && !self.versionOneRouterPresent(at: now) {
            self.sendIGMP(.leaveGroup(group: group), to: Self.allRouters, at: now)
        }
    }

    public var joinedGroups: [IPv4Address] { self.memberships.keys.sorted { $0.value < $1.value } }

    func isMember(of group: IPv4Address) -> Bool {
        group == Self.allHosts || self.memberships[group] != nil
    }

    func processIGMP(_ ip: IPv4Repr, _ payload: UnsafeRawBufferPointer, at now: Instant) {
        let message: IGMPRepr
        do throws(WireError) {
            message = try IGMPRepr(IGMPPacket(checking: payload))
        } catch {
            return self.counters.drop(.malformed)
        }
        switch message {
        case .membershipQuery(let tenths, let group):
            if tenths == 0 { self.versionOneRouterUntil = now + Self.versionOneRouterPresentTimeout }
            let limit = TimeSpan.milliseconds(Int64(tenths == 0 ? 100 : tenths) * 100)
            for (joined, var membership) in self.memberships where group.isUnspecified || group == joined {
                let due = now + self.randomDelay(upTo: limit)
                if membership.reportDue.map({ $0 > due }) ?? true { membership.reportDue = due }
                self.memberships[joined] = membership
            }
        case .membershipReport(let group, _):
            // Another member answered: ours would say nothing new (suppression).
            guard var membership = self.memberships[group], membership.reportDue != nil else { return }
            membership.reportDue = nil
            membership.lastReporter = false
            self.memberships[group] = membership
        case .leaveGroup:
            break  // For routers.
        }
    }

    func runIGMPTimers(at now: Instant) -> Bool {
        var didWork = false
        for (group, var membership) in self.memberships {
            guard let due = membership.reportDue, due <= now else { continue }
            membership.reportDue = nil
            membership.lastReporter = true
            self.memberships[group] = membership
            self.sendIGMP(.membershipReport(group: group, version: self.versionOneRouterPresent(at: now) ? .v1 : .v2), to: group, at: now)
            didWork = true
        }
        return didWork
    }

    var nextIGMPReport: Instant? { self.memberships.values.compactMap(\.reportDue).min() }

    private func randomDelay(upTo limit: TimeSpan) -> TimeSpan {
        guard limit.microseconds > 0 else { return .zero }
        return TimeSpan(microseconds: Int64(self.random.below(Int(limit.microseconds))))
    }

    private func sendIGMP(_ message: IGMPRepr, to destination: IPv4Address, at now: Instant) {
        try? self.sendIPv4(to: destination, protocol: .igmp, payloadLength: IGMPPacket.length, timeToLive: 1, at: now) { message.emit(into: $0) }
    }
}
