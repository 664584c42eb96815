import Testing
@testable import XMPPClient

@Suite struct ReadAcknowledgementTests {
    @Test func aReadThatWroteNothingIsAcknowledgedAtOnce() {
        var acknowledgement = ReadAcknowledgement()
        acknowledgement.read()
        acknowledgement.read()
        let needsACK = acknowledgement.readComplete()
        #expect(needsACK)
    }

    @Test func aReadAnsweredWhereItWasReadNeedsNoACKOfItsOwn() {
        var acknowledgement = ReadAcknowledgement()
        acknowledgement.read()
        acknowledgement.flushed()
        let needsACK = acknowledgement.readComplete()
        #expect(!needsACK)
    }

    @Test func aWriteBetweenReadsDoesNotCarryTheNextReadsACK() {
        var acknowledgement = ReadAcknowledgement()
        acknowledgement.read()
        acknowledgement.flushed()
        let firstNeedsACK = acknowledgement.readComplete()
        #expect(!firstNeedsACK)
        // A command's answer, written after the read it came in was over.
        acknowledgement.flushed()
        acknowledgement.read()
        let secondNeedsACK = acknowledgement.readComplete()
        #expect(secondNeedsACK)
    }

    @Test func aReadThatParsedNoElementIsAcknowledgedAtOnce() {
        // Half a stanza, or a TLS record with nothing for us: channelRead is not called.
        var acknowledgement = ReadAcknowledgement()
        let needsACK = acknowledgement.readComplete()
        #expect(needsACK)
    }
}
