import AdhocdKit
import ArgumentParser
import XMPPCore

struct Commands: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the commands the configuration offers, who may run them, and a link to each.",
        discussion: """
        Built offline from the configuration: no XMPP connection, no D-Bus. With --as, the \
        ALLOWED column applies each command's rules to that contact, in the roster groups \
        --groups names. The links (xmpp:BOT?command;node=NODE) open a command in clients that \
        support them, such as Cheogram.
        """)

    @OptionGroup var options: ConfigOptions

    @Option(name: .customLong("as"), help: ArgumentHelp("Say which commands this contact may run.", valueName: "jid"))
    var requester: String?

    @Option(help: ArgumentHelp("With --as: the contact's roster groups, comma-separated.", valueName: "a,b"))
    var groups: String?

    func validate() throws {
        if groups != nil, requester == nil { throw ValidationError("--groups needs --as JID") }
        if let requester, (try? JID(requester)) == nil { throw ValidationError("--as: '\(requester)' is not a JID") }
    }

    func run() throws {
        let listing = CommandListing(configuration: try options.load())
        let contact = requester.flatMap { try? JID($0) }
        let groupNames = Set((groups ?? "").split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty })
        print(listing.render(requester: contact, groups: groupNames), terminator: "")
    }
}
