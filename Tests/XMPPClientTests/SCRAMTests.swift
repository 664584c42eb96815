import Testing
@testable import XMPPClient

@Suite struct SCRAMTests {
    /// RFC 5802 §5.
    @Test func sha1TestVector() throws {
        var client = SCRAMClient(hash: .sha1, username: "user", password: "pencil", clientNonce: "fyko+d2lbbFgONRv9qkxdawL")
        #expect(client.clientFirstMessage == "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL")
        let final = try client.clientFinalMessage(serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")
        #expect(final == "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=")
        try client.verify(serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")
    }

    /// RFC 7677 §3.
    @Test func sha256TestVector() throws {
        var client = SCRAMClient(hash: .sha256, username: "user", password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO")
        let final = try client.clientFinalMessage(serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
        #expect(final == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
        try client.verify(serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
    }

    @Test func rejectsAForgedServerSignature() throws {
        var client = SCRAMClient(hash: .sha1, username: "user", password: "pencil", clientNonce: "fyko+d2lbbFgONRv9qkxdawL")
        _ = try client.clientFinalMessage(serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")
        #expect(throws: SASLError.serverSignatureMismatch) { try client.verify(serverFinal: "v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=") }
        #expect(throws: SASLError.serverRejected("invalid-proof")) { try client.verify(serverFinal: "e=invalid-proof") }
    }

    @Test func rejectsBadChallenges() {
        func attempt(_ serverFirst: String) -> SASLError? {
            var client = SCRAMClient(hash: .sha256, username: "u", password: "p", clientNonce: "abc")
            do {
                _ = try client.clientFinalMessage(serverFirst: serverFirst)
                return nil
            } catch {
                return error
            }
        }
        #expect(attempt("r=xyz123,s=QSXCR+Q6sek8bf92,i=4096") == .nonceMismatch)
        #expect(attempt("r=abc,s=QSXCR+Q6sek8bf92,i=4096") == .nonceMismatch)
        #expect(attempt("r=abcdef,s=!!!,i=4096") == .malformedChallenge("missing or invalid salt"))
        #expect(attempt("r=abcdef,s=QSXCR+Q6sek8bf92,i=0") == .malformedChallenge("missing or unacceptable iteration count"))
        #expect(attempt("r=abcdef,s=QSXCR+Q6sek8bf92,i=999999999") == .malformedChallenge("missing or unacceptable iteration count"))
        #expect(attempt("m=ext,r=abcdef,s=QSXCR+Q6sek8bf92,i=4096") == .malformedChallenge("the server requires a SCRAM extension"))
        #expect(attempt("garbage") != nil)
    }

    @Test func escapesTheUsername() {
        #expect(SCRAMClient.escape("a=b,c") == "a=3Db=2Cc")
        let client = SCRAMClient(hash: .sha1, username: "a,b", password: "p", clientNonce: "n")
        #expect(client.clientFirstMessage == "n,,n=a=2Cb,r=n")
    }

    @Test func noncesAreFreshAndPrintable() {
        let first = SCRAMClient.randomNonce()
        #expect(first != SCRAMClient.randomNonce())
        #expect(!first.contains(","))
        #expect(first.count == 32)
    }

    @Test func picksTheStrongestAcceptableMechanism() throws {
        #expect(try SASLMechanism.choose(offered: ["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256"], encrypted: true) == .scram(.sha256))
        #expect(try SASLMechanism.choose(offered: ["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS"], encrypted: true) == .scram(.sha1))
        #expect(try SASLMechanism.choose(offered: ["PLAIN"], encrypted: true) == .plain)
        #expect(throws: SASLError.self) { try SASLMechanism.choose(offered: ["PLAIN"], encrypted: false) }
        #expect(throws: SASLError.self) { try SASLMechanism.choose(offered: ["DIGEST-MD5", "X-OAUTH2"], encrypted: true) }
        #expect(try SASLMechanism.choose(offered: ["SCRAM-SHA-256", "SCRAM-SHA-1"], encrypted: true, allowed: ["SCRAM-SHA-1"]) == .scram(.sha1))
        #expect(SASLMechanism.plainMessage(username: "u", password: "p") == [0, 117, 0, 112])
    }
}
