#if canImport(Glibc)
import Glibc
#endif

/// `user = "NAME"`: the account a command runs as, when adhocd runs as root.
///
/// posix_spawn cannot change user, and forking from Swift to call setuid is not safe in a
/// threaded process; so the run goes through util-linux's `setpriv`, spawned directly (no
/// shell): `setpriv --reuid=UID --regid=GID --init-groups -- PROGRAM ARGS…`, which sets the
/// groups and ids and then executes the program in place.
public struct RunAsUser: Sendable, Equatable {
    public var name: String
    public var uid: UInt32
    public var gid: UInt32
    public var home: String

    public static let setprivPath = "/usr/bin/setpriv"

    public init(name: String, uid: UInt32, gid: UInt32, home: String) {
        self.name = name
        self.uid = uid
        self.gid = gid
        self.home = home
    }

    /// The account's passwd entry, or nil when there is no such user.
    public static func lookUp(_ name: String) -> RunAsUser? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return RunAsUser(name: name, uid: entry.pw_uid, gid: entry.pw_gid, home: String(cString: entry.pw_dir))
    }

    /// The daemon's own account, for `HOME` when no `user` is given.
    static func current() -> RunAsUser {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        let uid = geteuid()
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil else {
            return RunAsUser(name: "\(uid)", uid: uid, gid: getegid(), home: "/")
        }
        return RunAsUser(name: String(cString: entry.pw_name), uid: uid, gid: entry.pw_gid, home: String(cString: entry.pw_dir))
    }

    /// `argv` run as this user.
    func wrapping(_ argv: [String]) -> [String] {
        [Self.setprivPath, "--reuid=\(uid)", "--regid=\(gid)", "--init-groups", "--"] + argv
    }

    /// Where the program stands in a wrapped argv.
    static let wrapperCount = 5
}
