import Commands
import TOMLConfig
import Testing
import XMPPCore
@testable import Chat

@Suite struct ChatSettingsTests {
    func read(_ toml: String) throws(ConfigurationError) -> ChatSettings {
        var root = ConfigSection(file: "adhocd.toml", path: "", values: try ConfigValue.parseTOML(toml, file: "adhocd.toml"))
        guard var section = try root.read("chat", as: .table(ChatKeys.table)) else { return ChatSettings() }
        let settings = try ChatSettings.read(&section)
        try section.rejectUnknownKeys()
        return settings
    }

    func problem(_ toml: String) -> String {
        do {
            _ = try read(toml)
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test func defaults() throws {
        let settings = try read("[chat]\n")
        #expect(settings == ChatSettings())
        #expect(settings.enabled && settings.staleAfter == 120 && settings.rateBurst == 10 && settings.rateInterval == 1)
        #expect(settings.allow == nil && settings.deny.isEmpty && settings.aliases.isEmpty)
    }

    @Test func everyKey() throws {
        let settings = try read("""
            [chat]
            enabled = false
            stale_after = 30
            rate_burst = 5
            rate_interval = 1.5
            allow = ["group:coloc", "jid:admin@example.org"]
            deny = ["jid:kid@example.org"]
            aliases = { pause = "mpris/remote action=play-pause", Status = "status" }
            """)
        #expect(!settings.enabled)
        #expect(settings.staleAfter == 30 && settings.rateBurst == 5 && settings.rateInterval == 1.5)
        #expect(settings.allow == [.group("coloc"), .account(try JID("admin@example.org"))])
        #expect(settings.deny == [.account(try JID("kid@example.org"))])
        #expect(settings.aliases.map(\.name) == ["status", "pause"] || settings.aliases.map(\.name) == ["pause", "status"])
        #expect(settings.alias("PAUSE")?.target == TypedLine(head: "mpris/remote", rest: "action=play-pause"))
        #expect(settings.alias("pause")?.expanded(with: "x=1") == TypedLine(head: "mpris/remote", rest: "action=play-pause x=1"))
    }

    @Test func aliasesAlsoAsATable() throws {
        let settings = try read("[chat.aliases]\nnext = \"mpris/remote next\"\n")
        #expect(settings.alias("next")?.targetText == "mpris/remote next")
    }

    @Test func mistakesNameTheKey() {
        #expect(problem("[chat]\nstale_after = 0") == "adhocd.toml: chat.stale_after: must be between 1 and 86400 seconds, found 0")
        #expect(problem("[chat]\nrate_burst = 0").contains("chat.rate_burst"))
        #expect(problem("[chat]\nallow = [\"coloc\"]").contains("chat.allow"))
        #expect(problem("[chat]\naliases = { \"two words\" = \"status\" }").contains("chat.aliases.two words: 'two words' is not one word"))
        #expect(problem("[chat]\naliases = { help = \"status\" }").contains("already means something"))
        #expect(problem("[chat]\naliases = { x = \"\" }").contains("names no command"))
        #expect(problem("[chat]\naliases = { x = \"echo 'open\" }").contains("quote is not closed"))
        #expect(problem("[chat]\naliases = { x = 3 }").contains("expected a command line"))
        #expect(problem("[chat]\nstale = 3").contains("unknown key"))
    }
}
