#if canImport(Glibc)
import Glibc
#endif

/// Whether a file or directory may define commands: whoever can change it decides what adhocd
/// runs, so it must belong to root or to adhocd's own user and be writable by nobody else.
enum FileSafety {
    static func problem(with status: stat, daemonUID: UInt32, isDirectory: Bool) -> String? {
        problem(owner: status.st_uid, mode: status.st_mode, daemonUID: daemonUID, isDirectory: isDirectory)
    }

    static func problem(owner: UInt32, mode: UInt32, daemonUID: UInt32, isDirectory: Bool) -> String? {
        let what = isDirectory ? "directory" : "file"
        if owner != 0, owner != daemonUID {
            return "the \(what) is owned by uid \(owner), but only root or adhocd's own user (uid \(daemonUID)) may own command definitions; fix: chown root PATH"
        }
        if mode & (S_IWGRP | S_IWOTH) != 0 {
            let permissions = String(mode & 0o7777, radix: 8)
            return "the \(what) is writable by \(mode & S_IWOTH != 0 ? "others" : "its group") (mode \(permissions)), so they could change what adhocd runs; fix: chmod go-w PATH"
        }
        return nil
    }
}
