import Synchronization
import XMPPCore
@testable import AdHoc

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let current = Mutex(ContinuousClock.now)

    var now: ContinuousClock.Instant { current.withLock { $0 } }

    func advance(by duration: Duration) {
        current.withLock { $0 += duration }
    }
}

/// Group memberships the test can change, like roster pushes do.
final class MutableGroups: GroupDirectory {
    private let table = Mutex<[JID: Set<String>]>([:])

    func set(_ jid: JID, _ groups: Set<String>) {
        table.withLock { $0[jid.bare] = groups }
    }

    func groups(of contact: JID) -> Set<String> {
        table.withLock { $0[contact.bare] ?? [] }
    }
}

/// Asks for a name, then whether to shout, then greets.
struct GreetCommand: Command {
    var node = "greet"
    var name = "Greet someone"
    var policy: AccessPolicy
    var sessionTimeout: Duration? = .seconds(60)

    func start(_ context: CommandContext) async throws -> CommandStep {
        .ask(CommandStage(id: "name", form: DataForm(.form, title: "Who?", fields: [
            FormField("name", type: .textSingle, label: "Name", isRequired: true),
        ]), isFinal: false))
    }

    func submit(stage: String, values: SubmittedValues, action: SubmitAction, context: CommandContext) async throws -> CommandStep {
        switch stage {
        case "name":
            let name = values.string("name") ?? ""
            return .ask(CommandStage(id: "loud:\(name)", form: DataForm(.form, fields: [
                FormField("loud", type: .boolean, label: "Shout?", values: ["false"]),
            ]), isFinal: true, note: "Greeting \(name)"))
        default:
            let name = String(stage.dropFirst("loud:".count))
            let greeting = "Hello, \(name)!"
            return .complete(.note(values.bool("loud") == true ? greeting.uppercased() : greeting))
        }
    }
}

/// A loop: each `next` counts up and shows the same stage again; `complete` ends it.
struct CounterLoopCommand: Command {
    var node = "counter"
    var name = "Count"
    var policy: AccessPolicy

    func stage(_ count: Int) -> CommandStep {
        .ask(CommandStage(id: "count:\(count)", form: DataForm(.form, fields: [
            FormField("count", type: .fixed, values: ["\(count)"]),
        ]), isFinal: false, canComplete: true))
    }

    func start(_ context: CommandContext) async throws -> CommandStep { stage(0) }

    func submit(stage id: String, values: SubmittedValues, action: SubmitAction, context: CommandContext) async throws -> CommandStep {
        let count = Int(id.dropFirst("count:".count)) ?? 0
        return action == .complete ? .complete(.note("counted \(count)")) : stage(count + 1)
    }
}

final class CancelCounter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

/// One stage; counts the cancels it is told of.
struct CancelCountingCommand: Command {
    var node = "counting"
    var name = "Counts cancels"
    var policy: AccessPolicy
    let cancels: CancelCounter

    func start(_ context: CommandContext) async throws -> CommandStep {
        .ask(CommandStage(id: "only", form: DataForm(.form, fields: []), isFinal: true))
    }

    func submit(stage: String, values: SubmittedValues, action: SubmitAction, context: CommandContext) async throws -> CommandStep {
        .complete(.note("done"))
    }

    func cancel(_ context: CommandContext) async {
        cancels.add()
    }
}

/// Finishes at once, with a result form or by failing.
struct InstantCommand: Command {
    var node: String
    var name: String
    var policy: AccessPolicy
    var outcome: @Sendable () async throws -> CommandOutcome
    var stageTimeout: Duration = .seconds(30)

    func start(_ context: CommandContext) async throws -> CommandStep {
        .complete(try await outcome())
    }
}

struct Boom: Error, CustomStringConvertible {
    var description: String { "disk on fire" }
}

enum Fixture {
    static let bot = try! JID("bot@example.org")
    static let botPhone = try! JID("bot@example.org/phone")
    static let alice = try! JID("alice@example.org/laptop")
    static let aliceMobile = try! JID("alice@example.org/mobile")
    static let eve = try! JID("eve@example.org/x")
}
