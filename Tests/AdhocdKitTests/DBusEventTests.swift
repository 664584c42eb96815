import Commands
import DBusBridge
import Foundation
import Testing
import XMPPCore
@testable import AdhocdKit

/// The daemon's side of D-Bus events: the User Tune publication, who is sent a signal, the
/// failed-unit alert and its journal lines, and `adhocd check` on `notify`.
@Suite struct DBusEventTests {
    static let account = try! JID("bot@example.org")

    // MARK: User Tune

    @Test func aTuneHasXEP0118sFieldsInOrder() {
        let tune = UserTune.element(Track(artist: "Yes", title: "Heart of the Sunrise", source: "Yessongs", length: 686, track: "3"))
        #expect(tune.name == "tune" && tune.namespace == "http://jabber.org/protocol/tune")
        #expect(tune.elements.map(\.name) == ["artist", "length", "source", "title", "track"])
        #expect(tune.elements.map(\.text) == ["Yes", "686", "Yessongs", "Heart of the Sunrise", "3"])
        #expect(tune.elements.allSatisfy { $0.namespace == UserTune.namespace })
        // Fields the player did not give are left out; nothing plays: an empty tune.
        #expect(UserTune.element(Track(title: "Only a title")).elements.map(\.name) == ["title"])
        #expect(UserTune.element(nil).children.isEmpty)
    }

    @Test func thePublicationGoesToOurOwnPEPNodeForPresenceSubscribersOnly() throws {
        let iq = UserTune.publication(Track(title: "La"), id: "t1")
        #expect(iq.kind == .set && iq.id == "t1" && iq.to == nil)
        let pubsub = try #require(iq.payload)
        #expect(pubsub.name == "pubsub" && pubsub.namespace == "http://jabber.org/protocol/pubsub")
        let publish = try #require(pubsub.child("publish", namespace: UserTune.pubsubNamespace))
        #expect(publish[attribute: "node"] == "http://jabber.org/protocol/tune")
        let item = try #require(publish.child("item", namespace: UserTune.pubsubNamespace))
        #expect(item[attribute: "id"] == "current")
        #expect(item.child("tune", namespace: UserTune.namespace)?.childText("title", namespace: UserTune.namespace) == "La")
        let options = try #require(pubsub.child("publish-options", namespace: UserTune.pubsubNamespace)?.child("x", namespace: DataForm.namespace))
        let form = try DataForm(element: options)
        #expect(form.kind == .submit)
        #expect(form.formType == "http://jabber.org/protocol/pubsub#publish-options")
        #expect(form.field("pubsub#access_model")?.values == ["presence"])
    }

    // MARK: Who is sent a signal

    @Test func onlyRecipientsTheRulesAdmitAreSentASignal() throws {
        let alice = try JID("alice@example.org"), bob = try JID("bob@example.org"), stranger = try JID("stranger@example.org")
        let directory = StaticGroupDirectory([alice: ["coloc"], bob: ["coloc", "banned"]])
        let policy = AccessPolicy(allow: [.group("coloc")], deny: [.group("banned")])
        let admitted = DBusEventRelay.admitted([alice, bob, stranger], by: policy, account: Self.account, directory: directory)
        #expect(admitted == [alice])
        // A group change takes effect at once: the roster is read for each message.
        let moved = StaticGroupDirectory([alice: [], stranger: ["coloc"]])
        #expect(DBusEventRelay.admitted([alice, bob, stranger], by: policy, account: Self.account, directory: moved) == [stranger])
    }

    @Test func checkWarnsAboutNotifyRecipientsOutsideTheRules() throws {
        let file = try ConfigurationCheckTests.ConfigFile("""
        [account]
        jid = "bot@example.org"
        password_file = "PASSWORD_FILE"

        [[dbus]]
        service = "org.example.Alarm"
        signals = ["org.example.Alarm.*"]
        notify = ["group:coloc", "group:others", "jid:ops@example.org", "jid:friend@example.org", "jid:bad@example.org", "jid:bot@example.org"]
        allow = ["group:coloc", "jid:ops@example.org"]
        deny = ["jid:bad@example.org"]

        [[dbus]]
        service = "org.example.Other"
        signals = ["org.example.Other.*"]
        notify = ["jid:someone@example.org"]
        allow = ["jid:ops@example.org"]
        """)
        let report = ConfigurationCheck().run(file: file.path)
        let problems = report.problems.map(\.problem)
        #expect(problems == [
            "dbus[1]: notify names group:others, a group the rules (allow group:coloc, jid:ops@example.org; deny jid:bad@example.org) do not allow, so its members are sent nothing unless the rules admit them otherwise",
            "dbus[1]: notify names jid:friend@example.org, whom the rules (allow group:coloc, jid:ops@example.org; deny jid:bad@example.org) do not allow by JID: they are sent something only while in group:coloc",
            "dbus[1]: notify names jid:bad@example.org, whom the rules deny, so they are sent nothing",
            "dbus[1]: notify names jid:bot@example.org, the bot's own account, which is never sent these",
            "dbus[2]: notify names jid:someone@example.org, whom the rules (allow jid:ops@example.org) do not allow, so they are sent nothing",
        ], "\(problems)")
        #expect(report.warnings.count == 5 && report.errors.isEmpty)
        #expect(report.problems.first?.line == 8)
        #expect(report.summary.contains("roster groups named: coloc, others"))
    }

    // MARK: Failed units

    @Test func readsWhatJournalctlSays() {
        let lines = (1...12).map { "Nov 27 10:00:\($0) web1 nginx[42]: line \($0)" }.joined(separator: "\n")
        #expect(JournalExcerpt(status: 0, output: lines + "\n", errors: "", limit: 10)
            == .lines((3...12).map { "Nov 27 10:00:\($0) web1 nginx[42]: line \($0)" }))
        #expect(JournalExcerpt(status: 0, output: "-- No entries --\n", errors: "", limit: 10) == .empty)
        #expect(JournalExcerpt(status: 0, output: "-- No entries --\n", errors: """
            Hint: You are currently not seeing messages from other users and the system.
                  Users in groups 'adm', 'systemd-journal' can see all messages.
            """, limit: 10) == .unreadable("adhocd's user may not read the system journal (add it to group systemd-journal or adm)"))
        #expect(JournalExcerpt(status: 1, output: "", errors: "Failed to add filter for units: No data available\n", limit: 10)
            == .unreadable("journalctl failed: Failed to add filter for units: No data available"))
        let long = JournalExcerpt(status: 0, output: String(repeating: "x", count: 1000), errors: "", limit: 10)
        #expect(long == .lines([String(repeating: "x", count: JournalExcerpt.lineLimit - 1) + "…"]))
    }

    @Test func theAlertSaysWhatFailedWhereAndWhatTheJournalHolds() {
        let failure = UnitFailure(unit: "nginx.service", previousState: "active", subState: "failed")
        #expect(UnitFailureAlert(host: "web1", failure: failure, journal: .lines(["a", "b"])).body
            == "web1: nginx.service failed, was active.\nLast journal lines:\na\nb")
        #expect(UnitFailureAlert(host: "web1", failure: failure, journal: .empty).body
            == "web1: nginx.service failed, was active.\nThe journal holds no lines for it.")
        let again = UnitFailure(unit: "db.service", previousState: nil, subState: "exit-code", heldBack: 2)
        #expect(UnitFailureAlert(host: "db1", failure: again, journal: .unreadable("journalctl is not installed")).body
            == "db1: db.service failed (exit-code).\nIts journal lines cannot be read: journalctl is not installed.\n(2 earlier failures of it not announced: rate limit)")
    }

    @Test func theJournalIsReadThroughTheRunnerWithoutAShell() async {
        // A stand-in journalctl that prints its arguments, one per line.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("adhocd-journal-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("journalctl").path
        #expect(FileManager.default.createFile(atPath: script, contents: Data("#!/bin/sh\nprintf '%s\\n' \"$@\"\n".utf8), attributes: [.posixPermissions: 0o755]))
        let journal = UnitJournal(program: script)
        let excerpt = await journal.lastLines(of: "a b;$(id).service")
        #expect(excerpt == .lines(["--unit=a b;$(id).service", "-n", "10", "--no-pager"]))
        #expect(await UnitJournal(program: nil).lastLines(of: "x.service") == .unreadable("journalctl is not installed"))
        let slow = directory.appendingPathComponent("slow").path
        #expect(FileManager.default.createFile(atPath: slow, contents: Data("#!/bin/sh\nexec sleep 30\n".utf8), attributes: [.posixPermissions: 0o755]))
        #expect(await UnitJournal(timeout: .milliseconds(300), program: slow).lastLines(of: "x.service") == .unreadable("journalctl did not answer within 0.300 s"))
    }
}
