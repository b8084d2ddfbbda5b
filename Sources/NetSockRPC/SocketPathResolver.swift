/// Where the control socket lives, resolved identically by `netsockd` and `netsockctl`:
/// `--socket`, `$NETSOCKD_SOCKET`, the config's `control.socket`, then
/// `/run/netsockd/netsockd.sock` for root and `$XDG_RUNTIME_DIR/netsockd.sock`
/// (else `/tmp/netsockd-$UID.sock`) for everyone else.
public enum SocketPathResolver {
    public static let systemPath = "/run/netsockd/netsockd.sock"

    public static func resolve(
        option: String?, environment: [String: String], configured: String?, uid: UInt32
    ) -> String {
        if let option, !option.isEmpty { return option }
        if let fromEnvironment = environment["NETSOCKD_SOCKET"], !fromEnvironment.isEmpty { return fromEnvironment }
        if let configured, !configured.isEmpty { return configured }
        if uid == 0 { return self.systemPath }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { return runtime + "/netsockd.sock" }
        return "/tmp/netsockd-\(uid).sock"
    }
}
