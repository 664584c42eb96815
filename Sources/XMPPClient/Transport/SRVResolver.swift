import CResolv
import NIOPosix

/// SRV lookups through the system resolver, off the event loops.
enum SRVResolver {
    static func lookup(_ name: String) async -> [SRVRecord] {
        let answer: [UInt8]? = try? await NIOThreadPool.singleton.runIfActive {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let length = buffer.withUnsafeMutableBufferPointer { pointer in
                adhocd_dns_query(name, Int32(DNSMessage.srvType), pointer.baseAddress, Int32(pointer.count))
            }
            return length > 0 ? Array(buffer.prefix(Int(length))) : nil
        }
        guard let answer else { return [] }
        // A record with target "." (read as an empty name) is kept: alone, it means the service
        // is decidedly not offered (RFC 2782), which `ConnectionTarget.candidates` acts on.
        return (try? DNSMessage.srvRecords(in: answer)) ?? []
    }
}
