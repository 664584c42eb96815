import AdHoc
import AdhocdKit
import BuiltinCommands
import Commands
import Logging
import XMPPCore

/// The command path without network or TLS: the responder handling execute and complete for
/// `echo`, from parsed request to serialized answer. Shows what adhocd's own code costs.
enum ResponderBenchmark {
    static func perCommand(iterations: Int) async throws -> Double {
        let account = try JID("bot@bench.invalid")
        let requester = try JID("bench@bench.invalid/1")
        let registry = CommandRegistry()
        registry.setCommands([EchoCommand(policy: AccessPolicy(allow: [.account(requester.bare)]))], provider: "bench")
        var logger = Logger(label: "bench")
        logger.logLevel = .notice
        let responder = CommandResponder(engine: CommandEngine(
            account: account, registry: registry, directory: StaticGroupDirectory(),
            limits: SessionLimits(perAccount: 10, total: 10), scheduler: AdhocdKit.stageScheduler(), logger: logger))
        let commands = "http://jabber.org/protocol/commands"
        let form = DataForm(.submit, fields: [FormField("text", type: nil, values: ["benchmark"])]).element
        var sink = 0
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<iterations {
            let first = try await responder.handle(XMLElement("command", namespace: commands, ["node": "echo", "action": "execute"]), from: requester)
            let session = first[attribute: "sessionid"]
            let done = try await responder.handle(XMLElement(
                "command", namespace: commands, ["node": "echo", "sessionid": session, "action": "complete"],
                children: [.element(form)]), from: requester)
            sink &+= first.serialized().utf8.count &+ done.serialized().utf8.count
        }
        let elapsed = clock.now - start
        precondition(sink > 0)
        return elapsed.seconds / Double(iterations)
    }
}
