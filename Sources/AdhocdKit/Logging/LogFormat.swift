import Logging
#if canImport(Glibc)
import Glibc
#endif

/// How `adhocd run` writes log lines to standard error.
public enum LogFormat: String, Sendable, CaseIterable {
    /// `journald` when standard error is connected to the journal, `plain` otherwise.
    case auto
    /// A syslog priority prefix (`<6>`) and no timestamp: journald stamps each line itself and
    /// takes its level from the prefix (sd-daemon(3)).
    case journald
    /// swift-log's stream format, with timestamps: for terminals and files.
    case plain

    /// Decides `auto`. systemd sets `JOURNAL_STREAM` to the device and inode of the journal's
    /// stream (systemd.exec(5)); comparing them with standard error's tells whether our lines
    /// really go there, and not to a file or pipe the variable was merely inherited by.
    public func resolved(journalStream: String? = getenv("JOURNAL_STREAM").map { String(cString: $0) }) -> LogFormat {
        guard self == .auto else { return self }
        var status = stat()
        guard let journalStream, fstat(2, &status) == 0 else { return .plain }
        return Self.names(journalStream, device: UInt64(status.st_dev), inode: UInt64(status.st_ino)) ? .journald : .plain
    }

    /// Whether a `JOURNAL_STREAM` value (`DEVICE:INODE`, in decimal) names this device and inode.
    static func names(_ journalStream: String, device: UInt64, inode: UInt64) -> Bool {
        let parts = journalStream.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let streamDevice = UInt64(parts[0]), let streamInode = UInt64(parts[1]) else { return false }
        return streamDevice == device && streamInode == inode
    }
}
