#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux

/// Look-ups in the user and group databases (NSS), for the admin group and user names.
///
/// NSS may be slow (LDAP, sssd): call these off the event loop, or before it starts.
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
}
