#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux

/// Look-ups in the user and group databases (NSS), for roles and socket ownership.
public enum UserDatabase {
    /// The gid of `name`, or `nil` when no such group exists.
    public static func groupID(named name: String) -> gid_t? {
        var group = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        let status = getgrnam_r(name, &group, &buffer, buffer.count, &result)
        guard status == 0, result != nil else { return nil }
        return group.gr_gid
    }

    /// The login name of `uid`, or `nil`.
    public static func userName(uid: uid_t) -> String? {
        var passwd = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        guard getpwuid_r(uid, &passwd, &buffer, buffer.count, &result) == 0, result != nil,
            let name = passwd.pw_name
        else { return nil }
        return String(cString: name)
    }

    /// Whether the user `uid` (primary group `gid`) belongs to group `target`,
    /// as primary group or as a supplementary member.
    public static func isMember(uid: uid_t, gid: gid_t, of target: gid_t) -> Bool {
        if gid == target { return true }
        guard let name = self.userName(uid: uid) else { return false }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        while getgrouplist(name, gid, &groups, &count) == -1 {
            guard count < 65536 else { return false }
            groups = [gid_t](repeating: 0, count: Int(count) * 2)
            count = Int32(groups.count)
        }
        return groups.prefix(Int(count)).contains(target)
    }
}
