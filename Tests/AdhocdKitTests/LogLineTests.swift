import Glibc
import Logging
import Testing
@testable import AdhocdKit

/// Log lines for journald: priority prefixes, no timestamps; `auto` only when stderr is the journal.
@Suite struct LogLineTests {
    @Test func prefixesTheSyslogPriority() {
        #expect(JournalLine.format(level: .info, label: "adhocd", message: "logged in", metadata: [:]) == "<6>adhocd: logged in\n")
        #expect(Logger.Level.allCases.map(JournalLine.priority(of:)) == [7, 7, 6, 5, 4, 3, 2])
    }

    @Test func sortsMetadataAfterTheMessage() {
        let line = JournalLine.format(level: .warning, label: "adhocd.xmpp", message: "reconnecting", metadata: ["delay": "2s", "attempt": "3"])
        #expect(line == "<4>adhocd.xmpp: reconnecting attempt=3 delay=2s\n")
    }

    @Test func noInputCanStartALineOfItsOwn() {
        // A stranger's node name or a service's error text carrying a newline and a fake entry.
        let text = JournalLine.format(
            level: .notice, label: "adhocd", message: "command refused: x\n<3>adhocd: root logged in\r\u{1B}[2J\u{2028}",
            metadata: ["node": "a\nb", "jid": "eve@example.org/x y", "text": "k=v \"q\" \\", "empty": ""])
        #expect(text == #"<5>adhocd: command refused: x\n<3>adhocd: root logged in\r\u{1B}[2J\u{2028} empty="" jid="eve@example.org/x y" node=a\nb text="k=v \"q\" \\""# + "\n")
        #expect(text.split(separator: "\n").count == 1)
    }

    @Test func invisibleAndReorderingCharactersAreEscaped() {
        // A stanza id whose override shows the rest of the line backwards, a zero-width space
        // inside a name, an isolate, a byte order mark; accents and emoji stay as they are.
        let line = LogLine.text(message: "answer delivered", metadata: ["id": "42\u{202E}gnp.exe", "node": "st\u{200B}atus\u{2066}\u{FEFF}", "name": "Élodie 🎵"])
        #expect(line == #"answer delivered id=42\u{202E}gnp.exe name="Élodie 🎵" node=st\u{200B}atus\u{2066}\u{FEFF}"#)
    }

    @Test func valuesAndMessagesAreCutShort() {
        // A stranger's session id of 100 KB, in two-byte characters: cut between two of them.
        let message = String(repeating: "m", count: 10_000)
        let id = String(repeating: "é", count: 50_000)
        let line = LogLine.text(message: message, metadata: ["session": "\(id)", "jid": "eve@example.org/x"])
        let cutMessage = String(repeating: "m", count: LogLine.messageBytes - "…[cut: 10000 bytes]".utf8.count) + "…[cut: 10000 bytes]"
        let cutID = String(repeating: "é", count: (LogLine.valueBytes - "…[cut: 100000 bytes]".utf8.count) / 2) + "…[cut: 100000 bytes]"
        #expect(line == cutMessage + " jid=eve@example.org/x session=\"" + cutID + "\"")
        #expect(cutMessage.utf8.count == LogLine.messageBytes)
        // At the limit nothing is cut.
        let exact = String(repeating: "a", count: LogLine.valueBytes)
        #expect(LogLine.cut(exact, to: LogLine.valueBytes) == exact)
    }

    @Test func plainLinesAreEscapedAlike() {
        let line = PlainLine.format(time: "T", level: .info, label: "adhocd", source: "XMPPClient", message: "a\nb", metadata: ["k": "v"])
        #expect(line == "T info adhocd: [XMPPClient] a\\nb k=v\n")
        #expect(PlainLine.now().first?.isNumber == true)
    }

    @Test func autoMeansJournaldOnlyWhenStandardErrorIsTheJournal() {
        #expect(LogFormat.journald.resolved(journalStream: nil) == .journald)
        #expect(LogFormat.plain.resolved(journalStream: "1:2") == .plain)
        #expect(LogFormat.auto.resolved(journalStream: nil) == .plain)
        // Inherited from a service but pointing elsewhere (stderr redirected to a file).
        #expect(LogFormat.auto.resolved(journalStream: "0:1") == .plain)
        var status = stat()
        #expect(fstat(2, &status) == 0)
        #expect(LogFormat.auto.resolved(journalStream: "\(status.st_dev):\(status.st_ino)") == .journald)
    }

    @Test func parsesJournalStream() {
        #expect(LogFormat.names("8:1234", device: 8, inode: 1234))
        #expect(!LogFormat.names("8:1234", device: 8, inode: 1235))
        #expect(!LogFormat.names("8", device: 8, inode: 0))
        #expect(!LogFormat.names("8:x", device: 8, inode: 0))
        #expect(!LogFormat.names("", device: 0, inode: 0))
    }
}
