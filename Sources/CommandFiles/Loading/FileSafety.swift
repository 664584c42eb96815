#if canImport(Glibc)
import Glibc
#endif

/// Whether a file or directory may define commands: whoever can change it decides what adhocd
/// runs, so it must belong to root or to adhocd's own user and be writable by nobody else.
enum FileSafety {
    static func problem(with status: stat, daemonUID: UInt32, isDirectory: Bool) -> String? {
        let what = isDirectory ? "directory" : "file"
        if status.st_uid != 0, status.st_uid != daemonUID {
            return "the \(what) is owned by uid \(status.st_uid), but only root or adhocd's own user (uid \(daemonUID)) may own command definitions; fix: chown root PATH"
        }
        if status.st_mode & (S_IWGRP | S_IWOTH) != 0 {
            let mode = String(status.st_mode & 0o7777, radix: 8)
            return "the \(what) is writable by \(status.st_mode & S_IWOTH != 0 ? "others" : "its group") (mode \(mode)), so they could change what adhocd runs; fix: chmod go-w PATH"
        }
        return nil
    }
}
