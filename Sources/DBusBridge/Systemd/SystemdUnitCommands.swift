import Commands
import DBus
import XMPPCore

/// `preset = "systemd"`: status, start, stop and restart for exactly the listed units, through
/// `org.freedesktop.systemd1` on the system bus. Stop and restart ask for confirmation first.
enum SystemdUnitCommands {
    static func make(block: DBusBlock, handle: BusHandle) -> [any Command] {
        block.units.flatMap { unit in
            SystemdUnitCommand.Operation.allCases.map { operation in
                SystemdUnitCommand(unit: unit, operation: operation, block: block, handle: handle) as any Command
            }
        }
    }
}

struct SystemdUnitCommand: Command {
    enum Operation: String, CaseIterable, Sendable {
        case status, start, stop, restart

        var verb: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }

        /// The manager method; nil for status, which only reads.
        var method: String? {
            switch self {
            case .status: nil
            case .start: "StartUnit"
            case .stop: "StopUnit"
            case .restart: "RestartUnit"
            }
        }

        var needsConfirmation: Bool { self == .stop || self == .restart }
    }

    let unit: String
    let operation: Operation
    let node: String
    let name: String
    let policy: AccessPolicy
    let handle: BusHandle
    let service: String
    let callTimeout: Duration

    static let managerPath = "/org/freedesktop/systemd1"
    static let managerInterface = "org.freedesktop.systemd1.Manager"
    static let unitInterface = "org.freedesktop.systemd1.Unit"

    init(unit: String, operation: Operation, block: DBusBlock, handle: BusHandle) {
        self.unit = unit
        self.operation = operation
        node = Self.node(unit: unit, operation: operation)
        name = Self.name(unit: unit, operation: operation, label: block.label)
        policy = block.policy
        self.handle = handle
        service = block.service.pattern
        callTimeout = block.callTimeout
    }

    static func node(unit: String, operation: Operation) -> String { "systemd/\(unit)/\(operation.rawValue)" }

    static func name(unit: String, operation: Operation, label: String) -> String { "\(label): \(operation.rawValue) \(unit)" }

    var stageTimeout: Duration { callTimeout * 2 + .seconds(5) }

    func start(_ context: CommandContext) async throws -> CommandStep {
        guard operation.needsConfirmation else { return .complete(await run()) }
        let state = (try? await self.state()).map { " It is \($0) now." } ?? ""
        let form = DataForm(.form, title: name, instructions: ["\(operation.verb) \(unit)?\(state)"], fields: [
            FormField("confirm", type: .boolean, label: "\(operation.verb) \(unit) now", isRequired: true, values: ["false"]),
        ])
        return .ask(CommandStage(id: "confirm", form: form, isFinal: true))
    }

    func submit(stage: String, values: SubmittedValues, action: SubmitAction, context: CommandContext) async throws -> CommandStep {
        guard values.bool("confirm") == true else {
            return .complete(.note("\(unit) was left alone."))
        }
        return .complete(await run())
    }

    private func run() async -> CommandOutcome {
        do {
            if let method = operation.method {
                let connection = try handle.require()
                _ = try await connection.call(
                    destination: service, path: Self.managerPath, interface: Self.managerInterface, member: method,
                    arguments: [.string(unit), .string("replace")], timeout: callTimeout)
                return .note("\(operation.verb) of \(unit) queued; it is \(try await state()) now.")
            }
            return .note("\(unit) is \(try await state()).")
        } catch {
            return .failure(BridgeMessages.failure(of: "\(operation.verb) \(unit)", error))
        }
    }

    /// `active (running)`, read from the unit's object (loaded on demand, as GetUnit fails for
    /// units systemd has not loaded).
    private func state() async throws(DBusError) -> String {
        let connection = try handle.require()
        let reply: [DBusValue]
        do {
            reply = try await connection.call(
                destination: service, path: Self.managerPath, interface: Self.managerInterface, member: "GetUnit",
                arguments: [.string(unit)], timeout: callTimeout)
        } catch .remote(let name, _) where name == "org.freedesktop.systemd1.NoSuchUnit" {
            reply = try await connection.call(
                destination: service, path: Self.managerPath, interface: Self.managerInterface, member: "LoadUnit",
                arguments: [.string(unit)], timeout: callTimeout)
        }
        guard let path = reply.first?.stringValue else { throw .unexpectedReply("GetUnit returned no object path") }
        let properties = try await connection.properties(destination: service, path: path, interface: Self.unitInterface, timeout: callTimeout)
        let active = properties["ActiveState"]?.stringValue ?? "unknown"
        let sub = properties["SubState"]?.stringValue ?? ""
        return sub.isEmpty ? active : "\(active) (\(sub))"
    }
}
