import Commands
import Logging
import Synchronization
import XMPPCore

/// An engine over greet, tune and an admin-only command, alice in group coloc, a clock the test
/// moves and a recorder of refusals: where the core's and the front ends' tests start.
public struct EngineFixture: Sendable {
    public let clock = ManualClock()
    public let groups = MutableGroups()
    public let registry = CommandRegistry()
    public let refusals = Recorder<CommandRefusal>()
    public let engine: CommandEngine
    public static let coloc = try! AccessPolicy(allow: ["group:coloc"], deny: [])

    public init(limits: SessionLimits = SessionLimits(defaultIdleTimeout: .seconds(600), perAccount: 2, total: 3)) {
        let clock = self.clock
        let refusals = self.refusals
        engine = CommandEngine(
            account: Fixture.bot, registry: registry, directory: groups, limits: limits,
            now: { clock.now },
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            onRefusal: { refusal in refusals.append(refusal) })
        groups.set(Fixture.alice, ["coloc"])
        registry.setCommands([
            GreetCommand(policy: Self.coloc),
            TuneCommand(policy: Self.coloc),
            InstantCommand(node: "admin", name: "Admin only", policy: .ownAccountOnly, outcome: { .note("ok") }),
        ], provider: "test")
    }
}

/// A clock the test moves by hand.
public final class ManualClock: Sendable {
    private let current = Mutex(ContinuousClock.now)

    public init() {}

    public var now: ContinuousClock.Instant { current.withLock { $0 } }

    public func advance(by duration: Duration) {
        current.withLock { $0 += duration }
    }
}

/// Group memberships the test can change, like roster pushes do.
public final class MutableGroups: GroupDirectory {
    private let table = Mutex<[JID: Set<String>]>([:])

    public init() {}

    public func set(_ jid: JID, _ groups: Set<String>) {
        table.withLock { $0[jid.bare] = groups }
    }

    public func groups(of contact: JID) -> Set<String> {
        table.withLock { $0[contact.bare] ?? [] }
    }
}

/// Asks for a name, then whether to shout, then greets.
public struct GreetCommand: Command {
    public var node = "greet"
    public var name = "Greet someone"
    public var policy: AccessPolicy
    public var sessionTimeout: Duration? = .seconds(60)

    public init(policy: AccessPolicy) {
        self.policy = policy
    }

    public func start(_ context: CommandContext) async throws -> CommandStep {
        .ask(CommandStage(id: "name", form: DataForm(.form, title: "Who?", fields: [
            FormField("name", type: .textSingle, label: "Name", isRequired: true),
        ]), isFinal: false))
    }

    public func submit(stage: String, values: SubmittedValues, action: SubmitAction, context: CommandContext) async throws -> CommandStep {
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
public struct CounterLoopCommand: Command {
    public var node = "counter"
    public var name = "Count"
    public var policy: AccessPolicy

    public init(policy: AccessPolicy) {
        self.policy = policy
    }

    public func stage(_ count: Int) -> CommandStep {
        .ask(CommandStage(id: "count:\(count)", form: DataForm(.form, fields: [
            FormField("count", type: .fixed, values: ["\(count)"]),
        ]), isFinal: false, canComplete: true))
    }

    public func start(_ context: CommandContext) async throws -> CommandStep { stage(0) }

    public func submit(stage id: String, values: SubmittedValues, action: SubmitAction, context: CommandContext) async throws -> CommandStep {
        let count = Int(id.dropFirst("count:".count)) ?? 0
        return action == .complete ? .complete(.note("counted \(count)")) : stage(count + 1)
    }
}

/// Collects what a hook hears, across tasks.
public final class Recorder<Element: Sendable>: Sendable {
    private let items = Mutex<[Element]>([])

    public init() {}

    public func append(_ item: Element) { items.withLock { $0.append(item) } }

    public var all: [Element] { items.withLock { $0 } }
}

public final class CancelCounter: Sendable {
    private let count = Mutex(0)
    public init() {}
    public func add() { count.withLock { $0 += 1 } }
    public var value: Int { count.withLock { $0 } }
}

/// One stage; counts the cancels it is told of.
public struct CancelCountingCommand: Command {
    public var node = "counting"
    public var name = "Counts cancels"
    public var policy: AccessPolicy
    let cancels: CancelCounter

    public init(policy: AccessPolicy, cancels: CancelCounter) {
        self.policy = policy
        self.cancels = cancels
    }

    public func start(_ context: CommandContext) async throws -> CommandStep {
        .ask(CommandStage(id: "only", form: DataForm(.form, fields: []), isFinal: true))
    }

    public func submit(stage: String, values: SubmittedValues, action: SubmitAction, context: CommandContext) async throws -> CommandStep {
        .complete(.note("done"))
    }

    public func cancel(_ context: CommandContext) async {
        cancels.add()
    }
}

/// Finishes at once, with a result form or by failing.
public struct InstantCommand: Command {
    public var node: String
    public var name: String
    public var policy: AccessPolicy
    public var outcome: @Sendable () async throws -> CommandOutcome
    public var stageTimeout: Duration = .seconds(30)

    public init(node: String, name: String, policy: AccessPolicy, outcome: @escaping @Sendable () async throws -> CommandOutcome, stageTimeout: Duration = .seconds(30)) {
        self.node = node
        self.name = name
        self.policy = policy
        self.outcome = outcome
        self.stageTimeout = stageTimeout
    }

    public func start(_ context: CommandContext) async throws -> CommandStep {
        .complete(try await outcome())
    }
}

public struct Boom: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "disk on fire" }
}

public enum Fixture {
    public static let bot = try! JID("bot@example.org")
    public static let botPhone = try! JID("bot@example.org/phone")
    public static let alice = try! JID("alice@example.org/laptop")
    public static let aliceMobile = try! JID("alice@example.org/mobile")
    public static let eve = try! JID("eve@example.org/x")
}

/// One final stage asking for a whole number from 0 to 10, a choice and a line of text matching
/// a pattern; answers with what it got. For mistyped values.
public struct TuneCommand: Command {
    public var node = "tune"
    public var name = "Tune"
    public var policy: AccessPolicy

    public init(policy: AccessPolicy) {
        self.policy = policy
    }

    public func start(_ context: CommandContext) async throws -> CommandStep {
        .ask(CommandStage(id: "tune", form: DataForm(.form, fields: [
            FormField("level", type: .textSingle, label: "Level", isRequired: true,
                      validation: FieldValidation(datatype: .integer, method: .range(min: "0", max: "10"))),
            FormField("mode", type: .listSingle, label: "Mode", values: ["soft"], options: [.init("soft"), .init("loud")]),
            FormField("code", type: .textSingle, label: "Code", validation: FieldValidation(method: .regex("[a-z]{3}"))),
        ]), isFinal: true))
    }

    public func submit(stage: String, values: SubmittedValues, action: SubmitAction, context: CommandContext) async throws -> CommandStep {
        .complete(.note("level \(values.string("level") ?? "-") mode \(values.string("mode") ?? "-") code \(values.string("code") ?? "-")"))
    }
}
