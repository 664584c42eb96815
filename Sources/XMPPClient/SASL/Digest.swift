import CLibCrypto

/// SHA-1 and SHA-256, their HMACs and PBKDF2, from the system's libcrypto (OpenSSL 3), which
/// other programs on the machine map too. adhocd used swift-crypto for these, whose BoringSSL
/// copy came beside swift-nio-ssl's in the binary; it cost 1.0 MiB resident and 2.7 MiB of file.
enum Digest: Sendable {
    case sha1, sha256

    var byteCount: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        }
    }

    private var algorithm: OpaquePointer? {
        switch self {
        case .sha1: EVP_sha1()
        case .sha256: EVP_sha256()
        }
    }

    func hash(_ data: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        let done = data.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &output, &length, algorithm, nil)
        }
        // Fails only when libcrypto cannot allocate; an empty digest then fails every comparison.
        return done == 1 && Int(length) == byteCount ? output : []
    }

    func hmac(key: [UInt8], data: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        let result = key.withUnsafeBytes { key in
            data.withUnsafeBytes { input in
                HMAC(algorithm, key.baseAddress, Int32(key.count), input.baseAddress?.assumingMemoryBound(to: UInt8.self),
                     input.count, &output, &length)
            }
        }
        return result != nil && Int(length) == byteCount ? output : []
    }

    /// PBKDF2 with this hash's HMAC; nil if libcrypto refuses (it cannot allocate).
    func pbkdf2(password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: byteCount)
        let done = password.withUnsafeBytes { password in
            salt.withUnsafeBytes { salt in
                PKCS5_PBKDF2_HMAC(
                    password.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(password.count),
                    salt.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(salt.count),
                    Int32(iterations), algorithm, Int32(byteCount), &output)
            }
        }
        return done == 1 ? output : nil
    }

    /// Equal contents, in time independent of where they differ.
    static func constantTimeEqual(_ first: [UInt8], _ second: [UInt8]) -> Bool {
        guard first.count == second.count, !first.isEmpty else { return false }
        return first.withUnsafeBytes { a in second.withUnsafeBytes { b in CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0 } }
    }
}
