#if canImport(Glibc)
import Glibc
#endif

/// Session ids: 128 random bits, hex. Unguessable, so one requester cannot reach another's.
public enum SessionID {
    public static func make() -> String {
        // arc4random_buf: glibc's CSPRNG, refilled from the kernel in the background, so no
        // system call per id (SystemRandomNumberGenerator makes one per 8 bytes).
        var bytes = (UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &bytes) { buffer in
            if let base = buffer.baseAddress { arc4random_buf(base, buffer.count) }
        }
        return hex(bytes.0) + hex(bytes.1)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
