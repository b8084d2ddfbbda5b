#if canImport(Glibc)
import NetSockClient
import Glibc
#endif
import NetSockJSON
import NetSockTestSupport
import Testing

/// A client running as an unprivileged uid is refused admin methods (-32001, exit 4).
@Suite struct RoleTests {
    @Test func unprivilegedClientsAreRefusedAdminMethods() throws {
        guard Privilege.rootTestsEnabled("unprivilegedClientsAreRefusedAdminMethods") else { return }
        let daemon = try DaemonLauncher(config: ["control": ["mode": "0666", "admin_group": nil]])
        let asNobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", BuiltProducts.netsockctl]
        let whoami = try Subprocess.run(
            asNobody[0], Array(asNobody.dropFirst()) + ["--socket", daemon.socketPath, "--json", "call", API.DaemonWhoAmI.name],
            directory: daemon.directory.path)
        #expect(whoami.status == 0, "\(whoami.stderr)")
        let identity = try JSONCodec.parse(whoami.stdout)
        #expect(identity["uid"] == 65534)
        #expect(identity["roles"] == ["user"])

        let shutdown = try Subprocess.run(
            asNobody[0], Array(asNobody.dropFirst()) + ["--socket", daemon.socketPath, "call", API.DaemonShutdown.name],
            directory: daemon.directory.path)
        #expect(shutdown.status == 4)
        #expect(shutdown.stderr.contains("-32001"))
        let publish = try Subprocess.run(
            asNobody[0], Array(asNobody.dropFirst()) + ["--socket", daemon.socketPath, "call", API.EventsPublish.name, "topic=daemon", "event=x"],
            directory: daemon.directory.path)
        #expect(publish.status == 4)
        // Root is admin, and the daemon is still up.
        #expect(try daemon.client().call(API.DaemonWhoAmI.name)["roles"] == ["user", "admin"])
    }

    @Test func adminGroupMembersAreAdmins() throws {
        guard Privilege.rootTestsEnabled("adminGroupMembersAreAdmins") else { return }
        // Group 65534 ("nogroup" on Debian) as the admin group: a member with that gid is admin.
        let group = try Subprocess.run("/usr/bin/getent", ["group", "65534"], directory: "/tmp")
        let name = String(group.stdout.split(separator: ":").first ?? "nogroup")
        let daemon = try DaemonLauncher(config: ["control": ["mode": "0666", "admin_group": .string(name)]])
        let result = try Subprocess.run(
            "/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", BuiltProducts.netsockctl,
                "--socket", daemon.socketPath, "--json", "call", API.DaemonWhoAmI.name],
            directory: daemon.directory.path)
        #expect(try JSONCodec.parse(result.stdout)["roles"] == ["user", "admin"], "\(result.stderr)")
    }
}

/// Item 19: the admin group is checked against the groups the connecting process holds
/// (SO_PEERGROUPS), not against the group database.
@Suite struct PeerGroupTests {
    @Test func aSupplementaryGroupHeldAtConnectMakesAnAdmin() throws {
        guard Privilege.rootTestsEnabled("aSupplementaryGroupHeldAtConnectMakesAnAdmin") else { return }
        // "users" (gid 100) lists no members in the database; nobody gains it only through setpriv.
        let daemon = try DaemonLauncher(config: ["control": ["mode": "0666", "admin_group": "users"]])
        func roles(_ groups: [String]) throws -> JSONValue? {
            let result = try Subprocess.run(
                "/usr/bin/setpriv", ["--reuid=65534", "--regid=65534"] + groups + [BuiltProducts.netsockctl,
                    "--socket", daemon.socketPath, "--json", "call", API.DaemonWhoAmI.name],
                directory: daemon.directory.path)
            return try JSONCodec.parse(result.stdout)["roles"]
        }
        #expect(try roles(["--groups=100"]) == ["user", "admin"])
        #expect(try roles(["--clear-groups"]) == ["user"])
    }
}
