import Commands
import Logging
import ProcessSupervision
import Synchronization
import XMPPCore
#if canImport(Glibc)
import Glibc
#endif

/// What every commands.d command shares and what outlives a reload: the settings, the run
/// limits, answers awaiting confirmation, and the audit log.
public final class CommandFilesRuntime: Sendable {
    public let auditLog: AuditLog
    let slots = RunSlots()
    let pending = PendingConfirmations()
    let runner = ProcessRunner()
    /// Checks the programs of every run, as loading did.
    let programs = ProgramCheck(trust: TrustedPath(daemonUID: geteuid()))
    /// Refusals are written a few a minute per requester, whoever floods.
    let refusals = RefusalLimiter()
    /// Runs whose answer is on its way: the client's delivery report becomes their last line.
    let deliveries = AwaitedDeliveries()
    let logger: Logger
    private let current: Mutex<CommandFilesSettings>
    /// The daemon's account, for HOME when a definition names no user.
    let ownAccount = RunAsUser.current()

    public init(settings: CommandFilesSettings, logger: Logger) {
        self.logger = logger
        current = Mutex(settings)
        auditLog = AuditLog(logger: logger)
    }

    public var settings: CommandFilesSettings { current.withLock { $0 } }

    /// Applies new settings and reopens the audit log (which also follows log rotation);
    /// returns why the log cannot be written, if it cannot.
    @discardableResult
    public func apply(_ settings: CommandFilesSettings) -> String? {
        current.withLock { $0 = settings }
        return auditLog.open(path: settings.auditLog)
    }

    /// The responder refused a request: a commands.d command goes into the audit log.
    /// Rate-limited per requester: past a few a minute, lines are left out and the next one
    /// says how many.
    public func recordRefusal(_ refusal: CommandRefusal) {
        guard let command = refusal.command as? FileCommand else { return }
        guard case .write(let suppressed) = refusals.decide(for: refusal.requester.bare.description) else { return }
        var entry = AuditEntry(
            requester: refusal.requester, node: command.node,
            parameters: AuditEntry.parameters(refusal.submitted, of: command.definition), decision: .refused)
        entry.reason = refusal.reason
        if suppressed > 0 { entry.suppressed = suppressed }
        auditLog.record(entry)
    }

    /// Whether the delivery report of this answer is ours to record: a subscriber that asks
    /// first is not woken for the answers of every other command (two per two-stage command).
    public func awaitsDelivery(to requester: JID, requestID: String) -> Bool {
        deliveries.awaits(requester: requester, requestID: requestID)
    }

    /// The client reported how the answer to `requestID` from `requester` reached the server:
    /// a run of ours waiting for it gets its `delivered` line. Answers of other requests are
    /// not ours and are ignored.
    public func answerDelivered(to requester: JID, requestID: String, delivery: String, acknowledged: Bool) {
        guard let awaited = deliveries.take(requester: requester, requestID: requestID) else { return }
        var entry = AuditEntry(requester: requester, node: awaited.node, decision: .allowed)
        entry.event = .delivered
        entry.run = awaited.run
        entry.delivery = delivery
        entry.acknowledged = acknowledged
        auditLog.record(entry)
    }
}
