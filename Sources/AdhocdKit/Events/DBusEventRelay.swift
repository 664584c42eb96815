import Commands
import DBusBridge
import HostMetrics
import Logging
import ServiceLifecycle
import Synchronization
import XMPPClient
import XMPPCore

/// Turns what the D-Bus bridge reports into what people see: a chat message for a signal (only
/// to `notify` recipients the block's rules admit), an alert for a failed unit (to `[monitor]
/// alerts`), the User Tune for what plays. The bridge restarts with the configuration; this
/// service lives as long as the daemon, so the tune and the event stream outlast reloads.
final class DBusEventRelay: Service {
    /// Where the bridge puts its events.
    let events: AsyncStream<DBusEvent>.Continuation
    private let stream: AsyncStream<DBusEvent>
    private let client: XMPPClient
    private let notifier: ChatNotifier
    private let tune: TunePublisher
    private let journal: UnitJournal
    private let alertRecipients: @Sendable () -> [AlertRecipient]
    private let host: String
    private let logger: Logger
    /// Recipients already reported as outside a block's rules, so the log says it once each.
    private let reportedOutsiders = Mutex<Set<String>>([])

    init(
        client: XMPPClient, alertRecipients: @escaping @Sendable () -> [AlertRecipient], logger: Logger,
        journal: UnitJournal = UnitJournal(), host: String = HostReader.hostname()
    ) {
        (stream, events) = AsyncStream.makeStream(of: DBusEvent.self, bufferingPolicy: .bufferingNewest(256))
        var logger = logger
        logger[metadataKey: "component"] = "dbus-events"
        self.client = client
        self.logger = logger
        notifier = ChatNotifier(client: client, logger: logger)
        tune = TunePublisher(client: client, logger: logger)
        self.journal = journal
        self.alertRecipients = alertRecipients
        self.host = host
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for await event in self.stream {
                    switch event {
                    case .signal(let notice):
                        await self.deliver(notice)
                    case .nowPlaying(let track):
                        await self.tune.show(track)
                    case .unitFailed(let failure):
                        // Reading the journal takes a moment: other events go on meanwhile.
                        group.addTask { await self.announce(failure) }
                    }
                }
            }
        }
        // The client shuts down after this service (reverse order): it can still take this.
        await tune.clear()
    }

    /// After every login.
    func cameOnline() async {
        await tune.cameOnline()
    }

    // MARK: Signals

    func deliver(_ notice: SignalNotice) async {
        let addresses = notifier.addresses(of: notice.recipients)
        let admitted = Self.admitted(
            addresses, by: notice.policy, account: client.configuration.account, directory: RosterGroups(roster: client.roster))
        for outsider in addresses.subtracting(admitted).sorted() {
            let isNew = reportedOutsiders.withLock { $0.insert("\(outsider)|\(notice.policy)").inserted }
            let line: Logger.Message = "\(outsider) is in notify but the block's rules (\(notice.policy)) do not admit them: sent nothing"
            if isNew { logger.warning(line) } else { logger.debug(line) }
        }
        await notifier.send(
            notice.text, to: admitted, what: "D-Bus signal message", metadata: ["signal": "\(notice.signal)", "service": "\(notice.service)"])
    }

    /// Those of `addresses` the block's rules admit right now: nobody else is sent a signal.
    static func admitted(_ addresses: Set<JID>, by policy: AccessPolicy, account: JID, directory: some GroupDirectory) -> Set<JID> {
        addresses.filter { policy.permits($0, account: account, directory: directory) }
    }

    // MARK: Failed units

    func announce(_ failure: UnitFailure) async {
        let recipients = alertRecipients()
        guard !recipients.isEmpty else {
            logger.warning("\(failure.unit) failed; [monitor] alerts names nobody to tell", metadata: ["unit": "\(failure.unit)"])
            return
        }
        let excerpt = await journal.lastLines(of: failure.unit)
        let body = UnitFailureAlert(host: host, failure: failure, journal: excerpt).body
        await notifier.send(body, to: notifier.addresses(of: recipients), what: "failed-unit alert", metadata: ["unit": "\(failure.unit)"])
    }
}

/// The message about a failed unit: what failed where, then its journal.
struct UnitFailureAlert: Sendable, Equatable {
    var host: String
    var failure: UnitFailure
    var journal: JournalExcerpt

    var body: String {
        var first = "\(host): \(failure.unit) failed"
        if let subState = failure.subState, subState != "failed" { first += " (\(subState))" }
        if let previous = failure.previousState { first += ", was \(previous)" }
        var lines = [first + ".", journal.text]
        if failure.heldBack > 0 {
            lines.append("(\(failure.heldBack) earlier failure\(failure.heldBack == 1 ? "" : "s") of it not announced: rate limit)")
        }
        return lines.joined(separator: "\n")
    }
}
