import Testing
import XMPPCore
@testable import XMPPClient

/// The system libcrypto behind SCRAM and entity capabilities, and the base64 beside it. SCRAM's
/// own RFC vectors (SCRAMTests) cover PBKDF2 and HMAC end to end.
@Suite struct DigestTests {
    @Test func hashesMatchKnownValues() {
        #expect(Base64.encode(Digest.sha1.hash(Array("abc".utf8))) == "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=")
        #expect(Base64.encode(Digest.sha256.hash(Array("abc".utf8))) == "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=")
        #expect(Digest.sha1.hash([]).count == 20)
    }

    /// RFC 2202 and RFC 4231 test case 2.
    @Test func hmacsMatchTheRFCs() {
        let key = Array("Jefe".utf8), data = Array("what do ya want for nothing?".utf8)
        #expect(Digest.sha1.hmac(key: key, data: data) == hex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"))
        #expect(Digest.sha256.hmac(key: key, data: data) == hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"))
    }

    /// RFC 6070 test case 2.
    @Test func pbkdf2MatchesRFC6070() {
        #expect(Digest.sha1.pbkdf2(password: Array("password".utf8), salt: Array("salt".utf8), iterations: 2)
            == hex("ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"))
    }

    @Test func comparesInConstantTimeOnlyEqualLengths() {
        #expect(Digest.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!Digest.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!Digest.constantTimeEqual([1, 2, 3], [1, 2]))
        #expect(!Digest.constantTimeEqual([], []))
    }

    /// XEP-0115 §5.2's simple example.
    @Test func capsVerificationMatchesXEP0115() {
        let info = DiscoInfo(identities: [DiscoIdentity(category: "client", type: "pc", name: "Exodus 0.9.1")], features: [
            "http://jabber.org/protocol/caps", "http://jabber.org/protocol/disco#info",
            "http://jabber.org/protocol/disco#items", "http://jabber.org/protocol/muc",
        ])
        #expect(info.capsVerification == "QgayPKawpkPSDYmwT/WM94uAlu0=")
    }

    /// RFC 4648 §10.
    @Test func base64RoundTripsTheRFCVectors() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base64.encode([0xfb, 0xff, 0xbf]) == "+/+/")
        #expect(Base64.decode("+/+/") == [0xfb, 0xff, 0xbf])
    }

    @Test func base64RefusesWhatIsNotCanonical() {
        for bad in ["Zg", "Zg=", "Zm9", "Zg==Zg==", "Zh==", "Zm9=", "Z===", "====", "Zm 9v", "Zm9v\n", "Zm-v", "Zm9v=", "é="] {
            #expect(Base64.decode(bad) == nil, "\(bad)")
        }
    }

    private func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16) ?? 0)
            index = next
        }
        return bytes
    }
}
