#if canImport(Glibc)
import Glibc
#endif

/// Standard error as a text stream: write(2) on descriptor 2, no shared C FILE state, no
/// Foundation. Each `write` is one system call where the kernel allows, so whole log lines
/// from several threads do not interleave.
public struct StandardError: TextOutputStream {
    public init() {}

    public mutating func write(_ string: String) {
        var bytes = Array(string.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            bytes = bytes.dropFirst(written)
        }
    }
}
