import Foundation
import Testing
import TOMLConfig
@testable import AdhocdKit

/// The committed reference files hold exactly what `make docs` writes from the declared keys.
@Suite struct ConfigurationReferenceTests {
    /// The repository's root, from this file's place in it.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: ConfigurationReference.files)
    func committedFilesEqualTheGeneratedOnes(file: String) throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent(file), encoding: .utf8)
        let generated: String
        do {
            generated = try ConfigurationReference.update(text, file: file)
        } catch {
            Issue.record("\(file): \(error)")
            return
        }
        let committed = text.split(separator: "\n", omittingEmptySubsequences: false)
        let wanted = generated.split(separator: "\n", omittingEmptySubsequences: false)
        let first = zip(committed, wanted).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(committed.count, wanted.count)
        // A Boolean, so a failure shows the message rather than both files whole.
        let upToDate = generated == text
        #expect(
            upToDate,
            """
            \(file) is not what the declared keys generate: run make docs. \
            First difference at line \(first + 1): \(first < wanted.count ? String(wanted[first]) : "(end)")
            """)
    }

    @Test func everyTableIsInTheReferenceOnce() {
        let titles = ConfigurationReference.blocks.documents.flatMap { document in document.tables.map { "\(document.name) \($0.title)" } }
        #expect(Set(titles).count == titles.count)
        #expect(titles.contains("adhocd.toml [monitor]") && titles.contains("adhocd.toml [[dbus]]") && titles.contains("commands.d [[param]]"))
    }

    @Test func unknownTablesAndKeysSuggestADeclaredName() {
        let account = "[account]\njid = \"bot@example.org\"\npassword = \"x\"\n"
        #expect(throws: ConfigurationError.invalid(file: "a.toml", key: "presense", problem: "unknown key (did you mean 'presence'?)")) {
            try DaemonConfiguration.parse(account + "[presense]\nshow = \"away\"\n", file: "a.toml")
        }
        #expect(throws: ConfigurationError.invalid(file: "a.toml", key: "monitor.probe_comand", problem: "unknown key (did you mean 'probe_command'?)")) {
            try DaemonConfiguration.parse(account + "[monitor]\nprobe_comand = [\"/bin/true\"]\n", file: "a.toml")
        }
        #expect(throws: ConfigurationError.invalid(file: "a.toml", key: "dbus[1].signal", problem: "unknown key (did you mean 'signals'?)")) {
            try DaemonConfiguration.parse(account + "[[dbus]]\nservice = \"org.x.Y\"\nmethods = [\"*\"]\nsignal = [\"a.B\"]\n", file: "a.toml")
        }
    }
}
