import Commands
import ProcessSupervision
import XMPPCore

/// One run of a commands.d command, in order: the audit log is open, a run slot is free, the
/// values can be passed, the programs are the checked ones (`ProgramCheck`), the `started`
/// line is written (or nothing runs), the program runs, the `finished` line follows.
struct CommandExecution {
    let command: FileCommand
    let values: SubmittedValues
    let context: CommandContext

    private var runtime: CommandFilesRuntime { command.runtime }
    private var definition: CommandDefinition { command.definition }

    func run() async -> CommandOutcome {
        let settings = runtime.settings
        if let problem = runtime.auditLog.problem {
            command.audit(.notRun, values, context, reason: "audit log unavailable")
            return .failure("Not run: \(problem).")
        }
        do {
            try runtime.slots.acquire(node: command.node, commandLimit: definition.maxRunning, overallLimit: settings.maxRunning)
        } catch {
            let reason: String
            switch error {
            case .command(let limit): reason = "\(limit) run\(limit == 1 ? " is" : "s are") of this command already going"
            case .overall(let limit): reason = "\(limit) commands.d run\(limit == 1 ? " is" : "s are") already going"
            }
            command.audit(.notRun, values, context, reason: "busy: \(reason)")
            return .failure("Not run: \(reason); try again when \(error == .command(limit: 1) ? "it finishes" : "one finishes").")
        }
        defer { runtime.slots.release(node: command.node) }

        var spec: ProcessSpec
        do throws(UnpassableValue) {
            spec = try command.processSpec(values, context: context, settings: settings)
        } catch {
            command.audit(.notRun, values, context, reason: error.description)
            return .failure("Not run: \(error.description).")
        }
        var unavailable: String?
        do throws(ProgramCheck.Refusal) {
            try runtime.programs.prepare(&spec, for: definition)
        } catch {
            switch error {
            case .unsafe(let problem):
                command.audit(.notRun, values, context, reason: "unsafe program: \(problem)")
                runtime.logger.error("commands.d: \(command.node) not run: \(problem)")
                return .failure("Not run: \(problem).")
            case .unavailable(let reason):
                unavailable = reason
            }
        }

        var entry = command.entry(.allowed, values, context)
        entry.event = .started
        entry.run = RunID.make()
        let origin = RequestOrigin.current
        entry.via = origin?.frontEnd.rawValue
        entry.request = origin?.requestID
        do throws(AuditLogUnavailable) {
            try runtime.auditLog.append(entry)
        } catch {
            return .failure("Not run: \(error.description).")
        }
        entry.time = AuditTime.now()
        entry.event = .finished
        if let unavailable { return failedToStart(&entry, reason: unavailable) }
        do {
            let result = try await runtime.runner.run(spec)
            entry.record(result)
            runtime.auditLog.record(entry)
            // Only ad-hoc answers are tracked to the server; the client reports how each went.
            if origin?.frontEnd == .adHoc, let request = origin?.requestID, let run = entry.run {
                runtime.deliveries.expect(AwaitedDelivery(requester: context.requester, requestID: request, run: run, node: command.node))
            }
            return OutputRenderer.outcome(for: result, definition: definition)
        } catch {
            return failedToStart(&entry, reason: error.reason)
        }
    }

    private func failedToStart(_ entry: inout AuditEntry, reason: String) -> CommandOutcome {
        entry.outcome = .failedToStart
        entry.reason = reason
        runtime.auditLog.record(entry)
        return .failure("\(definition.name) could not be started: \(reason).")
    }
}

/// Ties a run's `started` and `finished` lines together.
enum RunID {
    static func make() -> String {
        String(UInt64.random(in: 1...UInt64.max), radix: 16)
    }
}

extension AuditEntry {
    mutating func record(_ result: ProcessResult) {
        duration = result.duration.seconds
        outputTruncated = result.standardOutput.isTruncated
        switch result.ending {
        case .exited(let status):
            exitStatus = status
            outcome = .exited
        case .signalled(let number):
            signal = number
            outcome = .killed
        }
        if result.timedOut { outcome = .timedOut }
        if result.cancelled { outcome = .cancelled }
    }
}
