#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The whole of a small text file, or nil. /proc files report size 0, so read until EOF.
public func readTextFile(_ path: String, limit: Int = 1 << 20) -> String? {
    readFile(path, limit: limit).map { String(decoding: $0, as: UTF8.self) }
}

/// The bytes of a small file (up to `limit`), or nil.
public func readFile(_ path: String, limit: Int = 1 << 20) -> [UInt8]? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while bytes.count < limit {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            return nil
        }
        if count == 0 { break }
        bytes += chunk.prefix(count)
    }
    return bytes
}
